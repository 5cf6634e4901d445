"""Lint the linter: every rule file is valid, complete in both languages, and consistent."""

from __future__ import annotations

import json
import string
from pathlib import Path

import jsonschema
import pytest

from kinspect.bundled import rules_dir, schema_path
from kinspect.engine.run import Settings, finish, inspect_text
from kinspect.errors import UsageError
from kinspect.parse.loader import load_documents
from kinspect.ruleset.rules import load_rule, load_rules
from kinspect.structure.validate import FACTS as STRUCTURE_FACTS

RULE_FILES = sorted(rules_dir().glob("*.yaml"))
PLACEHOLDERS = {"kind", "namespace", "name", "container", "value", "path", "subjects"}
# Placeholders a built-in analysis fills in besides those (documented in its rule file).
ANALYSIS_PLACEHOLDERS = {"duplicateKeys": {"key", "first_line", "line"}, **STRUCTURE_FACTS}


@pytest.fixture(scope="module")
def meta() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path("rule.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_validates_against_rule_schema(
    path: Path, meta: jsonschema.Draft202012Validator
) -> None:
    (document,) = load_documents(path.read_text(encoding="utf-8"))
    errors = [e.message for e in meta.iter_errors(document.data)]
    assert errors == []
    assert document.data["id"] == path.stem


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_texts_are_complete_and_placeholders_known(path: Path) -> None:
    rule = load_rule(path)
    assert set(rule.texts) == {"en", "zh"}
    known = PLACEHOLDERS | ANALYSIS_PLACEHOLDERS.get(rule.analysis or "", set())
    for lang, texts in rule.texts.items():
        for field in ("title", "message", "risk", "fix"):
            assert getattr(texts, field).strip(), f"{lang}.{field} is empty"
        used = {name for _, name, _, _ in string.Formatter().parse(texts.message) if name}
        assert used <= known, f"{lang}.message uses unknown placeholders {used - known}"
    for case in rule.messages:
        for text in case.texts.values():
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert used <= known
    # Chinese texts must actually be Chinese.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.texts["zh"].risk)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_fix_example_is_valid_yaml_and_passes_when_complete(path: Path) -> None:
    rule = load_rule(path)
    documents = list(load_documents(rule.fix_example))
    assert documents, "fixExample is empty"
    data = documents[0].data
    if isinstance(data, dict) and "apiVersion" in data and "kind" in data:
        settings = Settings((rule,))
        outcome = finish(inspect_text("example", rule.fix_example, settings), settings)
        assert [r for r in outcome.results if not r.passed] == []


def test_invalid_rule_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "brokenRule.yaml").write_text("id: brokenRule\ncategory: Nonsense\n")
    with pytest.raises(UsageError) as info:
        load_rules([tmp_path])
    message = str(info.value)
    assert "brokenRule.yaml" in message
    assert "Nonsense" in message or "category" in message


def test_rule_id_must_match_file_name(tmp_path: Path) -> None:
    source = (rules_dir() / "hostPIDSet.yaml").read_text()
    (tmp_path / "otherName.yaml").write_text(source.replace("id: hostPIDSet", "id: otherName", 1))
    (tmp_path / "mismatch.yaml").write_text(
        source.replace("id: hostPIDSet", "id: somethingElse", 1)
    )
    with pytest.raises(UsageError) as info:
        load_rules([tmp_path])
    assert "mismatch.yaml" in str(info.value)
    assert "otherName" not in str(info.value)


def test_duplicate_id_needs_overrides(tmp_path: Path) -> None:
    source = (rules_dir() / "hostPIDSet.yaml").read_text()
    (tmp_path / "hostPIDSet.yaml").write_text(source)
    with pytest.raises(UsageError, match="overrides"):
        load_rules([tmp_path])
    (tmp_path / "hostPIDSet.yaml").write_text(
        "overrides: true\n" + source.replace("danger", "warning", 1)
    )
    rules = {rule.id: rule for rule in load_rules([tmp_path])}
    assert rules["hostPIDSet"].severity == "warning"


def _api_versions_in(schema: object) -> set[str]:
    """Every apiVersion value a schema names (in `const` or `enum` under an apiVersion key)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "apiVersion" and isinstance(value, dict):
                found.update(str(v) for v in value.get("enum", []))
                if "const" in value:
                    found.add(str(value["const"]))
            else:
                found |= _api_versions_in(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _api_versions_in(item)
    return found


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_api_version_filter_covers_the_schema(path: Path) -> None:
    """A `target.apiVersions` filter must not hide a version the schema looks for."""
    rule = load_rule(path)
    if rule.api_versions is not None:
        assert _api_versions_in(rule.schema) <= rule.api_versions
