"""SARIF 2.1.0: valid against the official schema, and what GitHub code scanning consumes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kinspect.report.formats import get_reporter
from kinspect.report.model import Report
from tests.conftest import run_cli
from tests.support.gitrepo import git
from tests.support.report import (
    CORE_CHECKS,
    FIXTURE_SET,
    REPORT_FIXTURES,
    SARIF_SCHEMA,
    build,
    empty,
)

render = get_reporter("sarif")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    assert SARIF_SCHEMA.exists(), f"the official SARIF schema is expected at {SARIF_SCHEMA}"
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def report() -> Report:
    return build()


def sarif(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report))
    return data


def test_valid_for_the_fixture_set_in_both_languages(validator: jsonschema.Draft4Validator) -> None:
    for lang in ("en", "zh"):
        validator.validate(sarif(build(lang=lang)))


def test_empty_run_has_an_empty_results_array(
    validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    log = sarif(empty(tmp_path))
    validator.validate(log)
    (run,) = log["runs"]
    assert run["results"] == []
    assert "automationDetails" not in run


def test_results_are_the_unsuppressed_failures(report: Report) -> None:
    (run,) = sarif(report)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.failures)
    assert "hostPortSet" not in {r["ruleId"] for r in run["results"]}  # suppressed by comment
    for item, result in zip(run["results"], report.failures, strict=True):
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"] == result.check
        assert item["level"] == {"danger": "error", "warning": "warning"}[result.severity]
        assert "partialFingerprints" not in item
        (location,) = item["locations"]
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (result.line, result.column)


def test_message_starts_with_the_title(report: Report) -> None:
    (run,) = sarif(report)["runs"]
    item = next(i for i in run["results"] if i["ruleId"] == "hostNetworkSet")
    assert item["message"]["text"].startswith("Pod uses the host network. Deployment web sets")
    texts = [i["message"]["text"] for i in run["results"] if i["ruleId"] == "cpuLimitsMissing"]
    assert "CPU limit missing. Deployment shop/web: container app sets no CPU limit" in [
        text.split(" (")[0] for text in texts
    ]


def test_rule_descriptors(report: Report) -> None:
    (run,) = sarif(report)["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kinspect" and driver["version"]
    assert [r["id"] for r in driver["rules"]] == [rule.id for rule in report.rules]
    by_id = {r["id"]: r for r in driver["rules"]}
    network = by_id["hostNetworkSet"]
    assert network["shortDescription"]["text"] == "Pod uses the host network"
    assert "```yaml\nspec:" in network["help"]["markdown"]
    assert "Remove the hostNetwork field" in network["help"]["text"]
    assert network["helpUri"].startswith("https://kubernetes.io/")
    assert network["properties"]["security-severity"] == "8.0"
    assert {"Networking", "security"} <= set(network["properties"]["tags"])
    probe = by_id["livenessProbeMissing"]
    assert probe["properties"]["security-severity"] == "5.0"
    assert "security" not in probe["properties"]["tags"]
    for rule in driver["rules"]:
        float(rule["properties"]["security-severity"])  # a numeric string


def test_paths_are_relative_to_the_git_top_level(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "deploy" / "my app").mkdir(parents=True)
    git("init", "-q", ".", cwd=repo)
    target = repo / "deploy" / "my app" / "shop.yaml"
    target.write_text((REPORT_FIXTURES / "shop.yaml").read_text(encoding="utf-8"))
    proc = run_cli("lint", "-f", "sarif", "--checks", CORE_CHECKS, "my app", cwd=repo / "deploy")
    (run,) = json.loads(proc.stdout)["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"deploy/my%20app/shop.yaml"}


def test_sarif_root_and_category(tmp_path: Path) -> None:
    proc = run_cli(
        "lint",
        "-f",
        "sarif",
        "--checks",
        CORE_CHECKS,
        "--sarif-root",
        "tests/fixtures",
        "--sarif-category",
        "manifests",
        f"{FIXTURE_SET}/shop.yaml",
    )
    (run,) = json.loads(proc.stdout)["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"report/shop.yaml"}
    assert run["automationDetails"] == {"id": "manifests/"}


def test_input_errors_are_notifications(report: Report) -> None:
    (run,) = sarif(report)["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "invalid YAML" in note["message"]["text"]


def test_rendered_template_points_at_its_source(report: Report) -> None:
    moved = replace(
        report.failures[0], source_file="charts/shop/templates/deploy.yaml", source_line=12
    )
    (run,) = sarif(replace(report, results=[moved]))["runs"]
    (item,) = run["results"]
    location = item["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "charts/shop/templates/deploy.yaml"
    assert location["region"] == {"startLine": 12}
