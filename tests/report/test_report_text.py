"""The text report: findings, overview, category table; quiet, passes, colour, Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.model import Report
from tests.support.report import FIXTURE_SET, build, empty, shown

render = get_reporter("text")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def test_findings_then_overview_then_categories(report: Report) -> None:
    lines = render(report).splitlines()
    first = lines[0]
    failure = report.failures[0]
    assert first.startswith(f"{failure.file}:{failure.line}:{failure.column}: ")
    assert lines[1].startswith("    fix: ")
    overview = lines.index("Overview")
    table = next(i for i, line in enumerate(lines) if line.startswith("Category"))
    assert 2 * len(report.failures) < overview < table
    assert lines[-1].startswith("5 resources, ") and lines[-1].endswith(
        f"score {report.counts.score}"
    )


def test_overview_numbers(report: Report) -> None:
    text = render(report)
    counts = report.counts
    assert re.search(rf"^  Danger +{counts.danger} +{counts.percent(counts.danger)}%$", text, re.M)
    assert re.search(rf"^  Suppressed +{counts.suppressed}$", text, re.M)
    assert re.search(rf"^  Score +{counts.score} / 100$", text, re.M)
    assert "(CronJob 1, Deployment 2, Pod 1, Service 1)" in text
    assert "4 files, 6 documents, 1 non-Kubernetes documents skipped, 1 in error" in text


def test_category_table(report: Report) -> None:
    text = render(report)
    for stats in report.categories:
        counts = stats.counts
        row = re.search(rf"^{stats.name} +(.*)$", text, re.M)
        assert row, stats.name
        assert row.group(1).split() == [
            str(counts.total),
            str(counts.passed),
            str(counts.warning),
            str(counts.danger),
            f"{counts.percent(counts.passed)}%",
            str(counts.score),
        ]


def test_suppressed_findings_are_not_listed(report: Report) -> None:
    assert "hostPortSet" not in render(report)


def test_quiet_prints_failures_only(report: Report) -> None:
    lines = render(shown(report, quiet=True, show_passed=True)).splitlines()
    assert len(lines) == 2 * len(report.failures)
    assert all(" PASSED " not in line for line in lines)


def test_show_passed_lists_passes(report: Report) -> None:
    text = render(shown(report, show_passed=True))
    passes = [r for r in report.results if r.passed and r.suppressed is None]
    assert text.count(" PASSED ") == len(passes)
    assert f"{FIXTURE_SET}/clean.yaml:13:5: PASSED hostNetworkSet Deployment prod/api" in text


def test_colour_only_when_asked(report: Report) -> None:
    assert not ANSI.search(render(report))
    coloured = render(shown(report, color=True))
    assert "\x1b[1;31m" in coloured and "\x1b[1;33m" in coloured
    assert ANSI.sub("", coloured) == render(report)


def test_chinese_report() -> None:
    text = render(build(lang="zh"))
    assert "扫描结果概览" in text and "健康度" in text and "危险 " in text
    assert re.search(r"^健康检查 +\d", text, re.M)
    assert "    修复: " in text
    assert "跳过 1 个非 Kubernetes 文档" in text


def test_chinese_table_is_aligned() -> None:
    lines = render(build(lang="zh")).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("类别"))
    table = lines[start : start + 6]

    def columns(line: str) -> int:  # terminal columns: CJK characters take two
        return sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in line)

    assert len({columns(line) for line in table}) == 1


def test_empty_run(tmp_path: Path) -> None:
    text = render(empty(tmp_path))
    assert "No Kubernetes resources found." in text
    assert "Category" not in text
    assert text.rstrip().endswith("0 resources, 0 checks: 0 passed, 0 warning, 0 danger; score 100")
