"""Text edits of YAML and the line arithmetic they need; everything else stays byte for byte.

An edit replaces a span of the text (an insertion when the span is empty). Edits come in
groups, one per changed collection; a group that collides with an earlier one waits for the
next round (see kinspect.fix.yamledit and kinspect.fix.apply).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from kinspect.fix.yamlrender import Layout, Tree

Key = str | int


class Refused(Exception):
    """An edit kinspect does not make, and why: a reason code (see kinspect.fix.texts)."""

    def __init__(self, code: str, path: str = "", kind: str = "") -> None:
        super().__init__(code, path, kind)
        self.code = code
        self.path = path
        self.kind = kind


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace text[start:end] by `text` (an insertion when start == end)."""

    start: int
    end: int
    text: str


@dataclass
class Group:
    """The edits of one collection (or scalar), and the operations they serve."""

    edits: list[Edit]
    ops: set[int]


@dataclass
class Change:
    """What is asked of one node: entries or items deleted, entries or items added."""

    node: Node
    parent: Node | None
    key: Node | None
    ops: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)
    added: Tree = field(default_factory=dict)
    appended: list[Any] = field(default_factory=list)
    value: Any = None
    """A scalar's new value (a Leaf), or the tree or list that fills a null."""


def conflict(a: Edit, b: Edit) -> bool:
    """Whether two edits cannot both apply: overlapping spans, or insertions at one point."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return max(a.start, b.start) < min(a.end, b.end)


def select(groups: Iterable[Group]) -> list[Edit]:
    """The edits of the groups that do not conflict with an earlier group (or within)."""
    chosen: list[Edit] = []  # sorted, pairwise compatible: neighbours are the only suspects
    for group in groups:
        edits = group.edits  # a handful: every pair is checked
        inner = any(conflict(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :])
        if not inner and not any(_clashes(chosen, edit) for edit in edits):
            for edit in edits:
                bisect.insort(chosen, edit)
    return chosen


def _clashes(chosen: list[Edit], edit: Edit) -> bool:
    index = max(bisect.bisect_left(chosen, edit) - 1, 0)
    while index < len(chosen) and chosen[index].start <= edit.end:
        if conflict(chosen[index], edit):
            return True
        index += 1
    return False


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with non-conflicting edits applied."""
    parts: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts.append(text[position : edit.start])
        parts.append(edit.text)
        position = max(position, edit.end)
    parts.append(text[position:])
    return "".join(parts)


def is_null(node: Node) -> bool:
    """A plain null scalar (empty, ~, null)."""
    return (
        isinstance(node, ScalarNode)
        and not node.style
        and node.value in ("", "~", "null", "Null", "NULL")
    )


class Lines:
    """A document's text, and where its lines, items and contents start and end."""

    def __init__(self, text: str, layout: Layout) -> None:
        self.text = text
        self.layout = layout

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def eol(self, index: int) -> int:
        """Where the line holding `index` ends (before its line break)."""
        found = self.text.find("\n", index)
        end = len(self.text) if found < 0 else found
        return end - 1 if end > index and self.text[end - 1] == "\r" else end

    def next_line(self, index: int) -> int:
        """The start of the line after the one that `index` ends content on."""
        if index > 0 and self.text[index - 1] == "\n":
            return index
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def column(self, index: int) -> int:
        return index - self.line_start(index)

    def first_on_line(self, index: int) -> bool:
        return not self.text[self.line_start(index) : index].strip()

    def after_prefix(self, index: int) -> int:
        """Just after the last non-blank character before `index` (the `-` of `- key`)."""
        while index > 0 and self.text[index - 1] in " \t":
            index -= 1
        return index

    def dash(self, item: Node) -> int:
        dash = self.after_prefix(item.start_mark.index) - 1
        if dash < 0 or self.text[dash] != "-" or not self.first_on_line(dash):
            raise Refused("layout")
        return dash

    def content_end(self, node: Node) -> int:
        """End of a node's last character of content (not the comments or blank lines after)."""
        if isinstance(node, ScalarNode):
            end = int(node.end_mark.index)
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
            return end
        if getattr(node, "flow_style", False) or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        return self.content_end(last[1] if isinstance(node, MappingNode) else last)

    def delete_lines(self, start: int, content_end: int) -> Edit:
        begin, end = self.line_start(start), self.next_line(content_end)
        if end == len(self.text) and not self.text.endswith("\n") and begin > 0:
            begin -= 2 if self.text[begin - 2 : begin] == "\r\n" else 1  # keep "no final newline"
        return Edit(begin, end, "")

    def insert_lines(self, content_end: int, body: str) -> Edit:
        at = self.next_line(content_end)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            body = self.layout.newline + body[: -len(self.layout.newline)]
        return Edit(at, at, body)

    def comment_above(self, index: int, notes: list[str]) -> Edit:
        start = self.line_start(index)
        line = self.text[start : self.eol(start)]
        pad = line[: len(line) - len(line.lstrip())]
        text = "".join(f"{pad}# {note}{self.layout.newline}" for note in notes)
        return Edit(start, start, text)

    def emptied(self, node: Node, empty: str) -> Edit:
        """A block collection whose every entry goes: `key: {}` (or `[]`)."""
        start, end = node.start_mark.index, self.content_end(node)
        before = start
        while before > 0 and self.text[before - 1] in " \t\r\n":
            before -= 1
        if before > 0 and self.text[before - 1] in ":-":
            return Edit(before, end, " " + empty)
        return Edit(start, end, empty)
