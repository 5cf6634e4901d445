"""JSON: the overview, the categories, each resource and every evaluated check.

The shape is documented (and tested) by schemas/report.schema.json; bump SCHEMA_VERSION
when a field changes meaning or goes away (adding fields keeps the version).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO, TypeVar

from kinspect.errors import InputProblem
from kinspect.model import Result
from kinspect.report.model import CategoryStats, Counts, Report, ResourceRow
from kinspect.version import __version__

SCHEMA_VERSION = "1"
_BATCH = 500
T = TypeVar("T")


def render(report: Report) -> str:
    """The JSON report."""
    stream = io.StringIO()
    write(report, stream)
    return stream.getvalue()


def write(report: Report, stream: TextIO) -> None:
    """Write the JSON report in batches: a large run never holds the whole text, nor a dict
    for every resource or result."""
    head: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kinspect", "version": __version__},
        "lang": report.lang,
        "summary": _summary(report),
        "categories": [_category(stats) for stats in report.categories],
    }
    # Compact: the C encoder is several times faster than indented output on large runs.
    stream.write(_dumps(head)[:-1] + ',"resources":[')
    _write_batches(stream, report.resource_rows, _resource)
    stream.write('],"errors":' + _dumps([_problem(p) for p in report.problems]))
    stream.write(',"notes":' + _dumps([_problem(p) for p in report.notes]))
    if report.pod_security:  # only runs that judged a namespace have the key
        stream.write(',"pod_security":' + _dumps([e.record() for e in report.pod_security]))
    stream.write(',"results":[')
    titles: dict[str, str] = {}  # one lookup per check, not per result
    _write_batches(stream, report.results, lambda r: _result(r, _cached_title(titles, report, r)))
    stream.write("]}\n")


def _write_batches(stream: TextIO, items: Sequence[T], encode: Callable[[T], Any]) -> None:
    """The items of a JSON list, without its brackets (batches: fewer encoder calls)."""
    for start in range(0, len(items), _BATCH):
        batch = [encode(item) for item in items[start : start + _BATCH]]
        stream.write(("," if start else "") + _dumps_list(batch)[1:-1])


def _dumps_list(items: list[Any]) -> str:
    """`_dumps(items)` for lists of results and resources (texts, integers, booleans, None),
    with orjson: the same bytes, many times faster."""
    import orjson

    try:
        return orjson.dumps(items).decode()
    except TypeError:  # a lone surrogate in a text, an integer beyond 64 bits
        return _dumps(items)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _summary(report: Report) -> dict[str, Any]:
    counts = report.counts
    return {
        "files": report.files,
        "documents": report.documents,
        "skipped_documents": report.skipped_documents,
        "errors": len(report.problems),
        "resources": report.resource_count,
        "resources_by_kind": report.resources,
        "checks_run": len(report.rules),
        "results": counts.total,
        **_counts(counts),
        "score": report.score,
        "percent": {
            "passed": counts.percent(counts.passed),
            "warning": counts.percent(counts.warning),
            "danger": counts.percent(counts.danger),
        },
    }


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "passed": counts.passed,
        "warning": counts.warning,
        "danger": counts.danger,
        "suppressed": counts.suppressed,
        "score": counts.score,
    }


def _category(stats: CategoryStats) -> dict[str, Any]:
    return {
        "name": stats.name,
        "checks_run": stats.rules,
        "results": stats.counts.total,
        **_counts(stats.counts),
        "percent_passed": stats.counts.percent(stats.counts.passed),
    }


def _resource(row: ResourceRow) -> dict[str, Any]:
    source = row.source
    return {
        "kind": row.kind,
        "namespace": row.namespace,
        "name": row.name,
        "file": row.file,
        "line": row.line,
        "source_file": source[0] if source else None,
        "source_line": source[1] if source else None,
        "results": row.counts.total,
        "failed": row.counts.failed,
        **_counts(row.counts),
        "worst_severity": row.counts.worst,
    }


def _problem(problem: InputProblem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "message": problem.message,
        "hint": problem.hint,
    }


def _cached_title(titles: dict[str, str], report: Report, result: Result) -> str:
    title = titles.get(result.check)
    if title is None:
        title = titles[result.check] = _title(report, result)
    return title


def _title(report: Report, result: Result) -> str:
    rule = report.rule(result.check)
    return rule.text(report.lang).title if rule else result.check


def _result(result: Result, title: str) -> dict[str, Any]:
    return {
        "check": result.check,
        "title": title,
        "passed": result.passed,
        "severity": result.severity,
        "category": result.category,
        "message": result.message,
        "fix": result.fix,
        "file": result.file,
        "line": result.line,
        "column": result.column,
        "path": result.path,
        "resource": {"kind": result.kind, "namespace": result.namespace, "name": result.name},
        "container": result.container,
        "container_type": result.container_type,
        "source_file": result.source_file,
        "source_line": result.source_line,
        "approximate": result.approximate,
        "suppressed": result.suppressed,
        "build": result.build,
    }
