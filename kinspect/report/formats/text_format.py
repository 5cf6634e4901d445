"""Human-readable text: the findings with their fixes, then the overview and the categories."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from kinspect.errors import escape_controls
from kinspect.model import Result
from kinspect.report.formats.labels import (
    category_name,
    describe_inputs,
    labels,
    nothing_inspected,
    outcome_name,
    pod_security_table,
)
from kinspect.report.model import Counts, Report

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_STYLES = {"danger": "1;31", "warning": "1;33", "passed": "32", "dim": "2", "bold": "1"}


class _Painter:
    """ANSI colours, or plain text when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or style not in _STYLES:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    def score(self, score: int) -> str:
        return self(str(score), "passed" if score >= 80 else "warning" if score >= 50 else "danger")


def render(report: Report) -> str:
    """The text report (`--quiet`: the failures only)."""
    paint = _Painter(report.display.color)
    text = labels(report.lang)
    lines = _findings(report, paint, text)
    if not report.display.quiet:
        if lines:
            lines.append("")
        lines.extend(_overview(report, paint, text))
        if report.counts.total or report.counts.suppressed:
            lines.append("")
            lines.extend(_categories(report, paint, text))
        if report.pod_security:
            lines.extend(["", paint(text["pod_security"], "bold")])
            lines.extend(_table(pod_security_table(report, text), paint))
        lines.extend(["", _summary(report, paint, text)])
    return "".join(f"{_inert(line, paint.enabled)}\n" for line in lines)


def _inert(line: str, color: bool) -> str:
    """A line with control characters from manifests escaped; only our own colours survive."""
    if not color:
        return escape_controls(line)
    parts = _SGR.split(line)
    codes = _SGR.findall(line)
    out = [escape_controls(parts[0])]
    for code, part in zip(codes, parts[1:], strict=True):
        out.extend([code, escape_controls(part)])
    return "".join(out)


def _findings(report: Report, paint: _Painter, text: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    for result in report.results:
        if result.suppressed is not None:
            if report.display.show_suppressed and not result.passed:
                lines.extend(_suppressed(result, paint, text))
            continue
        if not result.passed:
            lines.extend(_failure(result, paint, report.lang, text["fix"]))
        elif report.display.show_passed and not report.display.quiet:
            lines.append(_passed(result, paint, report.lang))
    return lines


def _where(result: Result, paint: _Painter) -> str:
    return paint(f"{result.file}:{result.line}:{result.column}", "bold")


def _failure(result: Result, paint: _Painter, lang: str, fix_label: str) -> list[str]:
    label = paint(outcome_name(False, result.severity, lang).upper(), result.severity)
    head = f"{_where(result, paint)}: {label} {result.check} {result.resource}: {result.message}"
    lines = [head]
    if result.source_file is not None and result.source_file != result.file:
        line = f":{result.source_line}" if result.source_line is not None else ""
        lines.append(paint(f"    {labels(lang)['source']}: {result.source_file}{line}", "dim"))
    if result.build is not None:
        lines.append(paint(f"    {labels(lang)['build']}: {result.build}", "dim"))
    if result.approximate:
        lines.append(paint(f"    {labels(lang)['approximate']}", "dim"))
    return [*lines, paint(f"    {fix_label}: {result.fix}", "dim")]


def _suppressed(result: Result, paint: _Painter, text: Mapping[str, str]) -> list[str]:
    label = paint(text["suppressed"].upper(), "dim")
    head = f"{_where(result, paint)}: {label} {result.check} {result.resource}: {result.message}"
    return [head, paint(f"    {text['reason']}: {result.suppressed}", "dim")]


def _passed(result: Result, paint: _Painter, lang: str) -> str:
    label = paint(outcome_name(True, result.severity, lang).upper(), "passed")
    container = f" [{result.container}]" if result.container else ""
    return f"{_where(result, paint)}: {label} {result.check} {result.resource}{container}"


def _overview(report: Report, paint: _Painter, text: Mapping[str, str]) -> list[str]:
    counts = report.counts
    kinds = ", ".join(f"{kind} {count}" for kind, count in report.resources.items())
    rows: list[tuple[str, int, str, str]] = [
        (text["resources"], report.resource_count, "", f"({kinds})" if kinds else ""),
        (text["checks"], counts.total, "", f"({len(report.rules)} {text['rules']})"),
        (text["passed"], counts.passed, "passed", f"{counts.percent(counts.passed):5.1f}%"),
        (text["warning"], counts.warning, "warning", f"{counts.percent(counts.warning):5.1f}%"),
        (text["danger"], counts.danger, "danger", f"{counts.percent(counts.danger):5.1f}%"),
    ]
    if counts.suppressed:
        rows.append((text["suppressed"], counts.suppressed, "", ""))
    label_width = max(_width(row[0]) for row in [*rows, (text["score"], 0, "", "")])
    number_width = max(len(str(row[1])) for row in rows)
    lines = [paint(text["overview"], "bold")]
    for label, number, style, extra in rows:
        value = paint(f"{number:>{number_width}}", style if number else "")
        lines.append(f"  {_pad(label, label_width)}  {value}  {extra}".rstrip())
    score = text["no_score"] if report.score is None else f"{paint.score(report.score)} / 100"
    lines.append(f"  {_pad(text['score'], label_width)}  {score}")
    lines.append(f"  {_pad(text['inputs'], label_width)}  {describe_inputs(report)}")
    empty = nothing_inspected(report)
    if empty:
        lines.append(f"  {paint(empty, 'warning' if report.problems else '')}")
    return lines


def _summary(report: Report, paint: _Painter, text: Mapping[str, str]) -> str:
    counts = report.counts
    if report.score is None:
        return text["summary_none"]
    return text["summary"].format(
        resources=report.resource_count,
        checks=counts.total,
        passed=counts.passed,
        warning=counts.warning,
        danger=counts.danger,
        score=paint.score(counts.score),
    )


def _categories(report: Report, paint: _Painter, text: Mapping[str, str]) -> list[str]:
    header = [text["category"], text["checks"], text["passed"], text["warning"], text["danger"]]
    header += [text["passed_pct"], text["score"]]
    table = [header]
    for stats in report.categories:
        table.append([category_name(stats.name, report.lang), *_numbers(stats.counts)])
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for index, row in enumerate(table):
        cells = [_pad(row[0], widths[0])]
        cells += [_pad(cell, widths[i], right=True) for i, cell in enumerate(row) if i]
        line = "  ".join(cells)
        lines.append(paint(line, "bold") if index == 0 else line)
    return lines


def _table(table: list[list[str]], paint: _Painter) -> list[str]:
    """Aligned columns, the first row in bold; numbers (the last two columns) right-aligned."""
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for index, row in enumerate(table):
        cells = [_pad(cell, widths[i], right=i >= len(row) - 2) for i, cell in enumerate(row)]
        line = "  " + "  ".join(cells).rstrip()
        lines.append(paint(line, "bold") if index == 0 else line)
    return lines


def _numbers(counts: Counts) -> list[str]:
    if not counts.total:
        return [str(counts.total), "0", "0", "0", "-", "-"]
    return [
        str(counts.total),
        str(counts.passed),
        str(counts.warning),
        str(counts.danger),
        f"{counts.percent(counts.passed)}%",
        str(counts.score),
    ]


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill
