"""Plain values → YAML text for the fixer: scalars, block lines and flow collections.

Strings stay plain only when they read back as the same string (Kubernetes' YAML 1.1 rules
included: `yes` is a boolean there); anything else is double-quoted, which is also JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kinspect.parse.scalars import implicit_value

_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./-]*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class Leaf:
    """A value written by one operation, with the comment that goes on its line."""

    value: Any
    comment: str | None = None


Tree = dict[str, Any]
"""Nested mappings to write; the values set by operations are Leaf objects."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How new text is laid out: line ending, indentation step, JSON or YAML."""

    newline: str = "\n"
    step: int = 2
    json: bool = False


def scalar(value: Any, layout: Layout) -> str:
    """A scalar as YAML (or JSON) text that reads back as the same value."""
    if layout.json or not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if _PLAIN.fullmatch(value) and _reads_as(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def key(name: str | int, layout: Layout, quoted: bool = False) -> str:
    """A mapping key: plain when it is a simple name."""
    text = str(name)
    if layout.json or quoted or not (_KEY.fullmatch(text) and _reads_as(text)):
        return json.dumps(text, ensure_ascii=False)
    return text


def _reads_as(text: str) -> bool:
    """Whether `text`, written plain, reads back as the same string."""
    return bool(text and implicit_value(text) == text)


def comment(text: str | None) -> str:
    """`  # text` (nothing without text)."""
    return f"  # {text}" if text else ""


def flow(value: Any, layout: Layout, quoted: bool = False) -> str:
    """One-line flow text: `{a: 1, b: [x]}`."""
    if isinstance(value, Leaf):
        return flow(value.value, layout, quoted)
    if isinstance(value, dict):
        items = (f"{key(k, layout, quoted)}: {flow(v, layout, quoted)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item, layout, quoted) for item in value) + "]"
    return scalar(value, layout)


def comments_of(value: Any) -> list[str]:
    """The comments of the leaves of a tree, in order."""
    if isinstance(value, Leaf):
        return [value.comment] if value.comment else []
    if isinstance(value, dict):
        return [c for item in value.values() for c in comments_of(item)]
    return []


def block_entries(tree: Tree, indent: int, layout: Layout) -> str:
    """Block mapping entries at `indent`, each line ending with the newline."""
    return "".join(_entry(name, value, indent, layout) for name, value in tree.items())


def block_items(items: list[Any], indent: int, layout: Layout) -> str:
    """Block sequence items at `indent`."""
    return "".join(_item(item, indent, layout) for item in items)


def _entry(name: str, value: Any, indent: int, layout: Layout) -> str:
    pad, nl = " " * indent, layout.newline
    note = value.comment if isinstance(value, Leaf) else None
    plain = value.value if isinstance(value, Leaf) else value
    head = f"{pad}{key(name, layout)}:"
    if isinstance(plain, dict) and plain:
        return f"{head}{comment(note)}{nl}{block_entries(plain, indent + layout.step, layout)}"
    if isinstance(plain, list) and plain:
        return f"{head}{comment(note)}{nl}{block_items(plain, indent + layout.step, layout)}"
    return f"{head} {flow(plain, layout)}{comment(note)}{nl}"


def _item(item: Any, indent: int, layout: Layout) -> str:
    note = item.comment if isinstance(item, Leaf) else None
    plain = item.value if isinstance(item, Leaf) else item
    if isinstance(plain, dict) and plain:
        inner = block_entries(plain, indent + 2, layout)
        return " " * indent + "- " + inner[indent + 2 :]
    return f"{' ' * indent}- {flow(plain, layout)}{comment(note)}{layout.newline}"
