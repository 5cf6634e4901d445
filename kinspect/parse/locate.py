"""Field path to position: the deepest node of the path that exists in the document."""

from __future__ import annotations

from collections.abc import Sequence

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kinspect.errors import KinspectError
from kinspect.parse.scalars import UNTAGGED, is_merge_key, key_text, resolve_scalar

PathKey = str | int
Position = tuple[int, int]


def locate(root: Node, path: Sequence[PathKey]) -> tuple[Position, int]:
    """1-based (line, column) of the deepest existing node on `path`, and its depth.

    A mapping entry points at its key (the `hostNetwork:` of `hostNetwork: true`); a list
    item at the item. Duplicate keys resolve to the last one, as Kubernetes does.
    """
    node = root
    position = _position(root)
    depth = 0
    for key in path:
        found = _child(node, key)
        if found is None:
            break
        anchor, node = found
        position = _position(anchor)
        depth += 1
    return position, depth


def _child(node: Node, key: PathKey) -> tuple[Node, Node] | None:
    if isinstance(node, MappingNode):
        return _mapping_child(node, str(key))
    if isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: Node = node.value[key]
        return item, item
    return None


def _mapping_child(node: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value_node in reversed(node.value):
        if isinstance(key_node, ScalarNode) and (key_node.value == key or _read(key_node) == key):
            return key_node, value_node
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and is_merge_key(key_node):
            for source in _merge_sources(value_node):
                found = _mapping_child(source, key) if isinstance(source, MappingNode) else None
                if found is not None:
                    return found
    return None


def _read(node: ScalarNode) -> str | None:
    """A tagged key as Kubernetes reads it (`!!binary a2luZA==` is `kind`)."""
    if node.ctag is UNTAGGED:
        return None
    try:
        return key_text(resolve_scalar(node))
    except KinspectError:
        return None


def _merge_sources(node: Node) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _position(node: Node) -> Position:
    mark = node.start_mark
    return int(mark.line) + 1, int(mark.column) + 1


def node_at(root: Node, path: Sequence[PathKey]) -> Node | None:
    """The node at `path` (None when some key of it is missing)."""
    node = root
    for key in path:
        found = _child(node, key)
        if found is None:
            return None
        node = found[1]
    return node
