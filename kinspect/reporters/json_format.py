"""JSON: the summary and every evaluated check, passed and failed."""

from __future__ import annotations

import json
from typing import Any

from kinspect import __version__
from kinspect.model import Result
from kinspect.report import Report

SCHEMA_VERSION = "1"


def render(report: Report) -> str:
    """The JSON report (documented by schemas/report.schema.json)."""
    counts = report.counts
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kinspect", "version": __version__},
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "skipped_documents": report.skipped_documents,
            "resources": report.resource_count,
            "resources_by_kind": report.resources,
            "checks_run": len(report.rules),
            "results": counts.total,
            "passed": counts.passed,
            "warning": counts.warning,
            "danger": counts.danger,
            "score": counts.score,
        },
        "errors": [
            {"file": p.file, "line": p.line, "column": p.column, "message": p.message, "hint": p.hint}
            for p in report.problems
        ],
        "results": [_result(r) for r in report.results],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _result(result: Result) -> dict[str, Any]:
    return {
        "check": result.check,
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
    }
