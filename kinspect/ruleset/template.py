"""Schemas that compare values: `{"$field": PATH}` placeholders filled from the data checked.

JSON Schema cannot compare two values of one instance (maxReplicas > minReplicas) or of two
resources. A placeholder object `{"$field": "spec.minReplicas", "default": 1}` inside a rule's
`schema` stands for the value at that path of the target (`{"$subject": ...}` inside a relation's
`where` stands for a value of the subject). In a mapping key (a `patternProperties` regex),
`{$field:PATH}` stands for the values at PATH, regex-escaped and joined with `|`: a key that
depends on the data (the seccomp annotation of each container *of the pod*). Filled schemas are
compiled once per distinct fill.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from kinspect.kube.paths import ANY_ITEM, get_path, split_dotted, values_at
from kinspect.ruleset.schema import CompiledSchema, backend_name, compile_schema

FIELD = "$field"
SUBJECT = "$subject"
Lookup = Callable[[str], Any]
NEVER = "[^\\s\\S]"
"""A regex that matches nothing: what a key placeholder without values stands for."""
_REGEX_SYNTAX = re.compile(r"[\\^$.*+?()[\]{}|/]")


def is_placeholder(value: Any, marker: str) -> bool:
    """`{"$field": PATH}` or `{"$field": PATH, "default": VALUE}`."""
    return (
        isinstance(value, dict)
        and isinstance(value.get(marker), str)
        and set(value) <= {marker, "default"}
    )


def _in_key(marker: str) -> re.Pattern[str]:
    """`{$field:PATH}` inside a mapping key."""
    return re.compile(r"\{" + re.escape(marker) + r":([^{}]*)\}")


_KEY_PLACEHOLDERS = {marker: _in_key(marker) for marker in (FIELD, SUBJECT)}


def placeholder_paths(schema: Any, marker: str) -> set[str]:
    """Every path a schema's placeholders refer to (in values and in mapping keys)."""
    if is_placeholder(schema, marker):
        return {schema[marker]}
    if isinstance(schema, dict):
        in_keys = _KEY_PLACEHOLDERS[marker]
        keys = {path for key in schema for path in in_keys.findall(str(key))}
        return keys.union(*(placeholder_paths(v, marker) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(placeholder_paths(v, marker) for v in schema))
    return set()


def fill(schema: Any, marker: str, lookup: Lookup) -> Any:
    """The schema with each placeholder replaced by its value (or its default when missing)."""
    if is_placeholder(schema, marker):
        value = lookup(schema[marker])
        return schema.get("default") if value is None else value
    if isinstance(schema, dict):
        in_keys = _KEY_PLACEHOLDERS[marker]
        return {
            in_keys.sub(lambda m: alternatives(lookup(m.group(1))), key)
            if isinstance(key, str) and "{" in key
            else key: fill(value, marker, lookup)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [fill(value, marker, lookup) for value in schema]
    return schema


def alternatives(value: Any) -> str:
    """A regex matching exactly each of the values (a missing one is the empty text), or
    nothing when there is none."""
    values = value if isinstance(value, list) else [] if value is None else [value]
    if not values:
        return NEVER
    texts = dict.fromkeys("" if v is None else str(v) for v in values)
    return "|".join(_REGEX_SYNTAX.sub(lambda m: "\\" + m.group(), t) for t in texts)


def with_defaults(schema: Any, marker: str) -> Any:
    """The schema with every placeholder replaced by its default: what is checked at load."""
    return fill(schema, marker, lambda _path: None)


def lookup_in(data: Any) -> Lookup:
    """Values at dotted paths of a document (integer segments index lists; with a `*`, the
    list of every item's value)."""

    def lookup(path: str) -> Any:
        keys = split_dotted(path)
        return values_at(data, keys) if ANY_ITEM in keys else get_path(data, keys)

    return lookup


def lookup_values(values: Mapping[str, Any]) -> Lookup:
    """Values already taken at their paths (facts carry them)."""
    return values.get


class _Never:
    """What a filled schema that is not a valid schema compiles to: nothing satisfies it."""

    def is_valid(self, instance: Any) -> bool:
        return False

    def error_paths(self, instance: Any) -> list[tuple[str | int, ...]]:
        return [()]


def compiled_fill(schema: Any, marker: str, lookup: Lookup) -> CompiledSchema:
    """Fill and compile; a fill that makes the schema invalid (a string where a number is
    needed) gives a schema nothing satisfies."""
    filled = fill(schema, marker, lookup)
    return _compile(json.dumps(filled, sort_keys=True, default=str))


@lru_cache(maxsize=4096)
def _compile(key: str) -> CompiledSchema:
    schema = json.loads(key)
    try:
        if backend_name() == "python":
            import jsonschema

            jsonschema.Draft202012Validator.check_schema(schema)
        return compile_schema(schema)
    except Exception:  # any backend's "invalid schema" error
        return _Never()


_USES: dict[int, tuple[Any, bool]] = {}


def uses_fields(schema: Any) -> bool:
    """Whether a rule schema holds `$field` placeholders (cached per schema object)."""
    cached = _USES.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, bool(placeholder_paths(schema, FIELD)))
        _USES[id(schema)] = cached
    return cached[1]
