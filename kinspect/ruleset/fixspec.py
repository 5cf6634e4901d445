"""Fix declarations of rule files: operations on the target, and the values they write.

An operation names a field path relative to the target (`*` stands for every item of a list)
and one action: `set` a value, `remove` the field, `add` an item to a list, or `removeItems`
that match a schema. A value may hold `{"$field": PATH, "default": V}` placeholders, filled
from the target (a `*` in PATH takes the first item that has the field and satisfies the
placeholder's `where` schema); a `todo` text marks a placeholder only the user can choose, and
an `otherwise` text says what to do when a placeholder has no value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kinspect.kube.paths import ANY_ITEM, get_path, split_dotted
from kinspect.ruleset.schema import compiled
from kinspect.ruleset.template import FIELD

ACTIONS = ("set", "remove", "add", "removeItems")
TODO = "TODO(kinspect):"
WHERE = "where"
Segment = str | int


@dataclass(frozen=True, slots=True)
class FixOp:
    """One declared operation of a rule's fix."""

    action: str
    path: tuple[Segment, ...]
    value: Any = None
    when: dict[str, Any] | bool | None = None
    """Apply only where the field exists and its value satisfies this schema."""
    match: dict[str, Any] | bool | None = None
    """removeItems: the schema an item satisfies to be removed."""
    todo: dict[str, str] | None = None
    """A comment written next to the value: the user must check or choose it."""
    otherwise: dict[str, str] | None = None
    """Why the finding is left, and what to do, when a placeholder has no value."""
    warning: dict[str, str] | None = None
    """A risk of the change itself, printed once by `kinspect fix` when it was applied."""
    unless: dict[str, Any] | bool | None = None
    """A target that satisfies this schema gets no fix (the `otherwise` text says why)."""
    pod_level: bool = False
    """A securityContext field a container does not set itself is written in the pod spec."""

    def todo_text(self, lang: str) -> str | None:
        """The TODO comment in `lang` (English when missing), or None."""
        if not self.todo:
            return None
        return f"{TODO} {self.todo.get(lang) or self.todo['en']}"

    def otherwise_text(self, lang: str) -> str | None:
        """The `otherwise` text in `lang` (English when missing), or None."""
        return _in(self.otherwise, lang)

    def warning_text(self, lang: str) -> str | None:
        """The `warning` text in `lang` (English when missing), or None."""
        return _in(self.warning, lang)


def _in(texts: dict[str, str] | None, lang: str) -> str | None:
    return (texts.get(lang) or texts["en"]) if texts else None


class Unavailable(Exception):
    """A value cannot be filled: a placeholder's field is unset and has no default."""


def build_fix(data: list[dict[str, Any]]) -> tuple[FixOp, ...]:
    """The operations of a validated `fix` list (parameters already substituted)."""
    ops = []
    for item in data:
        action = next(a for a in ACTIONS if a in item)
        ops.append(
            FixOp(
                action=action,
                path=split_dotted(item[action]),
                value=item.get("value"),
                when=item.get("when"),
                match=item.get("match"),
                todo=item.get("todo"),
                otherwise=item.get("otherwise"),
                warning=item.get("warning"),
                unless=item.get("unless"),
                pod_level=item.get("podLevel", False),
            )
        )
    return tuple(ops)


def expand(path: tuple[Segment, ...], data: Any) -> Iterator[tuple[Segment, ...]]:
    """Concrete paths of `path` in `data`: each `*` becomes every index of the list there."""
    for position, segment in enumerate(path):
        if segment == ANY_ITEM:
            items = get_path(data, path[:position])
            if isinstance(items, list):
                for index in range(len(items)):
                    yield from expand((*path[:position], index, *path[position + 1 :]), data)
            return
    yield path


def is_field(value: Any) -> bool:
    """`{"$field": PATH}`, with an optional `default` and (for a PATH with `*`) `where`."""
    return (
        isinstance(value, dict)
        and isinstance(value.get(FIELD), str)
        and set(value) <= {FIELD, "default", WHERE}
    )


def fill_value(value: Any, data: Any) -> Any:
    """`value` with its `$field` placeholders filled from `data` (blank counts as unset)."""
    if is_field(value):
        found = _first(value, data)
        if found is None:
            if "default" not in value:
                raise Unavailable(value[FIELD])
            return value["default"]
        return found
    if isinstance(value, dict):
        return {key: fill_value(item, data) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_value(item, data) for item in value]
    return value


def _first(placeholder: dict[str, Any], data: Any) -> Any:
    """The value at the placeholder's path: at its first `*` item that has one (not blank)
    and satisfies `where`; None when there is none."""
    path = split_dotted(placeholder[FIELD])
    schema = placeholder.get(WHERE)
    where = None if schema is None else compiled(schema)
    star = path.index(ANY_ITEM) + 1 if ANY_ITEM in path else None
    for concrete in expand(path, data):
        item = get_path(data, concrete[:star]) if star is not None else None
        if where is not None and star is not None and not where.is_valid(item):
            continue
        found = get_path(data, concrete)
        if found is not None and not (isinstance(found, str) and not found.strip()):
            return found
    return None


def same(a: Any, b: Any) -> bool:
    """Equal values of the same JSON types (True is not 1, "1" is not 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
