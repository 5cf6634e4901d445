"""HTML: one self-contained page (score gauge, overview, category chart, filterable details).

Every string from a manifest goes through `html.escape`; the only script is the static one
next to this module, pinned by its hash in the page's Content-Security-Policy, so the page
loads nothing from anywhere and runs nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Mapping
from functools import cache
from html import escape
from pathlib import Path

from kinspect.report.formats.html_details import badge, details
from kinspect.report.formats.labels import (
    category_name,
    describe_inputs,
    labels,
    nothing_inspected,
    outcome_name,
    pod_security_table,
)
from kinspect.report.model import Counts, Report
from kinspect.version import __version__

_HERE = Path(__file__).parent


@cache
def _asset(name: str) -> tuple[str, str]:
    """A static asset's text and its CSP hash source."""
    text = (_HERE / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def render(report: Report) -> str:
    """The HTML report."""
    text = labels(report.lang)
    css, css_hash = _asset("html_report.css")
    js, js_hash = _asset("html_report.js")
    policy = f"default-src 'none'; style-src {css_hash}; script-src {js_hash}; img-src data:"
    body = [
        _overview(report, text),
        _categories(report, text),
        _problems(report, text),
        _pod_security(report, text),
        _resources(report, text),
        details(report, text),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if report.lang == "zh" else "en"}">',
            '<head>\n<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            f"<title>{escape(text['report'])}</title>\n<style>{css}</style>\n</head>\n<body>",
            f"<header><h1>{escape(text['report'])}</h1>"
            f'<span class="meta">{escape(text["generated"].format(version=__version__))}</span>'
            "</header>\n<main>",
            *(part for part in body if part),
            f"</main>\n<script>{js}</script>\n</body>\n</html>\n",
        ]
    )


def _grade(score: int) -> str:
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _gauge(score: int | None, label: str) -> str:
    """The score as a ring; an empty ring and a dash when there is no score."""
    radius = 52
    circumference = 2 * math.pi * radius
    shown = "–" if score is None else str(score)
    score = score or 0
    filled = circumference * score / 100
    arc = (
        f'<circle class="arc {_grade(score)}" cx="70" cy="70" r="{radius}" '
        f'stroke-linecap="round" transform="rotate(-90 70 70)" '
        f'stroke-dasharray="{filled:.2f} {circumference:.2f}"/>'
    )
    return (
        f'<div class="card gauge"><svg viewBox="0 0 140 140" role="img" '
        f'aria-label="{escape(label)} {shown}">'
        f'<circle class="track" cx="70" cy="70" r="{radius}"/>'
        f"{arc if score else ''}"
        f'<text class="value" x="70" y="76" text-anchor="middle" id="score">{shown}</text>'
        f'<text class="unit" x="70" y="96" text-anchor="middle">{escape(label)}</text>'
        "</svg></div>"
    )


def _overview(report: Report, text: Mapping[str, str]) -> str:
    counts = report.counts
    stats = [
        ("resources", report.resource_count, text["resources"]),
        ("checks", counts.total, f"{text['checks']} ({len(report.rules)} {text['rules']})"),
        *(
            (key, value, f"{text[key]} · {counts.percent(value)}%")
            for key, value in (
                ("passed", counts.passed),
                ("warning", counts.warning),
                ("danger", counts.danger),
            )
        ),
    ]
    if counts.suppressed:
        stats.append(("suppressed", counts.suppressed, text["suppressed"]))
    cells = "".join(
        f'<div class="stat {key}" id="stat-{key}"><div class="n">{value}</div>'
        f'<div class="l">{escape(label)}</div></div>'
        for key, value, label in stats
    )
    return (
        f'<section class="top">{_gauge(report.score, text["score"])}'
        f'<div class="card"><h2>{escape(text["overview"])}</h2><div class="stats">{cells}</div>'
        f'<div class="kinds">{_kinds(report, text)}'
        f'</div><div class="inputs">{escape(text["inputs"])}: {escape(describe_inputs(report))}'
        "</div></div></section>"
    )


_SVG_BAR = '<svg viewBox="0 0 100 10" preserveAspectRatio="none">'


def _kinds(report: Report, text: Mapping[str, str]) -> str:
    empty = nothing_inspected(report)
    if empty:
        return f"<strong>{escape(empty)}</strong>"
    kinds = ", ".join(f"{kind} {count}" for kind, count in report.resources.items())
    return f"{escape(text['by_kind'])}: {escape(kinds)}"


def _bar(counts: Counts) -> str:
    if not counts.total:
        return f'{_SVG_BAR}<rect class="bar-empty" width="100" height="10"/></svg>'
    rects, x = [], 0.0
    for key, value in (
        ("passed", counts.passed),
        ("warning", counts.warning),
        ("danger", counts.danger),
    ):
        width = 100 * value / counts.total
        rects.append(f'<rect class="bar-{key}" x="{x:.3f}" width="{width:.3f}" height="10"/>')
        x += width
    return f"{_SVG_BAR}{''.join(rects)}</svg>"


def _categories(report: Report, text: Mapping[str, str]) -> str:
    cells = [
        f'<div class="head">{escape(text["category"])}</div><div class="head"></div>'
        f'<div class="head num">{escape(text["passed_pct"])}</div>'
        f'<div class="head num">{escape(text["score"])}</div>'
    ]
    for stats in report.categories:
        counts = stats.counts
        percent = f"{counts.percent(counts.passed)}%" if counts.total else "–"
        score = (
            f'<span class="{_grade(counts.score)}">{counts.score}</span>' if counts.total else "–"
        )
        title = f"{counts.passed} / {counts.warning} / {counts.danger}"
        cells.append(
            f'<div title="{escape(title)}">{escape(category_name(stats.name, report.lang))}</div>'
            f'<div>{_bar(counts)}</div><div class="num">{percent}</div>'
            f'<div class="num">{score}</div>'
        )
    legend = "".join(
        f'<span class="{cls}">{escape(text[key])}</span>'
        for cls, key in (("good", "passed"), ("fair", "warning"), ("poor", "danger"))
    )
    return (
        f'<section class="card" id="categories"><h2>{escape(text["categories"])}</h2>'
        f'<div class="chart">{"".join(cells)}</div><div class="legend">{legend}</div></section>'
    )


def _problems(report: Report, text: Mapping[str, str]) -> str:
    if not report.problems:
        return ""
    items = "".join(f"<li>{escape(problem.render())}</li>" for problem in report.problems)
    title = escape(text["errors_title"])
    return f'<section class="card errors"><h2>{title}</h2><ul>{items}</ul></section>'


def _pod_security(report: Report, text: Mapping[str, str]) -> str:
    if not report.pod_security:
        return ""
    head, *rows = pod_security_table(report, text)
    header = "".join(f"<th>{escape(cell)}</th>" for cell in head)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(cell)}</td>" for cell in row[:-2])
        + "".join(f'<td class="num">{escape(cell)}</td>' for cell in row[-2:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<section class="card" id="pod-security"><h2>{escape(text["pod_security"])}</h2>'
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def _resources(report: Report, text: Mapping[str, str]) -> str:
    if not report.resource_rows:
        return ""
    head = ["kind", "namespace", "name", "location", "checks", "failed", "worst"]
    rows = []
    for row in report.resource_rows:
        worst = row.counts.worst
        worst_badge = badge(worst, outcome_name(False, worst, report.lang)) if worst else ""
        cells = [escape(row.kind), escape(row.namespace or ""), escape(row.name)]
        cells.append(f'<span class="loc">{escape(row.file)}:{row.line}</span>')
        rows.append(
            "<tr>"
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + f'<td class="num">{row.counts.total}</td><td class="num">{row.counts.failed}</td>'
            f"<td>{worst_badge}</td></tr>"
        )
    header = "".join(f"<th>{escape(text[key])}</th>" for key in head)
    return (
        f'<section class="card"><details><summary>{escape(text["resources_checked"])} ({len(rows)})'
        f"</summary><table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></details></section>"
    )
