"""Polaris mode over the whole catalog: each rule as its file's `polaris` block rebuilds it.

Rules without a block answer as in kinspect's own mode on every fixture; rules with one have
Polaris fixtures (tests/fixtures/polaris/<id>/) pinning where Polaris decides differently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kinspect.bundled import rules_dir
from kinspect.config.polaris_mode import polaris_variant
from kinspect.engine.run import Settings, finish, inspect_text
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules
from tests.check.test_rule_fixtures import expected_lines
from tests.conftest import FIXTURES, lint_json, run_cli

RULES = {rule.id: rule for rule in load_rules()}
POLARIS = {rule_id: polaris_variant(rule) for rule_id, rule in RULES.items()}
POLARIS_FIXTURES = FIXTURES / "polaris"
DIFFERENT = sorted(i for i, rule in RULES.items() if "polaris" in (rule.source or {}))
CASES = sorted(POLARIS_FIXTURES.glob("*/pass-*.yaml")) + sorted(
    POLARIS_FIXTURES.glob("*/fail-*.yaml")
)


def verdicts(rule: Rule, fixture: Path) -> list[tuple[int, bool]]:
    """(line, passed) of every result of `rule` on the fixture, the run-level phase included."""
    settings = Settings((rule,))
    text = fixture.read_text(encoding="utf-8")
    outcome = finish(inspect_text(fixture.name, text, settings), settings)
    assert not outcome.problems, [p.render() for p in outcome.problems]
    return sorted((r.line, r.passed) for r in outcome.results if r.check == rule.id)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_answers_in_polaris_mode(rule_id: str) -> None:
    """Same verdicts on the rule's own fixtures unless its file says Polaris differs."""
    fixtures = sorted((FIXTURES / rule_id).glob("*.yaml"))
    assert fixtures, rule_id
    if rule_id in DIFFERENT:
        directory = POLARIS_FIXTURES / rule_id
        assert list(directory.glob("pass-*.yaml")) and list(directory.glob("fail-*.yaml"))
        return
    assert POLARIS[rule_id] is RULES[rule_id]
    for fixture in fixtures:
        assert verdicts(POLARIS[rule_id], fixture) == verdicts(RULES[rule_id], fixture)


def test_polaris_fixtures_name_rules_that_differ() -> None:
    assert sorted(p.name for p in POLARIS_FIXTURES.iterdir()) == DIFFERENT


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_polaris_fixture(fixture: Path) -> None:
    rule_id = fixture.parent.name
    failed = [line for line, passed in verdicts(POLARIS[rule_id], fixture) if not passed]
    if fixture.name.startswith("pass-"):
        assert failed == []
    else:
        assert failed == expected_lines(fixture.read_text(encoding="utf-8"), rule_id)


@pytest.mark.parametrize("rule_id", DIFFERENT)
def test_each_polaris_block_changes_a_verdict(rule_id: str) -> None:
    """A block that changes nothing would be a difference documented but not made."""
    fixtures = sorted((POLARIS_FIXTURES / rule_id).glob("*.yaml"))
    assert any(verdicts(POLARIS[rule_id], f) != verdicts(RULES[rule_id], f) for f in fixtures)


def test_a_polaris_config_gets_polaris_verdicts_under_current_ids(tmp_path: Path) -> None:
    config = tmp_path / "polaris.yaml"
    config.write_text(
        "checks:\n"
        "  pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas: danger\n"
        "  pullPolicyNotAlways: warning\n"
    )
    unset = POLARIS_FIXTURES / "pullPolicyNotAlways" / "fail-unset.yaml"
    hpa = (
        POLARIS_FIXTURES / "pdbMinAvailableGreaterThanHPAMinReplicas" / "fail-set-min-replicas.yaml"
    )
    checks = "pullPolicyNotAlways,pdbMinAvailableGreaterThanHPAMinReplicas"

    def failures(*args: str) -> set[tuple[str, str, str]]:
        report = lint_json("--checks", checks, str(unset), str(hpa), *args)
        return {
            (r["check"], r["severity"], r["resource"]["name"])
            for r in report["results"]
            if not r["passed"]
        }

    tagged = ("pullPolicyNotAlways", "warning", "web")  # registry.example.com/web:1.0.0
    # kinspect's own mode: tagless and latest images default to Always.
    assert failures() == {("pdbMinAvailableGreaterThanHPAMinReplicas", "warning", "web"), tagged}
    assert failures("--polaris-config", str(config)) == {
        ("pdbMinAvailableGreaterThanHPAMinReplicas", "danger", "web"),
        tagged,
        ("pullPolicyNotAlways", "warning", "tools"),
        ("pullPolicyNotAlways", "warning", "latest"),
    }
    proc = run_cli("lint", "--polaris-config", str(config), "--checks", checks, str(unset))
    assert "not applied" not in proc.stderr


def test_a_custom_rule_may_say_how_polaris_decides(tmp_path: Path) -> None:
    from kinspect.errors import KinspectError
    from kinspect.ruleset.rules import load_rule

    source = (rules_dir() / "hostNetworkSet.yaml").read_text()
    block = (
        "polaris:\n  note: {en: Polaris skips kube-system, zh: Polaris 跳过 kube-system}\n"
        "  exempt: {properties: {metadata: {properties: {namespace: {const: kube-system}}}}}\n"
    )
    rule_file = tmp_path / "hostNetworkSet.yaml"
    rule_file.write_text(source.replace("\ntexts:\n", f"\n{block}texts:\n", 1))
    assert polaris_variant(load_rule(rule_file)).schema != RULES["hostNetworkSet"].schema
    # A block that makes an invalid rule is an error at load, naming the block.
    rule_file.write_text(source.replace("\ntexts:\n", "\npolaris:\n  note: {en: x, zh: x}\n"
                                        "  schema: {type: 7}\ntexts:\n", 1))  # fmt: skip
    with pytest.raises(KinspectError, match=r"^polaris: "):
        load_rule(rule_file)
