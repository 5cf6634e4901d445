"""kinspect fix on golden files: tests/fixtures/fix/<check>/fail-*.{yaml,json} → fixed-*.

Each case is fixed with its check alone (`core/` with the 16 core checks together) and must
equal its golden file byte for byte; a second fix changes nothing; linting the fixed text
leaves exactly the findings marked `# left: <check>` (those without a safe fix).
Set KINSPECT_UPDATE_GOLDEN=1 to rewrite the golden files (then review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kinspect.engine.run import Settings, inspect_text
from kinspect.fix import texts as fixtexts
from kinspect.fix.fixer import fix_text
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES
from tests.support.report import CORE_CHECKS

GOLDEN = FIXTURES / "fix"
RULES = {rule.id: rule for rule in load_rules()}
CORE = CORE_CHECKS.split(",")
CASES = sorted(GOLDEN.glob("*/fail-*"))
_LEFT = re.compile(r"#\s*left:\s*([A-Za-z0-9, ]+)")


def rules_of(case: Path) -> tuple[Rule, ...]:
    if case.parent.name == "core":
        return tuple(RULES[check] for check in CORE)
    return (RULES[case.parent.name],)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # keeps CRLF


def marked_left(text: str) -> list[tuple[int, str]]:
    """(line, check) of every `# left:` marker."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LEFT.search(line)
        if match:
            found += [(number, check.strip()) for check in match.group(1).split(",")]
    return sorted(found)


def test_every_core_check_has_golden_cases() -> None:
    for check in CORE:
        assert list((GOLDEN / check).glob("fail-*")), f"{check}: no golden case"
    assert all(RULES[check].fix for check in CORE if check != "tagNotSpecified")
    assert not RULES["tagNotSpecified"].fix


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(case: Path) -> None:
    text = read(case)
    settings = Settings(rules_of(case))
    json = case.suffix == ".json"
    fixed = fix_text(case.name, text, settings, json=json)
    assert not fixed.problems, [p.render() for p in fixed.problems]
    golden = case.with_name(case.name.replace("fail-", "fixed-", 1))
    if os.environ.get("KINSPECT_UPDATE_GOLDEN"):
        golden.write_bytes(fixed.text.encode("utf-8"))
    assert fixed.text == read(golden)

    again = fix_text(case.name, fixed.text, settings, json=json)
    assert again.text == fixed.text, "a second fix changed the text"
    assert not again.fixed

    after = inspect_text(case.name, fixed.text, settings)
    failing = sorted((r.line, r.check) for r in after.results if not r.passed)
    assert failing == marked_left(fixed.text)
    assert sorted((left.result.line, left.result.check) for left in fixed.left) == failing
    assert fixtexts.text("en", "stillFails") not in [left.reason for left in fixed.left]
    before = inspect_text(case.name, text, settings)
    assert fixed.fixed.total() == sum(not r.passed for r in before.results) - len(failing)
    assert fixed.fixed.total() > 0 or case.parent.name in ("tagNotSpecified",) or json


def test_crlf_and_missing_final_newline_are_kept() -> None:
    text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n"
    text += "    - name: a\r\n      image: busybox:1.36"
    fixed = fix_text("p.yaml", text, Settings((RULES["privilegeEscalationAllowed"],)))
    assert fixed.text == text + (
        "\r\n      securityContext:\r\n        allowPrivilegeEscalation: false"
    )


def test_suppressed_findings_are_not_fixed() -> None:
    text = (GOLDEN / "hostNetworkSet" / "fail-block-comments.yaml").read_text(encoding="utf-8")
    ignored = text.replace("# see ticket OPS-1234", "# kinspect: ignore[hostNetworkSet]")
    fixed = fix_text("a.yaml", ignored, Settings((RULES["hostNetworkSet"],)))
    assert fixed.text == ignored
    assert not fixed.fixed and not fixed.left


def test_a_pod_field_shared_with_a_suppressed_container_is_left() -> None:
    from kinspect.suppress.suppressor import Exemption, Suppressor

    text = (GOLDEN / "runAsRootAllowed" / "fail-pod-level.yaml").read_text(encoding="utf-8")
    exempt = Exemption(frozenset({"runAsRootAllowed"}), "accepted", containers=("one",))
    settings = Settings((RULES["runAsRootAllowed"],), suppressor=Suppressor((exempt,)))
    fixed = fix_text("pod.yaml", text, settings)
    assert fixed.text == text  # `two` inherits the pod's field, which `one` keeps
    assert [left.result.container for left in fixed.left] == ["two"]
    assert "suppressed" in fixed.left[0].reason


def test_aliases_and_anchors_are_not_edited() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: anchors
spec:
  containers:
    - name: a
      image: busybox:1.36
      securityContext: &shared
        runAsUser: 1000
    - name: b
      image: busybox:1.36
      securityContext: *shared
"""
    fixed = fix_text("a.yaml", text, Settings((RULES["privilegeEscalationAllowed"],)))
    assert fixed.text == text
    reasons = {left.result.container: left.reason for left in fixed.left}
    assert "anchor (&name)" in reasons["a"]
    assert "alias (*name)" in reasons["b"]


def test_merge_keys_are_not_edited() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: merged
spec:
  containers:
    - &base
      name: a
      image: busybox:1.36
    - <<: *base
      name: b
"""
    fixed = fix_text("m.yaml", text, Settings((RULES["privilegeEscalationAllowed"],)))
    assert not fixed.problems
    assert "merge key" in " ".join(left.reason for left in fixed.left)
    assert inspect_text("m.yaml", fixed.text, Settings(()))  # still YAML


def test_chinese_todo_comments_and_reasons() -> None:
    text = (GOLDEN / "cpuRequestsMissing" / "fail-shapes.yaml").read_text(encoding="utf-8")
    fixed = fix_text("c.yaml", text, Settings((RULES["cpuRequestsMissing"],), lang="zh"))
    assert "# TODO(kinspect): 请核对此 CPU 请求" in fixed.text
    probe = (GOLDEN / "livenessProbeMissing" / "fail-ports.yaml").read_text(encoding="utf-8")
    left = fix_text("p.yaml", probe, Settings((RULES["livenessProbeMissing"],), lang="zh")).left
    assert left[0].reason == "修复需要 ports.0.containerPort 的值，但它未设置"


def test_json_gets_no_placeholders_it_cannot_mark() -> None:
    text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers":'
    text += ' [{"name": "a", "image": "busybox:1.36", "resources": {"limits": {"cpu": "1"}}}]}}\n'
    fixed = fix_text("p.json", text, Settings((RULES["cpuRequestsMissing"],)), json=True)
    assert fixed.text == text
    assert [left.reason for left in fixed.left] == [
        "a JSON file cannot hold the TODO comment that marks the placeholder"
    ]


RULE_FIXTURES = sorted(
    case for rule in RULES.values() if rule.fix for case in (FIXTURES / rule.id).glob("fail-*.yaml")
)


@pytest.mark.parametrize("case", RULE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixtures_fix_cleanly(case: Path) -> None:
    """Every failing fixture of a rule with a fix: fixed exactly, once, or left with a reason."""
    settings = Settings((RULES[case.parent.name],))
    text = read(case)
    fixed = fix_text(case.name, text, settings)
    assert not fixed.problems, [p.render() for p in fixed.problems]
    still = fixtexts.text("en", "stillFails")
    assert not [left for left in fixed.left if left.reason == still], "a fix that does not fix"
    assert fix_text(case.name, fixed.text, settings).text == fixed.text
    after = inspect_text(case.name, fixed.text, settings)
    assert sum(not r.passed for r in after.results) == len(fixed.left)
