"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values here, resolving plain scalars the way Kubernetes' YAML decoder does
(see `kinspect.scalars`). Nothing but plain data is ever built: tags never construct objects.
The limits of `kinspect.limits` bound the depth, size and number of documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from kinspect.errors import KinspectError
from kinspect.jsonstream import json_values, move_marks, moved_error, placed_values
from kinspect.limits import DEFAULT_LIMITS, AliasBudget, Limits, needs_scan, scan
from kinspect.parse_errors import check_json, one_line, reader_error, yaml_error
from kinspect.scalars import is_merge_key, key_text, resolve_scalar

__all__ = ["Document", "DuplicateKey", "check_json", "compose_documents", "load_documents"]
__all__ += ["resolve_scalar"]

Key = str | int
_NON_SPECIFIC = re.compile(r"(?:^|[\s\[{,])!(?:[\s\]},]|$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key that appears twice in one mapping; the last value is the one used."""

    path: tuple[Key, ...]
    key: str
    first_line: int
    first_column: int
    line: int
    column: int


@dataclass(slots=True)
class Document:
    """One YAML document: its plain data and the node tree its positions come from."""

    index: int
    data: Any
    root: Node
    duplicates: list[DuplicateKey] = field(default_factory=list)

    @property
    def line(self) -> int:
        """1-based line where the document's content starts."""
        return int(self.root.start_mark.line) + 1


def _make_composer(text: str) -> Any:
    return _composer_class()(text)


@cache
def _composer_class() -> type:
    """The composer: ruamel's C parser, with every untagged node given its kind's default tag.

    One class for the whole run (a class per text would be garbage only the cycle collector
    frees, and the collector runs rarely in a large run).
    """
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.resolver import BaseResolver

    class Composer(CParser, BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            BaseResolver.__init__(self, loadumper=self)
            self._defaults = {
                ScalarNode: self.DEFAULT_SCALAR_TAG,
                SequenceNode: self.DEFAULT_SEQUENCE_TAG,
                MappingNode: self.DEFAULT_MAPPING_TAG,
            }

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # Plain scalars are resolved later (kinspect.scalars), as Kubernetes does: every
            # untagged node gets its kind's default tag, without BaseResolver's lookups.
            return self._defaults[kind]

        def dispose(self) -> None:
            CParser.dispose(self)
            self.__dict__.clear()  # its references to itself: no cycle left to collect

    return Composer


def compose_documents(text: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[Node]:
    """Yield the root node of each non-empty document; YAML errors become KinspectError."""
    broken = scan(text, limits) if needs_scan(text) else None
    composer = _make_composer(text)
    index = 0
    try:
        while composer.check_node():
            if broken is not None and index == broken[0]:
                raise broken[1]
            node = composer.get_node()
            index += 1
            if index > limits.max_documents:
                raise limits.documents_error(node.start_mark.line + 1 if node else 1)
            if node is not None:
                yield node
    except MarkedYAMLError as exc:
        raise yaml_error(exc, text) from None
    except ReaderError as exc:
        raise reader_error(exc, text) from None
    except YAMLError as exc:
        raise KinspectError(f"invalid YAML: {one_line(str(exc))}") from None
    finally:
        composer.dispose()


def load_documents(
    text: str, limits: Limits = DEFAULT_LIMITS, budget: AliasBudget | None = None
) -> Iterator[Document]:
    """Yield each non-empty document of a YAML (or JSON) text, converted to plain data.

    `budget`: what the aliases of the run read so far stand for (bounded by the limits).
    A stream of concatenated JSON objects gives one document per object, as in kubectl.
    """
    budget = budget or AliasBudget()
    spans = json_values(text)
    if spans is None:
        yield from _converted(text, limits, budget)
        return
    for index, (value, offset, line, column) in enumerate(placed_values(text, spans)):
        if index >= limits.max_documents:
            raise limits.documents_error(line + 1)
        for document in _converted(value, limits, budget, (offset, line, column)):
            document.index = index
            yield document


def _converted(
    text: str, limits: Limits, budget: AliasBudget, place: tuple[int, int, int] | None = None
) -> Iterator[Document]:
    """The documents of `text`; `place`: where it sits in a larger text (offset, line, column)."""
    shared = "&" in text  # without an anchor, no node can stand in two places
    bang = text if _NON_SPECIFIC.search(text) else None
    roots = compose_documents(text, limits)
    index = 0
    while True:
        try:
            root = next(roots, None)
        except KinspectError as exc:
            raise exc if place is None else moved_error(exc, place[1], place[2]) from None
        if root is None:
            return
        if place is not None:
            move_marks(root, *place)
            bang = None  # JSON has no tags
        converter = _Converter(limits, shared, bang, budget)
        try:
            data = converter.convert(root, (), 1)
        except RecursionError:  # a chain of merge keys: two frames a level
            raise limits.depth_error(root.start_mark.line + 1) from None
        yield Document(index, data, root, converter.duplicates)
        index += 1


class _Converter:
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
