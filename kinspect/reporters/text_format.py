"""Human-readable text: one line per failure with its fix, then a summary."""

from __future__ import annotations

from kinspect.model import Result
from kinspect.report import Report

_LABELS = {
    "en": {
        "summary": "{resources} resources, {checks} checks: {passed} passed, {warning} warning, "
        "{danger} danger; score {score}",
        "fix": "fix",
        "passed": "PASSED",
        "skipped": "{count} non-Kubernetes documents skipped",
        "problems": "{count} inputs could not be inspected",
    },
    "zh": {
        "summary": "{resources} 个资源，{checks} 项检查：通过 {passed}，警告 {warning}，危险 {danger}；"
        "健康度 {score}",
        "fix": "修复",
        "passed": "通过",
        "skipped": "跳过 {count} 个非 Kubernetes 文档",
        "problems": "{count} 个输入无法检查",
    },
}


def render(report: Report) -> str:
    """The text report."""
    labels = _LABELS.get(report.lang, _LABELS["en"])
    lines: list[str] = []
    for result in report.results:
        if result.suppressed is not None:
            continue
        if not result.passed:
            lines.extend(_failure(result, labels["fix"]))
        elif report.display.show_passed:
            lines.append(f"{_where(result)}: {labels['passed']} {result.check} {result.resource}")
    counts = report.counts
    lines.append(
        labels["summary"].format(
            resources=report.resource_count,
            checks=counts.total,
            passed=counts.passed,
            warning=counts.warning,
            danger=counts.danger,
            score=counts.score,
        )
    )
    if report.skipped_documents:
        lines.append(labels["skipped"].format(count=report.skipped_documents))
    return "\n".join(lines) + "\n"


def _where(result: Result) -> str:
    return f"{result.file}:{result.line}:{result.column}"


def _failure(result: Result, fix_label: str) -> list[str]:
    head = (
        f"{_where(result)}: {result.severity.upper()} {result.check} "
        f"{result.resource}: {result.message}"
    )
    return [head, f"    {fix_label}: {result.fix}"]
