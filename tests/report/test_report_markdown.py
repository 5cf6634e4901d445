"""Markdown for pull requests and job summaries: overview, categories, failures by file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.formats.markdown_format import FOLD_ABOVE, MAX_LISTED, escape
from kinspect.report.model import Report
from tests.support.report import FIXTURE_SET, HOSTILE_NAME, build, empty

render = get_reporter("markdown")


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def test_sections_in_order(report: Report) -> None:
    text = render(report)
    headings = re.findall(r"^#+ (.*)$", text, re.M)
    assert headings[:3] == ["kinspect report", "Overview", "Categories"]
    assert headings[3] == f"Findings ({len(report.failures)})"
    assert "Inputs that could not be inspected" in headings


def test_overview_and_category_numbers(report: Report) -> None:
    text = render(report)
    counts = report.counts
    assert f"| **{counts.score}** / 100 | 5 | {counts.total} |" in text
    assert f"{counts.danger} ({counts.percent(counts.danger)}%)" in text
    networking = next(c for c in report.categories if c.name == "Networking")
    row = re.search(r"^\| Networking \|(.*)$", text, re.M)
    assert row and row.group(1).split("|")[0].strip() == str(networking.counts.total)


def test_failures_grouped_by_file_with_line_references(report: Report) -> None:
    text = render(report)
    assert len(report.failures) > FOLD_ABOVE  # so the groups are folded
    shop = f"{FIXTURE_SET}/shop.yaml"
    summary = f"<details><summary>{escape(shop)} ("
    assert summary in text
    for result in report.failures:
        assert escape(f"{result.file}#L{result.line}") in text
    assert "hostPortSet" not in text.split("### Fix")[0].split("### Findings")[1]  # suppressed


def test_small_reports_are_not_folded(report: Report) -> None:
    few = [r for r in report.results if r.check == "hostNetworkSet"]
    text = render(replace(report, results=few))
    assert "<details>" not in text and "#### " in text


def test_long_lists_are_cut(report: Report) -> None:
    failure = report.failures[0]
    many = [replace(failure, line=n) for n in range(1, MAX_LISTED + 11)]
    text = render(replace(report, results=many))
    assert "… and 10 more failures" in text
    assert f"#L{MAX_LISTED + 1} " not in text.replace("|", " ")


def test_manifest_text_is_inert(report: Report) -> None:
    text = render(report)
    assert HOSTILE_NAME not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a\\|b\\*\\_c" in text  # the namespace cannot split a table cell or start emphasis
    for line in text.splitlines():
        if line.startswith("| ⛔") or line.startswith("| ⚠️"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 6, line


def test_chinese() -> None:
    text = render(build(lang="zh"))
    assert text.startswith("## kinspect 巡检报告")
    assert "### 扫描结果概览" in text and "| 健康检查 |" in text and "### 修复建议" in text


def test_empty_run(tmp_path: Path) -> None:
    text = render(empty(tmp_path))
    assert "No Kubernetes resources found." in text
    assert "### Findings" not in text and "### Categories" not in text


def test_rendered_templates_are_referenced_by_their_source(report: Report) -> None:
    template = "charts/web/templates/deploy.yaml"
    moved = replace(report.failures[0], source_file=template, source_line=7)
    text = render(replace(report, results=[moved]))
    assert f"#### {escape(template)} (1)" in text
    assert escape(f"{template}#L7") in text
