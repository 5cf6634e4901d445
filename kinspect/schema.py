"""Compiled JSON Schemas for rule evaluation, behind one small interface.

Two interchangeable backends: `jsonschema-rs` (compiled in Rust; the fast path) and the
pure-Python `jsonschema` (the reference path). `KINSPECT_SCHEMA_BACKEND=python` forces the
reference; the test suite requires both to give identical results.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

InstancePath = tuple[str | int, ...]
_DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"


class CompiledSchema(Protocol):
    """A schema compiled once per run."""

    def is_valid(self, instance: Any) -> bool:
        """Whether `instance` satisfies the schema."""

    def error_paths(self, instance: Any) -> list[InstancePath]:
        """Instance paths of the top-level validation errors."""


class _RustSchema:
    def __init__(self, schema: dict[str, Any] | bool) -> None:
        import jsonschema_rs

        draft = _draft_of(schema)
        cls = jsonschema_rs.Draft201909Validator if draft == 2019 else jsonschema_rs.Draft202012Validator
        self._validator = cls(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def error_paths(self, instance: Any) -> list[InstancePath]:
        return [tuple(error.instance_path) for error in self._validator.iter_errors(instance)]


class _PythonSchema:
    def __init__(self, schema: dict[str, Any] | bool) -> None:
        import jsonschema

        draft = _draft_of(schema)
        cls = jsonschema.Draft201909Validator if draft == 2019 else jsonschema.Draft202012Validator
        self._validator = cls(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def error_paths(self, instance: Any) -> list[InstancePath]:
        return [tuple(error.absolute_path) for error in self._validator.iter_errors(instance)]


def _draft_of(schema: dict[str, Any] | bool) -> int:
    declared = schema.get("$schema", "") if isinstance(schema, dict) else ""
    return 2019 if declared.rstrip("#") == _DRAFT_2019 else 2020


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
