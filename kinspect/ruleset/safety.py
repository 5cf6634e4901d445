"""Custom rules are data, never code: what a custom rule's JSON Schemas may not do.

A rule directory may come from anyone (a shared repository, a pull request), so its schemas
are checked before they are compiled: `$ref` (and `$dynamicRef`, `$recursiveRef`) only to a
place in the same schema, never to a URL or another file; `$schema` only a draft kinspect
knows; every regular expression (`pattern`, `patternProperties`) within what the linear-time
engine compiles (no backreferences, no lookaround), so no pattern can backtrack for hours.
Built-in rules are reviewed and may use lookaround, capped by the engine's backtracking
limit. YAML tags never construct objects (see `kinspect.parse.loader`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from kinspect.errors import KinspectError
from kinspect.ruleset.schema import DRAFTS

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

    from kinspect.ruleset.model import Rule

Path = tuple[str | int, ...]
_REFS = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords whose value is not a schema (their objects are data: property names, examples...).
_DATA = frozenset({"const", "enum", "examples", "default", "$comment", "description", "title"})
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def unsafe_parts(schema: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, reason) for each part of `schema` that a rule may not hold."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from unsafe_parts(item, (*path, index))
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        where = (*path, key)
        if key in _REFS:
            yield from _ref(value, where)
        elif key == "$schema":
            yield from _draft(value, where)
        elif key == "pattern":
            yield from _pattern(value, where)
        elif key == "patternProperties" and isinstance(value, dict):
            for pattern in value:
                yield from _pattern(pattern, (*where, pattern))
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, item in value.items():  # names are data, each value a schema
                yield from unsafe_parts(item, (*where, name))
        elif key not in _DATA:
            yield from unsafe_parts(value, where)


def _ref(value: Any, where: Path) -> Iterator[tuple[Path, str]]:
    if not isinstance(value, str) or not value.startswith("#"):
        yield (
            where,
            (
                f"`{where[-1]}: {value}` leaves the rule: only references inside the same schema"
                " (`#/$defs/name`) are allowed; rules never read URLs or other files"
            ),
        )


def _draft(value: Any, where: Path) -> Iterator[tuple[Path, str]]:
    if not isinstance(value, str) or value.rstrip("#") not in DRAFTS:
        known = " or ".join(DRAFTS)
        yield where, f"`$schema: {value}` is not a bundled draft (use {known})"


def _pattern(value: Any, where: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str) and not _linear(value):
        yield (
            where,
            (
                f"the regular expression {value!r} is not supported: patterns run on a linear-time"
                " engine without backreferences or lookaround (and must compile within its size"
                " limit)"
            ),
        )


@cache
def _linear(pattern: str) -> bool:
    """Whether the linear-time engine that evaluates rules compiles `pattern`."""
    import jsonschema_rs

    try:
        jsonschema_rs.Draft202012Validator(
            {"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions()
        )
    except jsonschema_rs.ValidationError:
        return False
    return True


def check_rule(rule: Rule, root: Node) -> None:
    """Raise a KinspectError at the first unsafe part of a rule's schemas (after parameters)."""
    from kinspect.parse.locate import locate

    parts: list[tuple[Path, Any]] = [(("schema",), rule.schema)]
    parts += [(("locate", i, "when"), hint.when) for i, hint in enumerate(rule.locate)]
    parts += [(("messages", i, "when"), case.when) for i, case in enumerate(rule.messages)]
    parts += [(("fix", i, "when"), op.when) for i, op in enumerate(rule.fix) if op.when]
    parts += [(("fix", i, "match"), op.match) for i, op in enumerate(rule.fix) if op.match]
    parts += [(("versions", i, "schema"), entry.schema) for i, entry in enumerate(rule.versions)]
    for i, step in enumerate(rule.relations):
        parts += [(("relations", i, "when"), step.when), (("relations", i, "where"), step.where)]
    for base, schema in parts:
        for path, reason in unsafe_parts(schema):
            (line, column), _ = locate(root, (*base, *path))
            raise KinspectError(reason, line=line, column=column)
