// The detail table: filters, sorting and paging over the results embedded as JSON.
// Rows are built with createElement and textContent only: no report text is ever parsed
// as markup.
(function () {
  "use strict";
  var table = document.getElementById("results");
  var source = document.getElementById("report-data");
  if (!table || !source) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var body = table.tBodies[0];
  var filters = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var search = document.getElementById("search");
  var counter = document.getElementById("shown");
  var more = document.getElementById("more");
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var RANK = { danger: 0, warning: 1, suppressed: 2, passed: 3 };
  // Positions in a row array (see _row in html_details.py).
  var ROW = { result: 0, check: 1, kind: 2, namespace: 3, name: 4, container: 5, file: 6,
    line: 7, column: 8, message: 9, fix: 10, note: 11, source: 12 };

  var rows = data.rows.map(function (row, position) {
    var check = data.checks[row[ROW.check]];
    var location = data.files[row[ROW.file]] + ":" + row[ROW.line] + ":" + row[ROW.column];
    return {
      row: row,
      check: check,
      position: position,
      location: location,
      values: {
        result: row[ROW.result],
        category: check.category,
        severity: check.severity,
        namespace: row[ROW.namespace],
        kind: row[ROW.kind]
      },
      text: [row[ROW.check], check.categoryName, row[ROW.kind], row[ROW.namespace],
        row[ROW.name], row[ROW.container], location, row[ROW.message]].join("\n").toLowerCase()
    };
  });
  var SORT_KEYS = [
    function (r) { return RANK[r.values.result]; },
    function (r) { return r.check.categoryName; },
    function (r) { return r.row[ROW.check]; },
    function (r) { return r.row[ROW.kind]; },
    function (r) { return r.row[ROW.namespace]; },
    function (r) { return r.row[ROW.name]; },
    function (r) { return r.row[ROW.container]; },
    null, // location: file, then line and column as numbers
    function (r) { return r.row[ROW.message]; }
  ];
  var order = rows.slice();
  var limit = data.pageSize;

  function matches(item, name, wanted) {
    if (wanted === "*") {
      return true;
    }
    var value = item.values[name];
    if (name === "result" && wanted === "failed") {
      return value === "danger" || value === "warning";
    }
    return value === wanted;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function fixDetails(item) {
    var box = element("details");
    box.appendChild(element("summary", "", data.labels.fix_title));
    box.appendChild(element("p", "", item.row[ROW.fix] || item.check.fix));
    if (item.check.example) {
      box.appendChild(element("div", "title", data.labels.example));
      var pre = element("pre");
      pre.appendChild(element("code", "", item.check.example));
      box.appendChild(pre);
    }
    return box;
  }

  function render(item) {
    var row = item.row;
    var result = row[ROW.result];
    var failed = result === "danger" || result === "warning";
    var tr = element("tr");
    tr.setAttribute("data-result", result);
    tr.appendChild(element("td")).appendChild(element("span", "badge " + result, data.labels[result]));
    tr.appendChild(element("td", "", item.check.categoryName));
    var check = tr.appendChild(element("td", "", row[ROW.check]));
    if (failed) {
      check.appendChild(element("div", "title", item.check.title));
    }
    [ROW.kind, ROW.namespace, ROW.name, ROW.container].forEach(function (index) {
      tr.appendChild(element("td", "", row[index]));
    });
    var place = tr.appendChild(element("td", "loc", item.location));
    if (row[ROW.source]) {
      place.appendChild(element("div", "title", data.labels.source + ": " + row[ROW.source]));
    }
    var message = tr.appendChild(element("td", "", row[ROW.message]));
    if (row[ROW.note]) {
      message.appendChild(element("div", "title", data.labels.suppressed + ": " + row[ROW.note]));
    } else if (failed) {
      message.appendChild(fixDetails(item));
    }
    return tr;
  }

  function apply() {
    var needle = search.value.trim().toLowerCase();
    var wanted = filters.map(function (select) {
      return [select.getAttribute("data-filter"), select.value];
    });
    var shown = order.filter(function (item) {
      return wanted.every(function (pair) { return matches(item, pair[0], pair[1]); }) &&
        (!needle || item.text.indexOf(needle) >= 0);
    });
    var page = document.createDocumentFragment();
    shown.slice(0, limit).forEach(function (item) {
      page.appendChild(render(item));
    });
    body.replaceChildren(page);
    counter.textContent = counter.getAttribute("data-template")
      .replace("{shown}", String(shown.length))
      .replace("{total}", String(rows.length));
    var rest = Math.min(shown.length - limit, data.pageSize);
    more.hidden = rest <= 0;
    more.textContent = more.getAttribute("data-template").replace("{count}", String(rest));
  }

  function compareLocation(a, b) {
    return collator.compare(data.files[a.row[ROW.file]], data.files[b.row[ROW.file]]) ||
      a.row[ROW.line] - b.row[ROW.line] || a.row[ROW.column] - b.row[ROW.column];
  }

  function sortBy(header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.tHead.querySelectorAll("th").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var key = SORT_KEYS[index];
    order.sort(function (a, b) {
      var compared = key === null ? compareLocation(a, b) :
        index === 0 ? key(a) - key(b) : collator.compare(key(a), key(b));
      return (ascending ? compared : -compared) || a.position - b.position;
    });
    apply();
  }

  function restart() {
    limit = data.pageSize;
    apply();
  }

  filters.forEach(function (select) {
    select.addEventListener("change", restart);
  });
  search.addEventListener("input", restart);
  more.addEventListener("click", function () {
    limit += data.pageSize;
    apply();
  });
  table.tHead.querySelectorAll("th").forEach(function (header, index) {
    header.querySelector("button").addEventListener("click", function () {
      sortBy(header, index);
    });
  });
  apply();
})();
