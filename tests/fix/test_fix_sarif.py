"""SARIF `fixes`: valid against the official schema, and each one fixes its finding alone."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from kinspect.engine.run import Settings, inspect_text
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, ROOT, run_cli
from tests.support.report import CORE_CHECKS, SARIF_SCHEMA

CASES = sorted((FIXTURES / "fix").glob("*/fail-*.yaml"))
RULES = {rule.id: rule for rule in load_rules()}


@pytest.fixture(scope="module")
def sarif() -> dict[str, Any]:
    names = [str(case.relative_to(ROOT)) for case in CASES]
    proc = run_cli(
        "lint", "--format", "sarif", "--fail-on", "never", "--checks", CORE_CHECKS, *names
    )
    assert proc.returncode == 0, proc.stderr
    log: dict[str, Any] = json.loads(proc.stdout)
    return log


def apply(text: str, replacements: list[dict[str, Any]]) -> str:
    """The text with SARIF replacements (line/column regions, 1-based) applied."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1 if line <= len(starts) else len(text)

    for item in sorted(replacements, key=lambda r: -offset(r["deletedRegion"]["startLine"], 1)):
        region = item["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        text = text[:start] + item["insertedContent"]["text"] + text[end:]
    return text


def test_sarif_with_fixes_is_valid(sarif: dict[str, Any]) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(sarif)
    assert sum("fixes" in r for r in sarif["runs"][0]["results"]) > 40


def test_each_fix_fixes_its_finding(sarif: dict[str, Any]) -> None:
    for result in sarif["runs"][0]["results"]:
        rule = RULES[result["ruleId"]]
        if "fixes" not in result:
            continue
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        path = ROOT / change["artifactLocation"]["uri"]
        text = path.read_bytes().decode("utf-8")
        fixed = apply(text, change["replacements"])
        assert fixed != text
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        where = (line, result["properties"].get("container"), result["properties"]["resource"])
        before = _failing(path.name, text, rule.id)
        after = _failing(path.name, fixed, rule.id)
        assert where[1:] in before, where
        assert where[1:] not in after, f"{path.name}:{line}: {rule.id} still fails"
        # A pod-level field fixes every container inheriting it; nothing new may fail.
        assert set(after) < set(before), f"{path.name}: the fix made another finding fail"


def test_findings_without_a_safe_fix_get_none(sarif: dict[str, Any]) -> None:
    results = sarif["runs"][0]["results"]
    tags = [r for r in results if r["ruleId"] == "tagNotSpecified"]
    assert tags and not any("fixes" in r for r in tags)
    probes = [
        r
        for r in results
        if r["ruleId"] == "livenessProbeMissing" and r["properties"].get("container") == "no-ports"
    ]
    assert probes and not any("fixes" in r for r in probes)


def _failing(name: str, text: str, check: str) -> list[tuple[str | None, str]]:
    outcome = inspect_text(name, text, Settings((RULES[check],)))
    return [(r.container, r.resource) for r in outcome.results if not r.passed]
