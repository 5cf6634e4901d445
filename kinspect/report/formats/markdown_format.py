"""Markdown for pull-request comments and job summaries: overview, categories, failures by file."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kinspect.errors import escape_controls
from kinspect.model import Result
from kinspect.report.formats.labels import category_name, describe_inputs, labels, outcome_name
from kinspect.report.model import Counts, Report

FOLD_ABOVE = 20
"""With more failures than this, each file's list is folded (`<details>`)."""
MAX_LISTED = 500
"""Failures listed at most: a comment or job summary has a size limit."""
_ICONS = {"danger": "⛔", "warning": "⚠️"}
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def render(report: Report) -> str:
    """The Markdown report."""
    text = labels(report.lang)
    parts = [f"## {text['report']}", *_overview(report, text), *_categories(report, text)]
    parts.extend(_failures(report, text))
    parts.extend(_problems(report, text))
    return "\n\n".join(parts) + "\n"


def escape(value: str) -> str:
    """Text from a manifest, inert in Markdown and in the HTML GitHub allows inside it."""
    value = _PUNCTUATION.sub(r"\\\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escape_controls(value.replace("\r", "").replace("\n", "<br>"))


def _overview(report: Report, text: Mapping[str, str]) -> list[str]:
    counts = report.counts
    head = [text["score"], text["resources"], text["checks"]]
    head += [text["passed"], text["warning"], text["danger"]]
    row = [f"**{counts.score}** / 100", str(report.resource_count), str(counts.total)]
    row += [f"{n} ({counts.percent(n)}%)" for n in (counts.passed, counts.warning, counts.danger)]
    if counts.suppressed:
        head.append(text["suppressed"])
        row.append(str(counts.suppressed))
    lines = [_table_row(head), _table_row(["---:"] * len(head)), _table_row(row)]
    notes = [f"{text['inputs']}: {describe_inputs(report)}"]
    if report.resources:
        kinds = ", ".join(f"{escape(k)} {n}" for k, n in report.resources.items())
        notes.insert(0, f"{text['by_kind']}: {kinds}")
    else:
        notes.insert(0, text["no_resources"])
    return [f"### {text['overview']}", "\n".join(lines), " · ".join(notes)]


def _categories(report: Report, text: Mapping[str, str]) -> list[str]:
    if not report.counts.total:
        return []
    head = [text["category"], text["checks"], text["passed"], text["warning"], text["danger"]]
    head += [text["passed_pct"], text["score"]]
    lines = [_table_row(head), _table_row(["---", *["---:"] * (len(head) - 1)])]
    for stats in report.categories:
        lines.append(_table_row([category_name(stats.name, report.lang), *_numbers(stats.counts)]))
    return [f"### {text['categories']}", "\n".join(lines)]


def _numbers(counts: Counts) -> list[str]:
    if not counts.total:
        return ["0", "0", "0", "0", "–", "–"]
    numbers = [counts.total, counts.passed, counts.warning, counts.danger]
    return [*map(str, numbers), f"{counts.percent(counts.passed)}%", str(counts.score)]


def _failures(report: Report, text: Mapping[str, str]) -> list[str]:
    failures = report.failures
    if not failures:
        return [f"### {text['findings']}", text["no_failures"]] if report.counts.total else []
    by_file: dict[str, list[Result]] = {}
    for result in failures[:MAX_LISTED]:
        by_file.setdefault(_place(result)[0], []).append(result)
    parts = [f"### {text['findings']} ({len(failures)})"]
    fold = len(failures) > FOLD_ABOVE
    for file, results in by_file.items():
        table = _failure_table(results, report.lang, text)
        title = f"{escape(file)} ({len(results)})"
        if fold:
            parts.append(f"<details><summary>{title}</summary>\n\n{table}\n\n</details>")
        else:
            parts.extend([f"#### {title}", table])
    if len(failures) > MAX_LISTED:
        parts.append(text["more"].format(count=len(failures) - MAX_LISTED))
    parts.extend([f"### {text['fix_title']}", _fixes(report, failures)])
    return parts


def _fixes(report: Report, failures: list[Result]) -> str:
    """Each failing check once: its title and fix (the fix is the same for every failure)."""
    lines = []
    for check in dict.fromkeys(r.check for r in failures):
        rule = report.rule(check)
        if rule is not None:
            texts = rule.text(report.lang)
            colon = "：" if report.lang == "zh" else ": "
            lines.append(f"- **{check}** – {escape(texts.title)}{colon}{escape(texts.fix)}")
    return "\n".join(lines)


def _failure_table(results: list[Result], lang: str, text: Mapping[str, str]) -> str:
    head = [text["severity"], text["location"], text["check"], text["resource"], text["message"]]
    lines = [_table_row(head), _table_row(["---"] * len(head))]
    for r in results:
        severity = f"{_ICONS.get(r.severity, '')} {outcome_name(False, r.severity, lang)}"
        file, line = _place(r)
        where = escape(f"{file}#L{line}" if line else file)
        resource = escape(r.resource) + (f" / {escape(r.container)}" if r.container else "")
        lines.append(_table_row([severity, where, r.check, resource, escape(r.message)]))
    return "\n".join(lines)


def _place(result: Result) -> tuple[str, int | None]:
    """The file a reviewer edits: the template a resource was rendered from, if any."""
    if result.source_file is not None:
        return result.source_file, result.source_line
    return result.file, result.line


def _problems(report: Report, text: Mapping[str, str]) -> list[str]:
    if not report.problems:
        return []
    items = "\n".join(f"- {escape(problem.render())}" for problem in report.problems)
    return [f"### {text['errors_title']}", items]


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
