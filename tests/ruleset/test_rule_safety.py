"""Custom rules are data, never code: no remote `$ref`, no backtracking regex, no objects."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kinspect.bundled import rules_dir
from kinspect.engine.run import Settings, inspect_text
from kinspect.errors import UsageError
from kinspect.ruleset.rules import load_rules
from kinspect.ruleset.safety import unsafe_parts

RULE = """id: customCheck
category: Security
severity: warning
target:
  scope: container
schema:
{schema}
texts:
  en: {{title: t, message: m, risk: r, fix: f}}
  zh: {{title: 标题, message: 消息, risk: 风险, fix: 修复}}
fixExample: "x: 1"
references: ["https://example.com"]
"""
POD = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: "%s"
"""


def write_rule(directory: Path, schema: str) -> Path:
    path = directory / "customCheck.yaml"
    indented = "\n".join("  " + line for line in schema.strip().splitlines())
    path.write_text(RULE.format(schema=indented), encoding="utf-8")
    return path


def load_error(directory: Path) -> str:
    with pytest.raises(UsageError) as info:
        load_rules([directory])
    return str(info.value)


@pytest.mark.parametrize(
    ("schema", "line", "words"),
    [
        ("$ref: https://example.com/schema.json", 7, "only references inside the same schema"),
        ("$ref: file:///etc/passwd", 7, "rules never read URLs or other files"),
        ("properties:\n  image: {$ref: ../other.yaml}", 8, "`$ref: ../other.yaml` leaves"),
        ("$dynamicRef: http://x/y", 7, "`$dynamicRef: http://x/y` leaves the rule"),
        ("$schema: http://evil.example/meta", 7, "is not a bundled draft"),
        ("properties:\n  image: {pattern: '^(a+)+\\1$'}", 8, "is not supported"),
        ("properties:\n  image: {pattern: '(?<=x)y'}", 8, "without backreferences or lookaround"),
        ("patternProperties:\n  '(?!x)': true", 8, "is not supported"),
    ],
)
def test_unsafe_custom_rules_are_refused_with_their_line(
    tmp_path: Path, schema: str, line: int, words: str
) -> None:
    write_rule(tmp_path, schema)
    message = load_error(tmp_path)
    assert f"customCheck.yaml:{line}:" in message
    assert words in message


def test_local_references_and_linear_patterns_are_fine(tmp_path: Path) -> None:
    schema = """
$defs:
  tagged: {pattern: "^[a-z0-9.-]+(:[A-Za-z0-9._-]+)?$"}
properties:
  image: {$ref: "#/$defs/tagged"}
"""
    write_rule(tmp_path, schema)
    rule = next(r for r in load_rules([tmp_path]) if r.id == "customCheck")
    outcome = inspect_text("p.yaml", POD % "Bad Image!", Settings((rule,)))
    assert [r.passed for r in outcome.results] == [False]


def test_a_pathological_pattern_cannot_hang_the_run(tmp_path: Path) -> None:
    """`(a+)+$` backtracks exponentially in Python's `re`; rules run on a linear engine."""
    write_rule(tmp_path, "properties:\n  image: {pattern: '^(a+)+$'}")
    rule = next(r for r in load_rules([tmp_path]) if r.id == "customCheck")
    started = time.perf_counter()
    outcome = inspect_text("p.yaml", POD % ("a" * 5000 + "!"), Settings((rule,)))
    assert time.perf_counter() - started < 5
    assert [r.passed for r in outcome.results] == [False]


def test_python_tags_in_a_rule_build_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write_rule(
        tmp_path, f'properties:\n  image: !!python/object/apply:os.system ["touch {marker}"]'
    )
    load_error(tmp_path)  # the tag's value is a plain list: not a schema
    assert not marker.exists()


def test_property_names_are_not_keywords() -> None:
    schema = {"properties": {"$ref": {"type": "string"}, "pattern": {"const": "(?=x)"}}}
    assert list(unsafe_parts(schema)) == []
    assert list(unsafe_parts({"enum": [{"$ref": "http://x"}]})) == []


def test_every_built_in_rule_is_data() -> None:
    """Built-in rules may use lookaround (reviewed, and capped by the engine's backtracking
    limit), but never reach outside themselves."""
    for rule in load_rules():
        reasons = [r for _, r in unsafe_parts(rule.schema) if "leaves" in r or "draft" in r]
        assert reasons == [], rule.id
    assert rules_dir().is_dir()
