"""The JSON report: valid against schemas/report.schema.json, consistent with the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.model import Report
from tests.conftest import run_cli
from tests.support.report import CORE_CHECKS, FIXTURE_SET, REPORT_SCHEMA, build, empty

render = get_reporter("json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def parsed(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report))
    return data


def test_cli_output_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    proc = run_cli("lint", "--checks", CORE_CHECKS, "-f", "json", FIXTURE_SET)
    assert proc.returncode == 2  # broken.yaml
    validator.validate(json.loads(proc.stdout))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_report_is_valid(validator: jsonschema.Draft202012Validator, lang: str) -> None:
    data = parsed(build(lang=lang))
    validator.validate(data)
    assert data["schema_version"] == "1" and data["lang"] == lang


def test_empty_run_is_valid(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    data = parsed(empty(tmp_path))
    validator.validate(data)
    assert data["results"] == [] and data["resources"] == []
    assert data["summary"]["score"] == 100 and data["summary"]["percent"]["passed"] == 0


def test_schema_rejects_what_it_should(
    validator: jsonschema.Draft202012Validator, report: Report
) -> None:
    data = parsed(report)
    data["summary"]["surprise"] = 1
    assert not validator.is_valid(data)
    data = parsed(report)
    data["results"][0]["severity"] = "fatal"
    assert not validator.is_valid(data)


def test_summary_categories_and_resources_match_the_model(report: Report) -> None:
    data = parsed(report)
    summary = data["summary"]
    counts = report.counts
    assert (summary["passed"], summary["warning"], summary["danger"]) == (
        counts.passed,
        counts.warning,
        counts.danger,
    )
    assert summary["suppressed"] == counts.suppressed == 1
    assert summary["errors"] == 1 and data["errors"][0]["file"].endswith("broken.yaml")
    assert summary["resources_by_kind"]["Service"] == 1
    assert summary["percent"]["danger"] == counts.percent(counts.danger)
    by_name = {c["name"]: c for c in data["categories"]}
    for stats in report.categories:
        assert by_name[stats.name]["results"] == stats.counts.total
        assert by_name[stats.name]["percent_passed"] == stats.counts.percent(stats.counts.passed)
    web = next(r for r in data["resources"] if r["name"] == "web")
    assert (web["line"], web["worst_severity"], web["suppressed"]) == (2, "danger", 1)
    assert web["failed"] == web["warning"] + web["danger"]


def test_results_carry_titles_and_suppression(report: Report) -> None:
    data = parsed(report)
    assert len(data["results"]) == len(report.results)
    suppressed = [r for r in data["results"] if r["suppressed"]]
    assert [r["check"] for r in suppressed] == ["hostPortSet"]
    assert isinstance(suppressed[0]["suppressed"], str) and suppressed[0]["suppressed"]
    network = next(r for r in data["results"] if r["check"] == "hostNetworkSet")
    assert network["title"] == "Pod uses the host network"


def test_fast_list_encoding_gives_the_standard_encoders_text(report: Report) -> None:
    from kinspect.report.formats.json_format import _dumps, _dumps_list, _resource, _result

    results = [_result(r, r.check) for r in report.results]
    rows = [_resource(row) for row in report.resource_rows]
    assert results and rows
    for items in (results, rows):
        assert _dumps_list(items) == _dumps(items)
    odd = [{"message": "lone \ud800 surrogate, 中文, \x00\x1f\x7f \u2028", "line": 2**70}]
    assert _dumps_list(odd) == _dumps(odd)  # what orjson refuses, the json module writes
    assert _dumps_list([{"m": '中文 \x00\x1f\x7f \u2028 "q" \\'}]) == _dumps(
        [{"m": '中文 \x00\x1f\x7f \u2028 "q" \\'}]
    )
