"""Compiled JSON Schemas for rule evaluation, behind one small interface.

Two interchangeable backends: `jsonschema-rs` (compiled in Rust; the fast path) and the
pure-Python `jsonschema` (the reference path). `KINSPECT_SCHEMA_BACKEND=python` forces the
reference; the test suite requires both to give identical results.
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import Any, Protocol

InstancePath = tuple[str | int, ...]
_DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"
# Polaris custom checks (and many hand-written schemas) declare draft-07.
_DRAFT_7 = ("http://json-schema.org/draft-07/schema", "https://json-schema.org/draft-07/schema")
DRAFTS = ("https://json-schema.org/draft/2020-12/schema", _DRAFT_2019, *_DRAFT_7)
"""The `$schema` values a rule may declare (kinspect.ruleset.safety)."""


class CompiledSchema(Protocol):
    """A schema compiled once per run."""

    def is_valid(self, instance: Any) -> bool:
        """Whether `instance` satisfies the schema."""

    def error_paths(self, instance: Any) -> list[InstancePath]:
        """Instance paths of the top-level validation errors."""


class _RustSchema:
    def __init__(self, schema: dict[str, Any] | bool) -> None:
        import jsonschema_rs

        classes = {7: jsonschema_rs.Draft7Validator, 2019: jsonschema_rs.Draft201909Validator}
        cls = classes.get(_draft_of(schema), jsonschema_rs.Draft202012Validator)
        # Never fetch a `$ref` (custom rules are also checked by kinspect.ruleset.safety).
        self._validator = cls(schema, offline=True)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def error_paths(self, instance: Any) -> list[InstancePath]:
        return [tuple(error.instance_path) for error in self._validator.iter_errors(instance)]


class _PythonSchema:
    def __init__(self, schema: dict[str, Any] | bool) -> None:
        import jsonschema

        classes = {7: jsonschema.Draft7Validator, 2019: jsonschema.Draft201909Validator}
        base = classes.get(_draft_of(schema), jsonschema.Draft202012Validator)
        cls = jsonschema.validators.extend(base, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]
        self._validator = cls(_no_false_subschemas(schema))

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def error_paths(self, instance: Any) -> list[InstancePath]:
        return [tuple(error.absolute_path) for error in self._validator.iter_errors(instance)]


_SCHEMA_KEYWORDS = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "else",
        "if",
        "items",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SCHEMA_MAP_KEYWORDS = frozenset(
    {"$defs", "definitions", "dependentSchemas", "patternProperties", "properties"}
)
_SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def _no_false_subschemas(schema: Any) -> Any:
    """`false` subschemas written as `{"not": {}}`, which means the same.

    jsonschema reports the error of a `false` subschema without its place in the instance
    (`properties: {path: false}` fails at the parent); jsonschema-rs, and users, expect the
    place of the offending value.
    """
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_KEYWORDS:
            value = _no_false_subschemas(value)
        elif key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            value = {name: _no_false_subschemas(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            value = [_no_false_subschemas(sub) for sub in value]
        result[key] = value
    return result


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """`pattern` with ECMA-262's `$` (end of input only), as jsonschema-rs implements it."""
    from jsonschema import ValidationError

    if isinstance(instance, str) and not _python_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _python_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern for Python's `re`: a bare `$` must not match before a final `\\n`."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _draft_of(schema: dict[str, Any] | bool) -> int:
    declared = schema.get("$schema", "") if isinstance(schema, dict) else ""
    declared = declared.rstrip("#") if isinstance(declared, str) else ""
    return 2019 if declared == _DRAFT_2019 else 7 if declared in _DRAFT_7 else 2020


@cache
def backend_name() -> str:
    """The backend in use: `rust` unless forced to `python` or jsonschema-rs is missing."""
    if os.environ.get("KINSPECT_SCHEMA_BACKEND", "").lower() == "python":
        return "python"
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return "python"
    return "rust"


def compile_schema(schema: dict[str, Any] | bool) -> CompiledSchema:
    """Compile with the active backend."""
    if backend_name() == "rust":
        return _RustSchema(schema)
    return _PythonSchema(schema)


_BY_IDENTITY: dict[int, tuple[dict[str, Any] | bool, CompiledSchema]] = {}


def compiled(schema: dict[str, Any] | bool) -> CompiledSchema:
    """`schema` compiled once: the schemas of rule files (hints, message cases, fix
    conditions) live as long as their rules, so they are cached by identity."""
    cached = _BY_IDENTITY.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, compile_schema(schema))
        _BY_IDENTITY[id(schema)] = cached
    return cached[1]
