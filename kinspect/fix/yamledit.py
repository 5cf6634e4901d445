"""Requests to change a YAML document at field paths, collected per node, rendered as edits.

Requests walk the composed node tree (ruamel's marks give every node its span). Nodes an
edit would change for other places too are refused: YAML aliases and anchored nodes, and
fields that may come from a merge key (`<<`).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kinspect.fix.editrender import render
from kinspect.fix.textedit import Change, Group, Key, Lines, Refused, is_null
from kinspect.fix.yamlrender import Layout, Leaf, Tree
from kinspect.kube.paths import dotted


class Editor:
    """Collects the changes asked of one document, then renders them as groups of edits."""

    def __init__(self, text: str, root: Node, layout: Layout) -> None:
        self.text = text
        self.root = root
        self.lines = Lines(text, layout)
        self._changes: dict[int, Change] = {}

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
                raise Refused("shape", dotted(path), _kind(node))
            return
        rest = path[depth:]
        if any(isinstance(part, int) for part in rest):
            raise Refused("noItem", dotted(path[: depth + 1]))
        if isinstance(node, MappingNode) and any(_named(k, "<<") for k, _ in node.value):
            raise Refused("merge", dotted(path[: depth + 1]))
        tree: Any = Leaf(value, note)
        for part in reversed(rest[1:]):
            tree = {str(part): tree}
        if isinstance(node, MappingNode):
            _merge(self._change(node, parent, key, op).added, {str(rest[0]): tree})
        elif is_null(node):
            self._fill(node, parent, key, op, {str(rest[0]): tree})
        else:
            raise Refused("shape", dotted(path[:depth]), _kind(node))

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
            raise Refused("merge", dotted(path))
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
            raise Refused("shape", dotted(path), _kind(node))

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
                out.append((Group(render(self.lines, change), change.ops), change.ops, None))
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

    def _change(self, node: Node, parent: Node | None, key: Node | None, op: int) -> Change:
        change = self._changes.get(id(node))
        if change is None:
            change = self._changes[id(node)] = Change(node, parent, key)
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
