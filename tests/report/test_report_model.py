"""The report model: overview counts and percentages, categories, resources, suppressed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinspect.model import CATEGORIES
from kinspect.report.model import Counts, Report
from tests.support.report import FIXTURE_SET, HOSTILE_NAME, build, empty


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def test_overview_counts_match_the_results(report: Report) -> None:
    counted = [r for r in report.results if r.suppressed is None]
    counts = report.counts
    assert counts.passed == sum(r.passed for r in counted)
    assert counts.warning == sum(not r.passed and r.severity == "warning" for r in counted)
    assert counts.danger == sum(not r.passed and r.severity == "danger" for r in counted)
    assert counts.suppressed == len(report.results) - len(counted) >= 1
    assert counts.total == counts.passed + counts.warning + counts.danger
    assert 0 < counts.score < 100


def test_percentages_have_one_decimal_and_add_up(report: Report) -> None:
    counts = report.counts
    parts = [counts.percent(n) for n in (counts.passed, counts.warning, counts.danger)]
    assert all(round(p, 1) == p for p in parts)
    assert sum(parts) == pytest.approx(100, abs=0.2)
    assert counts.percent(counts.passed) == round(100 * counts.passed / counts.total, 1)


def test_inputs_skipped_and_in_error_are_counted(report: Report) -> None:
    assert report.files == 4
    assert report.skipped_documents == 1  # the settings document in clean.yaml
    assert [p.file for p in report.problems] == [f"{FIXTURE_SET}/broken.yaml"]
    assert report.resources == {"CronJob": 1, "Deployment": 2, "Pod": 1, "Service": 1}


def test_categories_partition_the_results(report: Report) -> None:
    assert [c.name for c in report.categories][:5] == list(CATEGORIES)
    for stats in report.categories:
        mine = [r for r in report.results if r.category == stats.name]
        assert stats.counts == Counts.of(mine)
        assert stats.rules == sum(rule.category == stats.name for rule in report.rules)
    assert sum(c.counts.total for c in report.categories) == report.counts.total
    assert sum(c.counts.suppressed for c in report.categories) == report.counts.suppressed


def test_category_score_uses_the_overall_formula() -> None:
    counts = Counts(passed=3, warning=3, danger=0)
    assert counts.score == (200 * 3) // (2 * 3 + 3)
    assert Counts().score == 100 and Counts().percent(0) == 0.0


def test_resource_rows_start_at_the_resource(report: Report) -> None:
    rows = {(row.kind, row.name): row for row in report.resource_rows}
    assert set(rows) == {
        ("Deployment", "web"),
        ("CronJob", "backup"),
        ("Deployment", "api"),
        ("Pod", HOSTILE_NAME),
    }  # the Service has no check: it is counted by kind, not listed
    web = rows[("Deployment", "web")]
    assert (web.file, web.line, web.namespace) == (f"{FIXTURE_SET}/shop.yaml", 2, "shop")
    assert rows[("CronJob", "backup")].line == 35
    assert rows[("Pod", HOSTILE_NAME)].line == 2


def test_resource_row_counts_checks_failures_and_worst(report: Report) -> None:
    for row in report.resource_rows:
        assert row.counts == Counts.of(list(row.results))
        assert all((r.kind, r.name, r.file) == (row.kind, row.name, row.file) for r in row.results)
    rows = {row.name: row for row in report.resource_rows}
    assert rows["api"].counts.failed == 0 and rows["api"].counts.worst is None
    assert rows["web"].counts.worst == "danger"
    assert rows["web"].counts.suppressed == 1  # hostPortSet, ignored by a comment
    assert sum(len(row.results) for row in report.resource_rows) == len(report.results)


def test_rows_are_in_file_and_line_order(report: Report) -> None:
    keys = [(row.file, row.line) for row in report.resource_rows]
    assert keys == sorted(keys)


def test_empty_run(tmp_path: Path) -> None:
    report = empty(tmp_path)
    assert (report.files, report.resource_count, report.counts.total) == (0, 0, 0)
    assert report.counts.score == 100
    assert report.resource_rows == []
    assert all(c.counts.total == 0 for c in report.categories)
