"""A composed node tree to plain data: depth, size and aliases bounded, duplicate keys noted.

Scalars resolve as Kubernetes reads them (kinspect.parse.scalars).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from kinspect.errors import KinspectError
from kinspect.parse.limits import AliasBudget, Limits
from kinspect.parse.scalars import is_merge_key, key_text, resolve_scalar

Key = str | int


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key that appears twice in one mapping; the last value is the one used."""

    path: tuple[Key, ...]
    key: str
    first_line: int
    first_column: int
    line: int
    column: int


class Converter:
    """Turns one node tree into plain data, bounding its depth and its size after aliases.

    With anchors in the text (`shared`), an anchored node is converted once; each alias
    shares that value and counts its nodes, so an alias bomb is refused in time proportional
    to the text, not to its expansion. Without anchors that bookkeeping is skipped.
    """

    def __init__(
        self,
        limits: Limits,
        shared: bool = True,
        text: str | None = None,
        budget: AliasBudget | None = None,
    ) -> None:
        self.limits = limits
        self.shared = shared
        self.text = text
        """The text, when it may hold the non-specific tag `!` (libyaml hides it)."""
        self.budget = budget or AliasBudget()
        self.nodes = 0
        self.duplicates: list[DuplicateKey] = []
        self._done: dict[int, tuple[Any, int]] = {}
        self._active: set[int] = set()
        self._stack: list[Node] = []

    def _count(self, nodes: int, node: Node) -> None:
        self.nodes += nodes
        if self.nodes > self.limits.max_nodes:
            mark = node.start_mark
            raise self.limits.nodes_error(mark.line + 1, mark.column + 1)

    def _alias(self, nodes: int, node: Node) -> None:
        self._count(nodes, node)
        self.budget.spent += nodes
        if self.budget.spent > self.limits.max_alias_nodes:
            mark = node.start_mark
            raise self.limits.aliases_error(mark.line + 1, mark.column + 1)

    def _scalar(self, node: ScalarNode) -> Any:
        self.nodes += 1  # _count(1, node), inline: a document's scalars are most of its nodes
        if self.nodes > self.limits.max_nodes:
            self._count(0, node)
        if self.text is not None and not node.style and self.text[node.start_mark.index] == "!":
            return node.value  # `! 123`: a string to Kubernetes, though libyaml drops the tag
        return resolve_scalar(node)

    def convert(self, node: Node, path: tuple[Key, ...], depth: int) -> Any:
        if type(node) is ScalarNode:  # the composer builds these three classes exactly
            return self._scalar(node)
        if not self.shared:
            return self._collection(node, path, depth)
        key = id(node)
        done = self._done.get(key)
        if done is not None:  # an alias: report where it is used, not the anchor
            self._alias(done[1], self._stack[-1] if self._stack else node)
            return done[0]
        if key in self._active:
            mark = node.start_mark
            raise KinspectError(
                "recursive YAML alias",
                line=mark.line + 1,
                column=mark.column + 1,
                hint="an alias cannot stand for the node that contains it",
            )
        before = self.nodes
        self._active.add(key)
        self._stack.append(node)
        try:
            value = self._collection(node, path, depth)
        finally:
            self._active.discard(key)
            self._stack.pop()
        self._done[key] = (value, self.nodes - before)
        return value

    def _collection(self, node: Node, path: tuple[Key, ...], depth: int) -> Any:
        if depth > self.limits.max_depth:
            raise self.limits.depth_error(node.start_mark.line + 1, node.start_mark.column + 1)
        self._count(1, node)
        if type(node) is SequenceNode:
            return [
                self._scalar(item)
                if type(item) is ScalarNode
                else self.convert(item, (*path, i), depth + 1)
                for i, item in enumerate(node.value)
            ]
        return self._mapping(node, path, depth)

    def _mapping(self, node: Node, path: tuple[Key, ...], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if type(key_node) is ScalarNode:
                if is_merge_key(key_node):
                    self._merge(result, value_node, path, depth)
                    continue
                key = self._scalar(key_node)
                key = key if type(key) is str else key_text(key)
            else:
                key = key_text(self.convert(key_node, path, depth + 1))
            if key in seen:
                self._duplicate(path, key, seen[key], key_node)
                del result[key]
            seen[key] = key_node
            result[key] = (
                self._scalar(value_node)
                if type(value_node) is ScalarNode
                else self.convert(value_node, (*path, key), depth + 1)
            )
        return result

    def _duplicate(self, path: tuple[Key, ...], key: str, first: Node, second: Node) -> None:
        self.duplicates.append(
            DuplicateKey(
                path,
                key,
                first.start_mark.line + 1,
                first.start_mark.column + 1,
                second.start_mark.line + 1,
                second.start_mark.column + 1,
            )
        )

    def _merge(
        self, result: dict[str, Any], value: Node, path: tuple[Key, ...], depth: int
    ) -> None:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for source in sources:
            merged = self.convert(source, path, depth + 1)
            if not isinstance(merged, dict):
                mark = source.start_mark
                raise KinspectError(
                    "merge key `<<` needs a mapping or a list of mappings",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            for key, item in merged.items():
                result.setdefault(key, item)
