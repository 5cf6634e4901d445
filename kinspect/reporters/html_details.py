"""The detail table of the HTML report: every result, with filters (see html_report.js)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from kinspect.model import Result
from kinspect.report import Report
from kinspect.reporters.labels import category_name, outcome_name

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


def badge(outcome: str, label: str) -> str:
    """A coloured `Passed` / `Warning` / `Danger` / `Suppressed` label."""
    return f'<span class="badge {escape(outcome)}">{escape(label)}</span>'


def details(report: Report, text: Mapping[str, str]) -> str:
    """The filters and the table; failures only are shown at first, when there are any."""
    header = "".join(
        f'<th><button type="button">{escape(text[key])}</button></th>' for key in _COLUMNS
    )
    rows = "\n".join(_row(result, report, text) for result in report.results)
    return (
        f'<section class="card" id="details"><h2>{escape(text["details"])}</h2>'
        f'<div class="filters">{"".join(_filters(report, text))}</div>'
        f'<div class="scroll"><table id="results"><thead><tr>{header}</tr></thead>'
        f"<tbody>\n{rows}\n</tbody></table></div></section>"
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


def _row(result: Result, report: Report, text: Mapping[str, str]) -> str:
    lang = report.lang
    if result.suppressed is not None:
        outcome, label = "suppressed", text["suppressed"]
    else:
        outcome = "passed" if result.passed else result.severity
        label = outcome_name(result.passed, result.severity, lang)
    rule = report.rule(result.check)
    title = rule.text(lang).title if rule else ""
    attributes = {
        "category": result.category,
        "severity": result.severity,
        "result": outcome,
        "namespace": result.namespace or "",
        "kind": result.kind,
    }
    data = " ".join(f'data-{key}="{escape(value)}"' for key, value in attributes.items())
    # A passing result's message is the title already.
    subtitle = "" if result.passed else f'<div class="title">{escape(title)}</div>'
    cells = [
        f"<td>{badge(outcome, label)}</td>",
        f"<td>{escape(category_name(result.category, lang))}</td>",
        f"<td>{escape(result.check)}{subtitle}</td>",
        f"<td>{escape(result.kind)}</td>",
        f"<td>{escape(result.namespace or '')}</td>",
        f"<td>{escape(result.name)}</td>",
        f"<td>{escape(result.container or '')}</td>",
        f'<td class="loc">{_location(result, text)}</td>',
        f"<td>{_message(result, report, text)}</td>",
    ]
    return f"<tr {data}>{''.join(cells)}</tr>"


def _location(result: Result, text: Mapping[str, str]) -> str:
    """file:line:column, and the template it was rendered from (Helm, kustomize)."""
    where = escape(f"{result.file}:{result.line}:{result.column}")
    if result.source_file is None or result.source_file == result.file:
        return where
    source = result.source_file + (f":{result.source_line}" if result.source_line else "")
    return f'{where}<div class="title">{escape(text["source"])}: {escape(source)}</div>'


def _message(result: Result, report: Report, text: Mapping[str, str]) -> str:
    message = escape(result.message)
    if result.suppressed is not None:
        reason = f"{text['suppressed']}: {result.suppressed}"
        return f'{message}<div class="title">{escape(reason)}</div>'
    if result.passed:
        return message
    rule = report.rule(result.check)
    example = f"<pre><code>{escape(rule.fix_example.rstrip())}</code></pre>" if rule else ""
    return (
        f"{message}<details><summary>{escape(text['fix_title'])}</summary>"
        f'<p>{escape(result.fix)}</p><div class="title">{escape(text["example"])}</div>'
        f"{example}</details>"
    )
