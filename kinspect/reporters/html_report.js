// Filters and sorting of the detail table. The rows are in the page; this only hides and
// reorders them, and never builds markup from report data.
(function () {
  "use strict";
  var table = document.getElementById("results");
  if (!table) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var search = document.getElementById("search");
  var counter = document.getElementById("shown");
  var RANK = { danger: "0", warning: "1", suppressed: "2", passed: "3" };

  function matches(row, name, wanted) {
    if (wanted === "*") {
      return true;
    }
    var value = row.getAttribute("data-" + name);
    if (name === "result" && wanted === "failed") {
      return value === "danger" || value === "warning";
    }
    return value === wanted;
  }

  function apply() {
    var needle = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var visible = filters.every(function (select) {
        return matches(row, select.getAttribute("data-filter"), select.value);
      });
      if (visible && needle) {
        visible = row.textContent.toLowerCase().indexOf(needle) >= 0;
      }
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    counter.textContent = counter.getAttribute("data-template")
      .replace("{shown}", String(shown))
      .replace("{total}", String(rows.length));
  }

  // The result column sorts by rank (danger first); the others by text, numbers by value
  // (so that deploy.yaml:9 comes before deploy.yaml:10).
  function key(row, index) {
    if (index === 0) {
      return RANK[row.getAttribute("data-result")];
    }
    return row.cells[index].textContent.trim().toLowerCase();
  }

  function sortBy(header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.tHead.querySelectorAll("th").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var order = rows.map(function (row, position) {
      return { row: row, key: key(row, index), position: position };
    });
    order.sort(function (a, b) {
      var compared = a.key.localeCompare(b.key, undefined, { numeric: true });
      return (ascending ? compared : -compared) || a.position - b.position;
    });
    order.forEach(function (item) {
      body.appendChild(item.row);
    });
  }

  filters.forEach(function (select) {
    select.addEventListener("change", apply);
  });
  search.addEventListener("input", apply);
  table.tHead.querySelectorAll("th").forEach(function (header, index) {
    var button = header.querySelector("button");
    if (button) {
      button.addEventListener("click", function () {
        sortBy(header, index);
      });
    }
  });
  apply();
})();
