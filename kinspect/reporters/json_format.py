"""JSON: the overview, the categories, each resource and every evaluated check.

The shape is documented (and tested) by schemas/report.schema.json; bump SCHEMA_VERSION
when a field changes meaning or goes away (adding fields keeps the version).
"""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from kinspect import __version__
from kinspect.errors import InputProblem
from kinspect.model import Result
from kinspect.report import CategoryStats, Counts, Report, ResourceRow

SCHEMA_VERSION = "1"
_BATCH = 500


def render(report: Report) -> str:
    """The JSON report."""
    stream = io.StringIO()
    write(report, stream)
    return stream.getvalue()


def write(report: Report, stream: TextIO) -> None:
    """Write the JSON report a result at a time: a large run never holds the whole text."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kinspect", "version": __version__},
        "lang": report.lang,
        "summary": _summary(report),
        "categories": [_category(stats) for stats in report.categories],
        "resources": [_resource(row) for row in report.resource_rows],
        "errors": [_problem(p) for p in report.problems],
        "notes": [_problem(p) for p in report.notes],
    }
    # Compact: the C encoder is several times faster than indented output on large runs.
    stream.write(_dumps(document)[:-1] + ',"results":[')
    results = report.results
    for start in range(0, len(results), _BATCH):  # batches: fewer encoder calls, little memory
        batch = [_result(r, _title(report, r)) for r in results[start : start + _BATCH]]
        stream.write(("," if start else "") + _dumps(batch)[1:-1])
    stream.write("]}\n")


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
        "suppressed": result.suppressed,
    }
