"""Schemas that compare values: `{"$field": PATH}` placeholders filled from the data checked.

JSON Schema cannot compare two values of one instance (maxReplicas > minReplicas) or of two
resources. A placeholder object `{"$field": "spec.minReplicas", "default": 1}` inside a rule's
`schema` stands for the value at that path of the target (`{"$subject": ...}` inside a relation's
`where` stands for a value of the subject). In a key of `properties`, `{$field:PATH}` makes one
key per value at PATH: keys that depend on the data (the seccomp annotation of each container
*of the pod*). Filled schemas are compiled once per distinct fill.
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
Present = Callable[[], set[str]]
"""Every mapping key the data checked holds, at any depth."""


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


def fill(
    schema: Any, marker: str, lookup: Lookup, present: Present | None = None, parent: Any = None
) -> Any:
    """The schema with each placeholder replaced by its value (or its default when missing).

    A key holding `{$field:PATH}` becomes one key per value at PATH (an item without the field
    gives the empty text, no value no key); `present`, when given, keeps only the keys of
    `properties` that the data holds somewhere (no other key can change the verdict).
    """
    if is_placeholder(schema, marker):
        value = lookup(schema[marker])
        return schema.get("default") if value is None else value
    if isinstance(schema, dict):
        keep = present if parent == "properties" else None
        filled = {}
        for key, value in schema.items():
            inner = fill(value, marker, lookup, present, key)
            for name in _keys(key, marker, lookup, keep):
                filled[name] = inner
        return filled
    if isinstance(schema, list):
        return [fill(value, marker, lookup, present) for value in schema]
    return schema


def _keys(key: Any, marker: str, lookup: Lookup, present: Present | None) -> list[Any]:
    """The keys a mapping key stands for: itself, or one per value of its placeholders."""
    if not isinstance(key, str) or "{" not in key:
        return [key]
    names = [key]
    for match in _KEY_PLACEHOLDERS[marker].finditer(key):
        found = lookup(match.group(1))
        values = found if isinstance(found, list) else [] if found is None else [found]
        texts = dict.fromkeys("" if value is None else str(value) for value in values)
        names = [name.replace(match.group(), text, 1) for name in names for text in texts]
    if present is not None and names != [key]:
        names = [name for name in names if name in present()]
    return names


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


def compiled_fill(
    schema: Any, marker: str, lookup: Lookup, present: Present | None = None
) -> CompiledSchema:
    """Fill and compile; a fill that makes the schema invalid (a string where a number is
    needed) gives a schema nothing satisfies."""
    filled = fill(schema, marker, lookup, present)
    return _compile(json.dumps(filled, sort_keys=True, default=str))


def keys_in(data: Any) -> set[str]:
    """Every mapping key of `data`, at any depth (what `present` gives)."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


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
