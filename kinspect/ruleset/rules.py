"""Rule files: discover them by globbing, validate them, compile their schemas."""

from __future__ import annotations

import difflib
import itertools
import json
import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kinspect.bundled import rules_dir, schema_path
from kinspect.errors import KinspectError, UsageError
from kinspect.kube.paths import split_dotted
from kinspect.kube.subjects import SUBJECTS
from kinspect.ruleset.cache import RuleCache
from kinspect.ruleset.fixspec import build_fix
from kinspect.ruleset.model import Definition, LocateHint, MessageCase, Rule, Texts
from kinspect.ruleset.relation_spec import build_steps
from kinspect.ruleset.safety import check_rule
from kinspect.ruleset.template import FIELD, SUBJECT, with_defaults

_PARAM_IN_STRING = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def discover(directory: Path) -> list[Path]:
    """Rule files of a directory, sorted by name."""
    return sorted(directory.glob("*.yaml"))


def load_rules(extra_dirs: Iterable[Path] = ()) -> list[Rule]:
    """Built-in rules plus those of `extra_dirs`; every problem of every file at once."""
    rules: dict[str, Rule] = {}
    errors: list[str] = []
    cache = RuleCache()
    for directory, builtin in [(rules_dir(), True), *((Path(d), False) for d in extra_dirs)]:
        if not directory.is_dir():
            errors.append(f"{directory}: rule directory not found")
            continue
        for path in discover(directory):
            try:
                rule = load_rule(path, cache)
            except KinspectError as exc:
                errors.append(exc.at(str(path)).render())
                continue
            if rule.id in rules and not (rule.overrides and not builtin):
                errors.append(
                    f"{path}: rule id {rule.id!r} already defined by {rules[rule.id].file}"
                    " (hint: set `overrides: true` to replace a built-in rule)"
                )
                continue
            rules[rule.id] = rule
    cache.save()
    if errors:
        raise UsageError("invalid rule files:\n  " + "\n  ".join(errors))
    return sorted(rules.values(), key=lambda rule: rule.id)


def load_rule(path: Path, cache: RuleCache | None = None) -> Rule:
    """Read, validate and build one rule file (validated data may come from `cache`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KinspectError(f"cannot read rule file: {exc}") from None
    key = (str(path), text)
    rule = _BUILT.get(key)
    if rule is None:
        if cache is None:
            data = _validated_data(path, text)
        else:
            data = cache.data(path, text, lambda: _validated_data(path, text))
        rule = _BUILT[key] = _build(data, str(path))
    elif cache is not None:
        cache.keep(path, text)
    return rule


_BUILT: dict[tuple[str, str], Rule] = {}
"""The rules built in this process by file name and text: a server's forks (kinspect.server.daemon)
and repeated API calls find them built, their schemas compiled."""


def _validated_data(path: Path, text: str) -> dict[str, Any]:
    """The data of a rule file once every check of the format has passed."""
    from kinspect.parse.loader import load_documents

    documents = list(load_documents(text))
    if len(documents) != 1:
        raise KinspectError("a rule file holds exactly one YAML document")
    data: dict[str, Any] = documents[0].data
    _validate(data, documents[0])
    if data["id"] != path.stem:
        raise KinspectError(f"rule id {data['id']!r} does not match the file name {path.name!r}")
    rule = _build(data, str(path))
    if rule.analysis is None:  # analyses document placeholders of their own
        _check_placeholders(rule)
    minors = [entry.minor for entry in rule.versions]
    if any(later <= earlier for earlier, later in itertools.pairwise(minors)):
        raise KinspectError("versions: `from` must increase strictly from entry to entry")
    variant = _polaris_variant(data, documents[0], str(path)) if "polaris" in data else None
    if path.resolve().parent != rules_dir().resolve():  # custom rules are data from anyone
        check_rule(rule, documents[0].root)
        if variant is not None:
            check_rule(variant, documents[0].root)
    return data


def _polaris_variant(data: dict[str, Any], document: Any, file: str) -> Rule:
    """The rule as Polaris mode rebuilds it, which must be a valid rule too."""
    from kinspect.ruleset.polaris_data import polaris_data

    variant = polaris_data(data)
    try:
        _validate(variant, document)
        rule = _build(variant, file)
        _check_placeholders(rule)
    except KinspectError as exc:
        raise KinspectError(f"polaris: {exc.message}", hint=exc.hint) from None
    return rule


_PLACEHOLDERS = frozenset(
    {
        "kind",
        "namespace",
        "name",
        "container",
        "value",
        "path",
        "values",
        "names",
        "paths",
        "subjects",
    }
)


def _check_placeholders(rule: Rule) -> None:
    """An unknown `{placeholder}` in a message is an error at load, not when a check fails."""
    texts = [(f"texts.{lang}.message", t.message) for lang, t in rule.texts.items()]
    for i, case in enumerate(rule.messages):
        texts += [(f"messages.{i}.{lang}", text) for lang, text in case.texts.items()]
    for where, text in texts:
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise KinspectError(f"{where}: {exc}") from None
        if used - _PLACEHOLDERS:
            unknown = ", ".join(sorted(used - _PLACEHOLDERS))
            known = ", ".join(sorted(_PLACEHOLDERS))
            message = f"{where} uses unknown placeholder(s) {unknown}"
            raise KinspectError(message, hint=f"known: {known}")


def _validate(data: Any, document: Any) -> None:
    from kinspect.parse.locate import locate

    errors = sorted(_rule_meta_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        parts = []
        for error in errors:
            (line, _), _ = locate(document.root, list(error.absolute_path))
            where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            parts.append(f"{where} (line {line}): {error.message}")
        (line, column), _ = locate(document.root, list(errors[0].absolute_path))
        raise KinspectError("invalid rule: " + "; ".join(parts), line=line, column=column)
    # analysis rules have none; placeholders are checked with their defaults
    params = data.get("parameters", {})
    schema = substitute(data.get("schema", True), params)
    _check_embedded_schema(with_defaults(schema, FIELD), document)
    for index, step in enumerate(data.get("relations", ())):
        for key in ("when", "where"):
            if key in step:
                at: list[str | int] = ["relations", index, key]
                filled = with_defaults(substitute(step[key], params), SUBJECT)
                _check_embedded_schema(filled, document, at)
    for index, entry in enumerate(data.get("versions", ())):
        if "schema" in entry:
            embedded = with_defaults(substitute(entry["schema"], params), FIELD)
            _check_embedded_schema(embedded, document, ["versions", index, "schema"])
    for key in ("locate", "messages", "fix"):
        for index, item in enumerate(data.get(key, ())):
            for field_name in ("when", "match", "unless"):
                if field_name in item:
                    inside: list[str | int] = [key, index, field_name]
                    _check_embedded_schema(substitute(item[field_name], params), document, inside)
            value = item.get("value")
            if isinstance(value, dict) and "where" in value:  # a fix placeholder's item filter
                at_where: list[str | int] = [key, index, "value", "where"]
                _check_embedded_schema(substitute(value["where"], params), document, at_where)


def _check_embedded_schema(schema: Any, document: Any, at: list[str | int] | None = None) -> None:
    import jsonschema

    at = at or ["schema"]
    try:
        # The draft the schema declares (as compile_schema uses it), 2020-12 by default.
        validator = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
        validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        from kinspect.parse.locate import locate

        (line, column), _ = locate(document.root, [*at, *exc.absolute_path])
        where = ".".join(str(p) for p in at)
        raise KinspectError(
            f"invalid JSON Schema in `{where}`: {exc.message}", line=line, column=column
        ) from None


def _rule_meta_validator() -> Any:
    import jsonschema

    global _META
    if _META is None:
        meta = json.loads(schema_path("rule.schema.json").read_text(encoding="utf-8"))
        _META = jsonschema.Draft202012Validator(meta)
    return _META


_META: Any = None


def rebuild(data: dict[str, Any], file: str) -> Rule:
    """A rule from rule-file data derived from a validated file (Polaris mode's variant)."""
    return _build(data, file)


def _build(data: dict[str, Any], file: str, values: dict[str, Any] | None = None) -> Rule:
    params = {**data.get("parameters", {}), **(values or {})}
    target = data["target"]
    return Rule(
        id=data["id"],
        category=data["category"],
        severity=data["severity"],
        scope=target["scope"],
        schema=substitute(data.get("schema", True), params),
        texts={lang: Texts(**texts) for lang, texts in data["texts"].items()},
        fix_example=data["fixExample"],
        references=list(data["references"]),
        file=file,
        enabled=data.get("enabled", True),
        kinds=frozenset(target["kinds"]) if "kinds" in target else None,
        api_versions=frozenset(target["apiVersions"]) if "apiVersions" in target else None,
        exclude_kinds=frozenset(target.get("excludeKinds", ())),
        container_types=frozenset(target.get("containerTypes", ("containers",))),
        locate=[
            LocateHint(split_dotted(h["path"]), substitute(h.get("when"), params))
            for h in data.get("locate", ())
        ],
        messages=[
            MessageCase(substitute(m["when"], params), {"en": m["en"], "zh": m["zh"]}, m.get("fix"))
            for m in data.get("messages", ())
        ],
        parameters=dict(params),
        overrides=data.get("overrides", False),
        analysis=data.get("analysis"),
        relations=build_steps(substitute(data.get("relations", []), params), _names_subjects(data)),
        fix=build_fix(substitute(data.get("fix", []), params)),
        source=data,
        versions=_definitions(data, params),
    )


def _definitions(data: dict[str, Any], params: dict[str, Any]) -> tuple[Definition, ...]:
    """The `versions` table: an entry without `schema` uses the rule's."""
    return tuple(
        Definition(
            int(entry["from"][3:]),
            frozenset(entry["levels"]),
            substitute(entry.get("schema", data.get("schema", True)), params),
        )
        for entry in data.get("versions", ())
    )


def _names_subjects(data: dict[str, Any]) -> bool:
    """Whether a message of the rule names a binding's subjects (relations then keep them)."""
    return "{" + SUBJECTS + "}" in json.dumps(
        [data.get("texts"), data.get("messages"), data.get("relations")], ensure_ascii=False
    )


def with_parameters(rule: Rule, values: dict[str, Any]) -> Rule:
    """The rule rebuilt with other values for some of its parameters (names and types checked)."""
    for name, value in values.items():
        problem = parameter_problem(rule, name, value)
        if problem is not None:
            raise problem
    if rule.source is None:
        raise KinspectError(f"{rule.id}: its parameters cannot be changed (not a rule file)")
    rebuilt = _build(rule.source, rule.file, values)
    try:
        rebuilt.validator.is_valid({})
    except Exception as exc:  # e.g. a value that makes a pattern an invalid regex
        message = f"{rule.id}: these parameter values make its schema invalid: {exc}"
        raise KinspectError(message) from None
    return rebuilt


def parameter_problem(rule: Rule, name: str, value: Any) -> KinspectError | None:
    """Why `name: value` cannot be a parameter of `rule` (None: it can)."""
    if name not in rule.parameters:
        known = ", ".join(sorted(rule.parameters)) or "none"
        message = f"{rule.id} has no parameter {name!r}"
        return KinspectError(message, hint=f"its parameters: {known}")
    wanted, given = _json_type(rule.parameters[name]), _json_type(value)
    if wanted != given:
        return KinspectError(f"{rule.id}.{name} must be a {wanted}, not a {given}")
    return None


def _json_type(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "null" if value is None else "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type, str] = {str: "string", list: "list", dict: "mapping"}
    return names.get(type(value), type(value).__name__)


def substitute(value: Any, params: dict[str, Any]) -> Any:
    """Replace `{"$param": NAME}` objects and `${NAME}` in strings by parameter values."""
    if isinstance(value, dict):
        if set(value) == {"$param"}:
            return _param(params, value["$param"])
        return {substitute(key, params): substitute(item, params) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, params) for item in value]
    if isinstance(value, str) and "${" in value:
        return _PARAM_IN_STRING.sub(lambda m: _interpolate(_param(params, m.group(1))), value)
    return value


def _param(params: dict[str, Any], name: str) -> Any:
    if name not in params:
        raise KinspectError(f"unknown parameter {name!r}")
    return params[name]


def _interpolate(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(re.escape(str(item)) for item in value)
    return str(value)


def select(rules: list[Rule], checks: list[str] | None, skip: list[str] | None) -> list[Rule]:
    """Rules to run: `checks` (even if off by default), else the enabled ones, minus `skip`."""
    known = {rule.id for rule in rules}
    unknown = sorted({*(checks or ()), *(skip or ())} - known)
    if unknown:
        close = [
            f"{word} → {match[0]}"
            for word in unknown
            if (match := difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.7))
        ]
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise UsageError(
            f"unknown check id(s): {', '.join(unknown)}{hint} (valid: {', '.join(sorted(known))})"
        )
    chosen = [r for r in rules if r.id in checks] if checks else [r for r in rules if r.enabled]
    return [rule for rule in chosen if rule.id not in set(skip or ())]
