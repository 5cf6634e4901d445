"""Fix declarations of rule files: operations on the target, and the values they write.

An operation names a field path relative to the target (`*` stands for every item of a list)
and one action: `set` a value, `remove` the field, `add` an item to a list, or `removeItems`
that match a schema. A value may hold `{"$field": PATH, "default": V}` placeholders, filled
from the target; a `todo` text marks a placeholder only the user can choose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kinspect.kube.paths import get_path, split_dotted
from kinspect.ruleset.template import FIELD, is_placeholder

ACTIONS = ("set", "remove", "add", "removeItems")
ANY_ITEM = "*"
TODO = "TODO(kinspect):"
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

    def todo_text(self, lang: str) -> str | None:
        """The TODO comment in `lang` (English when missing), or None."""
        if not self.todo:
            return None
        return f"{TODO} {self.todo.get(lang) or self.todo['en']}"


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


def fill_value(value: Any, data: Any) -> Any:
    """`value` with its `$field` placeholders filled from `data` (blank counts as unset)."""
    if is_placeholder(value, FIELD):
        found = get_path(data, split_dotted(value[FIELD]))
        if found is None or (isinstance(found, str) and not found.strip()):
            if "default" not in value:
                raise Unavailable(value[FIELD])
            return value["default"]
        return found
    if isinstance(value, dict):
        return {key: fill_value(item, data) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_value(item, data) for item in value]
    return value


def same(a: Any, b: Any) -> bool:
    """Equal values of the same JSON types (True is not 1, "1" is not 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
