"""`--polaris-config`: a Polaris config.yaml's severities, exemptions and custom checks.

Custom checks are JSON Schema too, so they run on kinspect's engine: their targets map to
kinspect scopes (Container, PodSpec, PodTemplate, Controller, or one kind such as
apps/Deployment), their Go templates and quantity keywords to placeholders (polaris_schema.py).
Anything kinspect cannot run faithfully is listed in `PolarisConfig.unsupported` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinspect.config.project import exemption, read_yaml, schema_problems
from kinspect.errors import InputProblem, UsageError
from kinspect.kube.targets import CONTAINER_TYPES, POD_SPEC_PATHS
from kinspect.ruleset.model import Rule, Texts
from kinspect.suppress.annotations import kinspect_id
from kinspect.suppress.suppressor import Exemption

_NAMES = {"type": "array", "items": {"type": "string"}}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "checks": {
            "type": ["object", "null"],
            "additionalProperties": {"enum": ["danger", "warning", "ignore"]},
        },
        "exemptions": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "namespace": {"type": "string"},
                    "controllerNames": _NAMES,
                    "containerNames": _NAMES,
                    "rules": _NAMES,
                },
            },
        },
        "customChecks": {"type": ["object", "null"], "additionalProperties": {"type": "object"}},
    },
}
_CATEGORIES = {"Efficiency": "Resources", "Reliability": "Health Checks"}
_DRAFT_7 = "http://json-schema.org/draft-07/schema#"
_UNSUPPORTED_KEYS = ("additionalSchemas", "additionalSchemaStrings", "schemaTarget")


@dataclass
class PolarisConfig:
    """What kinspect takes from a Polaris config (severities use kinspect ids)."""

    file: Path
    severities: dict[str, str] = field(default_factory=dict)
    exemptions: list[Exemption] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    """`customChecks.<id>: reason` for each custom check kinspect does not run."""


def load_polaris(path: Path) -> PolarisConfig:
    """Read a Polaris config; a malformed one is a UsageError naming file, line and key."""
    data, root = read_yaml(path, "Polaris config")
    config = PolarisConfig(path)
    if data is None:
        return config
    errors = schema_problems(data, root, _validator(), str(path))
    if errors:
        raise UsageError("\nkinspect: ".join(errors))
    checks = data.get("checks") or {}
    config.severities = {kinspect_id(name): value for name, value in checks.items()}
    base = path.resolve().parent
    for number, entry in enumerate(data.get("exemptions") or [], start=1):
        config.exemptions.append(_exemption(entry, number, str(path), base))
    for name, spec in (data.get("customChecks") or {}).items():
        rule, reason = _custom_rule(name, spec, checks.get(name), path, root)
        if rule is None:
            config.unsupported.append(f"customChecks.{name}: {reason}")
        else:
            config.rules.append(rule)
    return config


def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(_SCHEMA)


def _exemption(entry: dict[str, Any], number: int, source: str, base: Path) -> Exemption:
    rules = [kinspect_id(name) for name in entry.get("rules", [])]
    converted = {
        "checks": rules or ["all"],
        "reason": "Polaris exemption",
        "namespaces": [entry["namespace"]] if entry.get("namespace") else [],
        "names": entry.get("controllerNames", []),
        "containers": entry.get("containerNames", []),
    }
    return exemption({k: v for k, v in converted.items() if v}, number, source, base)


def _custom_rule(
    name: str, spec: dict[str, Any], severity: str | None, path: Path, root: Any
) -> tuple[Rule | None, str]:
    """The kinspect rule of one custom check, or (None, why kinspect cannot run it)."""
    target = _target(spec)
    if isinstance(target, str):
        return None, target
    unsupported = [key for key in _UNSUPPORTED_KEYS if spec.get(key)]
    if unsupported:
        return None, f"{', '.join(unsupported)} (checks across several resources) not supported"
    schema = _schema(name, spec, path, root)
    if isinstance(schema, str):
        return None, schema
    scope, kinds, container_types = target
    failure = str(spec.get("failureMessage") or name)
    text = Texts(
        title=str(spec.get("successMessage") or name),
        message=_literal(failure),  # the only text formatted with placeholders
        risk=failure,
        fix=failure,
    )
    category = str(spec.get("category") or "Security")
    return Rule(
        id=name,
        category=_CATEGORIES.get(category, category),
        severity=severity if severity in ("danger", "warning") else "warning",
        scope=scope,
        schema=schema,
        texts={"en": text, "zh": text},
        fix_example=f"(Polaris custom check {name} of {path})",
        references=[],
        file=str(path),
        # Polaris runs a custom check only when `checks` gives it a severity.
        enabled=severity in ("danger", "warning"),
        kinds=kinds,
        exclude_kinds=frozenset(_controllers(spec).get("exclude", ())),
        container_types=container_types,
        overrides=True,
    ), ""


def _literal(text: Any) -> str:
    """A Polaris message as kinspect prints it: its braces (Go templates) are not placeholders."""
    return str(text).replace("{", "{{").replace("}", "}}")


def _target(spec: dict[str, Any]) -> tuple[str, frozenset[str] | None, frozenset[str]] | str:
    """(scope, kinds, container types) of a Polaris target, or why it is not supported."""
    target = str(spec.get("target") or "")
    included = _controllers(spec).get("include")
    workloads = frozenset(included) if included else None
    if target == "Container":
        excluded = spec.get("containers", {}).get("exclude", []) if spec.get("containers") else []
        types = {"containers"} if "initContainer" in excluded else {"containers", "initContainers"}
        return "container", workloads, frozenset(t for t in CONTAINER_TYPES if t in types)
    if target == "PodSpec":
        return "podSpec", workloads, frozenset({"containers"})
    if target == "Controller":
        return "resource", workloads or frozenset(POD_SPEC_PATHS), frozenset({"containers"})
    if target == "PodTemplate":
        return "podTemplate", workloads, frozenset({"containers"})
    if not target:
        return "no target"
    return "resource", frozenset({target.rsplit("/", 1)[-1]}), frozenset({"containers"})


def _controllers(spec: dict[str, Any]) -> dict[str, list[str]]:
    controllers = spec.get("controllers")
    return controllers if isinstance(controllers, dict) else {}


def _schema(name: str, spec: dict[str, Any], path: Path, root: Any) -> dict[str, Any] | bool | str:
    """The check's JSON Schema (checked, templates and quantities as placeholders), or why it
    cannot be used."""
    from kinspect.config.polaris_schema import Unsupported, templated, tokenized, with_quantities

    key, schema, actions = "schema", spec.get("schema"), None
    try:
        for text_key in ("schemaString", "jsonSchema"):
            if schema is None and isinstance(spec.get(text_key), str):
                key = text_key
                text, actions = tokenized(spec[text_key])
                schema = _parse(text)
                if schema is None:
                    return f"{text_key} is not valid JSON or YAML"
        if not isinstance(schema, dict | bool):
            return "no schema, schemaString or jsonSchema"
        if isinstance(schema, dict) and "$schema" not in schema:
            schema = {"$schema": _DRAFT_7, **schema}  # Polaris validates with draft-07 semantics
        schema = with_quantities(templated(schema, actions))
    except Unsupported as exc:
        return f"{key}: {exc}"
    problem = _schema_problem(name, key, schema, path, root)
    return problem if problem is not None else schema


def _schema_problem(name: str, key: str, schema: Any, path: Path, root: Any) -> str | None:
    """Why the schema cannot run (None: it can); an invalid one is a UsageError."""
    import jsonschema

    from kinspect.ruleset.resource_fill import fill_resource, uses_resource
    from kinspect.ruleset.safety import unsafe_parts

    checked = fill_resource(schema, {}, {})  # placeholders as an object without the fields
    try:
        jsonschema.validators.validator_for(checked).check_schema(checked)
    except jsonschema.SchemaError as exc:
        if not uses_resource(schema):  # a templated one may be valid once filled
            from kinspect.parse.locate import locate

            (line, column), _ = locate(root, ["customChecks", name, key, *exc.absolute_path])
            message = f"customChecks.{name}.{key}: invalid JSON Schema: {exc.message}"
            raise UsageError(InputProblem(str(path), message, line, column).render()) from None
    unsafe = next(unsafe_parts(checked), None)  # remote $ref, backtracking regex
    if unsafe is not None:
        return f"{key}.{'.'.join(str(p) for p in unsafe[0])}: {unsafe[1]}"
    return None


def _parse(text: str) -> Any:
    from kinspect.errors import KinspectError
    from kinspect.parse.loader import load_documents

    try:
        documents = list(load_documents(text))
    except KinspectError:
        return None
    return documents[0].data if len(documents) == 1 else None
