"""The detail table of the HTML report: its filters, and every result as data for the script.

Real repositories give tens of thousands of results; a page with one table row each takes
minutes to lay out and sort. So the results are embedded as JSON (inert: a data block is not
run, and `<`, `>`, `&` are escaped) and html_report.js shows one page of the filtered,
sorted rows at a time, building them with textContent only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from kinspect.model import Result
from kinspect.report.formats.labels import category_name
from kinspect.report.model import Report

_COLUMNS = (
    "result",
    "category",
    "check",
    "kind",
    "namespace",
    "name",
    "container",
    "location",
    "message",
)
PAGE_SIZE = 200
"""Rows shown at first, and added by each "show more"."""


def badge(outcome: str, label: str) -> str:
    """A coloured `Passed` / `Warning` / `Danger` / `Suppressed` label."""
    return f'<span class="badge {escape(outcome)}">{escape(label)}</span>'


def details(report: Report, text: Mapping[str, str]) -> str:
    """The filters, the (script-filled) table and its data; failures only at first."""
    header = "".join(
        f'<th><button type="button">{escape(text[key])}</button></th>' for key in _COLUMNS
    )
    more = escape(text["show_more"])
    return (
        f'<section class="card" id="details"><h2>{escape(text["details"])}</h2>'
        f'<div class="filters">{"".join(_filters(report, text))}</div>'
        f"<noscript><p>{escape(text['needs_script'])}</p></noscript>"
        f'<div class="scroll"><table id="results"><thead><tr>{header}</tr></thead>'
        f'<tbody></tbody></table></div><button type="button" id="more" hidden '
        f'data-template="{more}"></button></section>\n'
        f'<script type="application/json" id="report-data">{_script_json(_data(report, text))}'
        "</script>"
    )


def _filters(report: Report, text: Mapping[str, str]) -> list[str]:
    results = report.results
    outcomes = [(key, text[key]) for key in ("failed", "danger", "warning", "passed")]
    if report.counts.suppressed:
        outcomes.append(("suppressed", text["suppressed"]))
    categories = sorted({r.category for r in results})
    namespaces = sorted({r.namespace or "" for r in results})
    return [
        _select("category", text, [(c, category_name(c, report.lang)) for c in categories]),
        _select("severity", text, [(key, text[key]) for key in ("danger", "warning")]),
        _select("result", text, outcomes, "failed" if report.failures else "*"),
        _select("namespace", text, [(n, n or "—") for n in namespaces]),
        _select("kind", text, [(k, k) for k in sorted({r.kind for r in results})]),
        f'<label>{escape(text["search"])}<input type="search" id="search"></label>',
        f'<span id="shown" data-template="{escape(text["shown"])}"></span>',
    ]


def _select(
    name: str, text: Mapping[str, str], options: list[tuple[str, str]], chosen: str = "*"
) -> str:
    choices = "".join(
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(label)}</option>"
        for value, label in [("*", text["all"]), *options]
    )
    return (
        f'<label>{escape(text[name])}<select data-filter="{name}" id="filter-{name}">'
        f"{choices}</select></label>"
    )


def _data(report: Report, text: Mapping[str, str]) -> dict[str, Any]:
    """Checks and files once; each result as a row (see ROW in html_report.js)."""
    checks: dict[str, dict[str, str]] = {}
    files: dict[str, int] = {}
    rows = []
    for result in report.results:
        if result.check not in checks:
            checks[result.check] = _check(report, result)
        fix = "" if result.fix == checks[result.check]["fix"] else result.fix
        rows.append(_row(result, files.setdefault(result.file, len(files)), fix))
    keys = ("passed", "warning", "danger", "suppressed", "fix_title", "example", "source")
    return {
        "pageSize": PAGE_SIZE,
        "labels": {key: text[key] for key in keys},
        "checks": checks,
        "files": list(files),
        "rows": rows,
    }


def _check(report: Report, result: Result) -> dict[str, str]:
    rule = report.rule(result.check)
    return {
        "category": result.category,
        "categoryName": category_name(result.category, report.lang),
        "severity": result.severity,
        "title": rule.text(report.lang).title if rule else result.check,
        "fix": result.fix,
        "example": rule.fix_example.rstrip() if rule else "",
    }


def _row(result: Result, file: int, fix: str) -> list[Any]:
    """A result as an array: [result, check, kind, namespace, name, container, file index,
    line, column, message, fix (when not the check's), suppression reason, source]."""
    if result.suppressed is not None:
        outcome, note = "suppressed", result.suppressed
    else:
        outcome, note = ("passed" if result.passed else result.severity), ""
    source = ""
    if result.source_file is not None and result.source_file != result.file:
        source = result.source_file + (f":{result.source_line}" if result.source_line else "")
    return [
        outcome,
        result.check,
        result.kind,
        result.namespace or "",
        result.name,
        result.container or "",
        file,
        result.line,
        result.column,
        result.message,
        fix,
        note,
        source,
    ]


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its script element or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
