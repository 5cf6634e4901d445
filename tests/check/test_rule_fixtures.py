"""Every rule against its fixtures: `# expect: <id>` marks each line a failure must point at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinspect.bundled import rules_dir
from kinspect.engine.run import Settings, finish, inspect_text
from kinspect.kube.pod_security import Policy, parse_policy
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES

RULES = {rule.id: rule for rule in load_rules()}
_EXPECT = re.compile(r"#\s*expect:\s*([A-Za-z0-9_, ]+)")
_POLICIES = re.compile(r"^#\s*pod-security:\s*(.+)$", re.MULTILINE)
CASES = sorted(FIXTURES.glob("*/pass-*.yaml")) + sorted(FIXTURES.glob("*/fail-*.yaml"))


def expected_lines(text: str, check: str) -> list[int]:
    """Lines whose trailing `# expect:` comment names `check`."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match and check in [c.strip() for c in match.group(1).split(",")]:
            lines.append(number)
    return lines


def test_every_rule_has_fixtures() -> None:
    for rule_id in RULES:
        directory = FIXTURES / rule_id
        assert len(list(directory.glob("pass-*.yaml"))) >= 2, f"{rule_id}: needs 2 pass fixtures"
        assert len(list(directory.glob("fail-*.yaml"))) >= 2, f"{rule_id}: needs 2 fail fixtures"


def test_every_rule_file_is_named_by_id() -> None:
    assert {p.stem for p in rules_dir().glob("*.yaml")} == set(RULES)


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(fixture: Path) -> None:
    check = fixture.parent.name
    if check not in RULES:
        pytest.skip(f"fixture directory {check} is not a rule id")
    rule = RULES[check]
    text = fixture.read_text(encoding="utf-8")
    # A versioned (Pod Security) rule is judged at each policy the fixture names, or at the
    # labels of the Namespaces it holds.
    named = [p for found in _POLICIES.findall(text) for p in found.split()]
    for policy in named or [None]:
        _check_fixture(fixture, rule, text, None if policy is None else parse_policy(policy))


def _check_fixture(fixture: Path, rule: Rule, text: str, policy: Policy | None) -> None:
    check = rule.id
    settings = Settings((rule,), pod_security=policy)
    # finish(): the run-level phase that resolves cross-resource rules.
    outcome = finish(inspect_text(fixture.name, text, settings), settings)
    assert not outcome.problems, [p.render() for p in outcome.problems]
    results = [r for r in outcome.results if r.check == check]
    at = f" at {policy.text}" if policy else ""
    assert results, f"{check} was not evaluated on {fixture.name}{at}"
    failed_lines = sorted(r.line for r in results if not r.passed)
    if fixture.name.startswith("pass-"):
        assert failed_lines == [], ([r.message for r in results if not r.passed], at)
    else:
        expected = expected_lines(text, check)
        assert expected, f"{fixture.name} marks no `# expect: {check}` line"
        assert failed_lines == expected, at
