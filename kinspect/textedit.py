"""Minimal text edits of a YAML document at field paths; everything else stays byte for byte.

The composed node tree gives every node its character span. A block mapping grows by lines at
its keys' indentation after its last line, a flow collection by `, item` before its closing
bracket; a removed field loses its lines (its span in flow style). The changes of one
collection form a group; groups that touch the same text wait for the next round, which
starts from the edited text parsed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kinspect import yamlrender as render
from kinspect.yamlrender import Layout, Leaf, Tree

Key = str | int


class Refused(Exception):
    """An edit kinspect does not make, and why: a reason code (see kinspect.fixtexts)."""

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
class _Change:
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
    """The edits of the groups that do not conflict with an earlier group."""
    chosen: list[Edit] = []
    for group in groups:
        edits = group.edits
        inner = any(conflict(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :])
        if not inner and not any(conflict(a, b) for a in edits for b in chosen):
            chosen.extend(edits)
    return chosen


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


class Editor:
    """Collects the changes asked of one document, then renders them as groups of edits."""

    def __init__(self, text: str, root: Node, layout: Layout) -> None:
        self.text = text
        self.root = root
        self.layout = layout
        self._changes: dict[int, _Change] = {}

    # -- requests ---------------------------------------------------------------------------

    def set_field(self, path: tuple[Key, ...], value: Any, note: str | None, op: int) -> None:
        """Make the field at `path` hold `value` (mappings are merged into existing ones)."""
        links, depth = self._walk(path)
        parent, key, node = links[-1] if links else (None, None, self.root)
        if depth == len(path):
            if isinstance(value, dict) and value and isinstance(node, MappingNode):
                for name, item in value.items():
                    self.set_field((*path, name), item, note, op)
                    note = None
            elif isinstance(node, ScalarNode) and not isinstance(value, dict | list):
                self._change(node, parent, key, op).value = Leaf(value, note)
            elif is_null(node):
                self._fill(node, parent, key, op, Leaf(value, note))
            else:
                raise Refused("shape", _dotted(path), _kind(node))
            return
        rest = path[depth:]
        if any(isinstance(part, int) for part in rest):
            raise Refused("noItem", _dotted(path[: depth + 1]))
        if isinstance(node, MappingNode) and any(_named(k, "<<") for k, _ in node.value):
            raise Refused("merge", _dotted(path[: depth + 1]))
        tree: Any = Leaf(value, note)
        for part in reversed(rest[1:]):
            tree = {str(part): tree}
        if isinstance(node, MappingNode):
            _merge(self._change(node, parent, key, op).added, {str(rest[0]): tree})
        elif is_null(node):
            self._fill(node, parent, key, op, {str(rest[0]): tree})
        else:
            raise Refused("shape", _dotted(path[:depth]), _kind(node))

    def remove_field(self, path: tuple[Key, ...], op: int) -> None:
        """Delete the field at `path` (every duplicate of its key)."""
        links, depth = self._walk(path[:-1])
        if depth < len(path) - 1:
            return
        parent, key, node = links[-1] if links else (None, None, self.root)
        last = path[-1]
        if isinstance(node, SequenceNode) and isinstance(last, int):
            self._change(node, parent, key, op).deleted.add(last)
            return
        if not isinstance(node, MappingNode):
            return
        found = [i for i, (k, _) in enumerate(node.value) if _named(k, str(last))]
        if not found and any(_named(k, "<<") for k, _ in node.value):
            raise Refused("merge", _dotted(path))
        if found:
            self._change(node, parent, key, op).deleted.update(found)

    def append_item(self, path: tuple[Key, ...], value: Any, note: str | None, op: int) -> None:
        """Add an item at the end of the list at `path` (created when missing)."""
        links, depth = self._walk(path)
        if depth < len(path):
            self.set_field(path, [Leaf(value, note)], None, op)
            return
        parent, key, node = links[-1] if links else (None, None, self.root)
        if isinstance(node, SequenceNode):
            self._change(node, parent, key, op).appended.append(Leaf(value, note))
        elif is_null(node):
            self._fill(node, parent, key, op, [Leaf(value, note)])
        else:
            raise Refused("shape", _dotted(path), _kind(node))

    def remove_items(self, path: tuple[Key, ...], indexes: list[int], op: int) -> None:
        """Delete the items at `indexes` of the list at `path`."""
        links, depth = self._walk(path)
        parent, key, node = links[-1] if links else (None, None, self.root)
        if depth == len(path) and isinstance(node, SequenceNode):
            self._change(node, parent, key, op).deleted.update(indexes)

    def groups(self) -> list[tuple[Group | None, set[int], Refused | None]]:
        """Per changed node: its group of edits (None and the reason when refused)."""
        out: list[tuple[Group | None, set[int], Refused | None]] = []
        for change in self._changes.values():
            try:
                out.append((Group(self._render(change), change.ops), change.ops, None))
            except Refused as exc:
                out.append((None, change.ops, exc))
        return out

    # -- walking ----------------------------------------------------------------------------

    def _walk(self, path: tuple[Key, ...]) -> tuple[list[tuple[Node, Node | None, Node]], int]:
        """(parent, key node, node) for each existing step of `path`, and how many exist."""
        self._own(self.root, self.root.start_mark.index)
        links: list[tuple[Node, Node | None, Node]] = []
        node = self.root
        for depth, part in enumerate(path):
            found = _child(node, part)
            if found is None:
                return links, depth
            key, child = found
            floor = key.end_mark.index if key is not None else _item_floor(node, part)
            self._own(child, floor)
            links.append((node, key, child))
            node = child
        return links, len(path)

    def _own(self, node: Node, floor: int) -> None:
        """Refuse nodes an edit would change for others too: aliases and anchored nodes."""
        start = node.start_mark.index
        if start < floor:
            raise Refused("alias")
        if self.text.startswith("&", start):
            raise Refused("anchor")

    def _change(self, node: Node, parent: Node | None, key: Node | None, op: int) -> _Change:
        change = self._changes.get(id(node))
        if change is None:
            change = self._changes[id(node)] = _Change(node, parent, key)
        change.ops.add(op)
        return change

    def _fill(self, node: Node, parent: Node | None, key: Node | None, op: int, value: Any) -> None:
        change = self._change(node, parent, key, op)
        if isinstance(value, dict) and isinstance(change.value, dict):
            _merge(change.value, value)
        elif isinstance(value, list) and isinstance(change.value, list):
            change.value.extend(value)
        else:
            change.value = value

    # -- rendering --------------------------------------------------------------------------

    def _render(self, change: _Change) -> list[Edit]:
        node = change.node
        if isinstance(node, ScalarNode):
            if isinstance(change.value, Leaf):
                return self._replace_scalar(change)
            return self._fill_null(change)
        if getattr(node, "flow_style", False):
            return self._flow(change)
        if isinstance(node, MappingNode):
            return self._block_mapping(change)
        return self._block_sequence(change)

    def _replace_scalar(self, change: _Change) -> list[Edit]:
        node, leaf = change.node, change.value
        if getattr(node, "style", None) in ("|", ">"):
            raise Refused("blockScalar", _dotted(()))
        start, end = node.start_mark.index, node.end_mark.index
        text = render.scalar(leaf.value, self.layout)
        text = text if end > start else " " + text
        edits = []
        if leaf.comment:
            if not self._in_flow(change) and not self.text[end : self._eol(end)].strip():
                text += render.comment(leaf.comment)
            else:
                edits.append(self._comment_above(start, [leaf.comment]))
        return [*edits, Edit(start, end, text)]

    def _fill_null(self, change: _Change) -> list[Edit]:
        node, value = change.node, change.value
        start, end = node.start_mark.index, node.end_mark.index
        if self._in_flow(change) or change.key is None:
            edits = [
                Edit(start, end, (" " if end == start else "") + render.flow(value, self.layout))
            ]
            notes = render.comments_of(value)
            return [self._comment_above(start, notes), *edits] if notes else edits
        edits = []
        if end > start:  # `key: null`: drop the word, keep a comment after it
            gap = start
            while gap > 0 and self.text[gap - 1] in " \t":
                gap -= 1
            edits.append(Edit(gap, end, ""))
        indent = self._column(change.key.start_mark.index) + self.layout.step
        if isinstance(value, Leaf):
            value = value.value
        body = (
            render.block_items(value, indent, self.layout)
            if isinstance(value, list)
            else render.block_entries(value, indent, self.layout)
        )
        return [*edits, self._insert_lines(end, body)]

    def _block_mapping(self, change: _Change) -> list[Edit]:
        node = change.node
        entries = node.value
        kept = [i for i in range(len(entries)) if i not in change.deleted]
        if not kept and not change.added:
            return [self._emptied(node, "{}")]
        edits: list[Edit] = []
        covered: set[int] = set()
        for index in sorted(change.deleted):
            if index in covered:
                continue
            key, value = entries[index]
            if self._first_on_line(key.start_mark.index):
                edits.append(self._delete_lines(key.start_mark.index, self._content_end(value)))
            else:
                edit, covered = self._delete_inline(entries, index, kept, bool(change.added))
                edits.append(edit)
        if change.added:
            indent = self._column(entries[0][0].start_mark.index)
            body = render.block_entries(change.added, indent, self.layout)
            edits.append(self._insert_lines(self._content_end(node), body))
        return edits

    def _delete_inline(
        self, entries: list[Any], index: int, kept: list[int], adding: bool
    ) -> tuple[Edit, set[int]]:
        """Delete the first entry of `- key: value` (and the deleted entries after it)."""
        start = entries[index][0].start_mark.index
        after = [i for i in kept if i > index]
        if after:
            last = after[0] - 1
            end = self._content_end(entries[last][1])
            following = entries[after[0]][0].start_mark.index
            if not self.text[self._eol(end) : following].strip():
                return Edit(start, following, ""), set(range(index, after[0]))
        else:
            last = len(entries) - 1
            if not adding:
                raise Refused("layout")
        end = self._content_end(entries[last][1])
        return Edit(self._after_prefix(start), end, ""), set(range(index, last + 1))

    def _block_sequence(self, change: _Change) -> list[Edit]:
        node = change.node
        items = node.value
        kept = [i for i in range(len(items)) if i not in change.deleted]
        if not kept and not change.appended:
            return [self._emptied(node, "[]")]
        edits = []
        for index in sorted(change.deleted):
            dash = self._dash(items[index])
            edits.append(self._delete_lines(dash, self._content_end(items[index])))
        if change.appended:
            indent = self._column(self._dash(items[0]))
            body = render.block_items(change.appended, indent, self.layout)
            edits.append(self._insert_lines(self._content_end(node), body))
        return edits

    def _flow(self, change: _Change) -> list[Edit]:
        node = change.node
        if isinstance(node, MappingNode):
            spans = [(k.start_mark.index, v.end_mark.index) for k, v in node.value]
            quoted = any(k.style == '"' for k, _ in node.value)
            new = [
                f"{render.key(k, self.layout, quoted)}: {render.flow(v, self.layout, quoted)}"
                for k, v in change.added.items()
            ]
            notes = render.comments_of(change.added)
        else:
            spans = [(item.start_mark.index, item.end_mark.index) for item in node.value]
            new = [render.flow(item, self.layout) for item in change.appended]
            notes = [c for item in change.appended for c in render.comments_of(item)]
        kept = [i for i in range(len(spans)) if i not in change.deleted]
        edits = _flow_deletions(spans, kept, sorted(change.deleted))
        if new:
            edits.append(self._flow_insert(node, spans, kept, new))
        if notes:
            edits.append(self._comment_above(edits[-1].start, notes))
        return edits

    def _flow_insert(
        self, node: Node, spans: list[tuple[int, int]], kept: list[int], new: list[str]
    ) -> Edit:
        if not kept:
            start = node.start_mark.index
            if self.text[start : start + 1] not in ("{", "["):
                raise Refused("layout")
            return Edit(start + 1, start + 1, ", ".join(new))
        start, end = spans[kept[-1]]
        closing = node.end_mark.index - 1
        if self._line_start(closing) > end:  # one item a line: keep it so
            separator = "," + self.layout.newline + " " * self._column(start)
        else:
            separator = ", "
        return Edit(end, end, separator + separator.join(new))

    # -- text helpers -----------------------------------------------------------------------

    def _in_flow(self, change: _Change) -> bool:
        return bool(getattr(change.parent, "flow_style", False))

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _eol(self, index: int) -> int:
        """Where the line holding `index` ends (before its line break)."""
        found = self.text.find("\n", index)
        end = len(self.text) if found < 0 else found
        return end - 1 if end > index and self.text[end - 1] == "\r" else end

    def _next_line(self, index: int) -> int:
        """The start of the line after the one that `index` ends content on."""
        if index > 0 and self.text[index - 1] == "\n":
            return index
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def _column(self, index: int) -> int:
        return index - self._line_start(index)

    def _first_on_line(self, index: int) -> bool:
        return not self.text[self._line_start(index) : index].strip()

    def _after_prefix(self, index: int) -> int:
        """Just after the last non-blank character before `index` (the `-` of `- key`)."""
        while index > 0 and self.text[index - 1] in " \t":
            index -= 1
        return index

    def _dash(self, item: Node) -> int:
        dash = self._after_prefix(item.start_mark.index) - 1
        if dash < 0 or self.text[dash] != "-" or not self._first_on_line(dash):
            raise Refused("layout")
        return dash

    def _content_end(self, node: Node) -> int:
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
        return self._content_end(last[1] if isinstance(node, MappingNode) else last)

    def _delete_lines(self, start: int, content_end: int) -> Edit:
        begin, end = self._line_start(start), self._next_line(content_end)
        if end == len(self.text) and not self.text.endswith("\n") and begin > 0:
            begin -= 2 if self.text[begin - 2 : begin] == "\r\n" else 1  # keep "no final newline"
        return Edit(begin, end, "")

    def _insert_lines(self, content_end: int, body: str) -> Edit:
        at = self._next_line(content_end)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            body = self.layout.newline + body[: -len(self.layout.newline)]
        return Edit(at, at, body)

    def _comment_above(self, index: int, notes: list[str]) -> Edit:
        start = self._line_start(index)
        line = self.text[start : self._eol(start)]
        pad = line[: len(line) - len(line.lstrip())]
        text = "".join(f"{pad}# {note}{self.layout.newline}" for note in notes)
        return Edit(start, start, text)

    def _emptied(self, node: Node, empty: str) -> Edit:
        """A block collection whose every entry goes: `key: {}` (or `[]`)."""
        start, end = node.start_mark.index, self._content_end(node)
        before = start
        while before > 0 and self.text[before - 1] in " \t\r\n":
            before -= 1
        if before > 0 and self.text[before - 1] in ":-":
            return Edit(before, end, " " + empty)
        return Edit(start, end, empty)


def _flow_deletions(
    spans: list[tuple[int, int]], kept: list[int], deleted: list[int]
) -> list[Edit]:
    """Delete flow items with their separating commas."""
    if not deleted:
        return []
    if not kept:
        return [Edit(spans[0][0], spans[-1][1], "")]
    edits = []
    for first, last in _runs(deleted):
        if last + 1 < len(spans):
            edits.append(Edit(spans[first][0], spans[last + 1][0], ""))
        else:
            edits.append(Edit(spans[first - 1][1], spans[last][1], ""))
    return edits


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _child(node: Node, part: Key) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key, value in reversed(node.value):
            if _named(key, str(part)):
                return key, value
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _item_floor(node: Node, index: Key) -> int:
    """Where item `index` of a sequence may start at the earliest (after the item before it)."""
    assert isinstance(index, int)
    return int(node.value[index - 1].end_mark.index if index else node.start_mark.index)


def _named(key: Node, name: str) -> bool:
    return isinstance(key, ScalarNode) and key.value == name


def _merge(target: Tree, source: Tree) -> None:
    for name, value in source.items():
        if isinstance(target.get(name), dict) and isinstance(value, dict):
            _merge(target[name], value)
        else:
            target[name] = value


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "mapping"
    return "list" if isinstance(node, SequenceNode) else "scalar"


def _dotted(path: tuple[Key, ...]) -> str:
    return ".".join(str(part) for part in path)
