"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values here, resolving plain scalars the way Kubernetes' YAML decoder does
(see `kinspect.parse.scalars`). Nothing but plain data is ever built: tags never construct objects.
The limits of `kinspect.parse.limits` bound the depth, size and number of documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from kinspect.errors import KinspectError
from kinspect.parse.composers import c_composer, pure_composer
from kinspect.parse.errors import check_json, one_line, reader_error, yaml_error
from kinspect.parse.limits import DEFAULT_LIMITS, Limits, needs_scan, scan
from kinspect.parse.scalars import key_text, resolve_scalar

__all__ = ["Document", "DuplicateKey", "check_json", "compose_documents", "load_documents"]
__all__ += ["resolve_scalar"]

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


def compose_documents(text: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[Node]:
    """Yield the root node of each non-empty document; YAML errors become KinspectError.

    What the C parser refuses is read again by the pure-Python one from the document that
    failed: only YAML that neither accepts is invalid.
    """
    broken = scan(text, limits) if needs_scan(text) else None
    taken = [0]
    try:
        try:
            yield from _documents(c_composer(text), broken, limits, taken)
        except MarkedYAMLError as refused:
            failed = taken[0]
            try:
                composer = pure_composer(text, limits.max_depth + 1)
                yield from _documents(composer, broken, limits, taken)
            except MarkedYAMLError as again:
                raise _first_real(refused, again, taken[0] == failed) from None
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        raise limits.depth_error(mark.line + 1, mark.column + 1) from None
    except MarkedYAMLError as exc:
        raise yaml_error(exc, text) from None
    except ReaderError as exc:
        raise reader_error(exc, text) from None
    except YAMLError as exc:
        raise KinspectError(f"invalid YAML: {one_line(str(exc))}") from None


def _first_real(refused: MarkedYAMLError, again: MarkedYAMLError, same: bool) -> MarkedYAMLError:
    """The error to report: the C parser's, unless the pure one read past it."""
    if not same or isinstance(again, MaxDepthExceededError):
        return again
    first, second = refused.problem_mark, again.problem_mark
    if first is None or second is None:
        return refused
    return again if (second.line, second.column) > (first.line, first.column) else refused


def _documents(
    composer: Any, broken: tuple[int, KinspectError] | None, limits: Limits, taken: list[int]
) -> Iterator[Node]:
    """The documents after the first `taken[0]`, counting each one taken in `taken[0]`."""
    skip, index = taken[0], 0
    try:
        while composer.check_node():
            if broken is not None and index == broken[0]:
                raise broken[1]
            node = composer.get_node()
            index += 1
            if index > limits.max_documents:
                raise limits.documents_error(node.start_mark.line + 1 if node else 1)
            if index <= skip:
                continue
            taken[0] = index
            if node is not None:
                yield node
    finally:
        composer.dispose()


def load_documents(text: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    """Yield each non-empty document of a YAML (or JSON) text, converted to plain data."""
    shared = "&" in text  # without an anchor, no node can stand in two places
    for index, root in enumerate(compose_documents(text, limits)):
        converter = _Converter(limits, shared)
        try:
            data = converter.convert(root, (), 1)
        except RecursionError:  # a chain of merge keys: two frames a level
            raise limits.depth_error(root.start_mark.line + 1) from None
        yield Document(index, data, root, converter.duplicates)


class _Converter:
    """Turns one node tree into plain data, bounding its depth and its size after aliases.

    With anchors in the text (`shared`), an anchored node is converted once; each alias
    shares that value and counts its nodes, so an alias bomb is refused in time proportional
    to the text, not to its expansion. Without anchors that bookkeeping is skipped.
    """

    def __init__(self, limits: Limits, shared: bool = True) -> None:
        self.limits = limits
        self.shared = shared
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

    def _scalar(self, node: ScalarNode) -> Any:
        self.nodes += 1  # _count(1, node), inline: a document's scalars are most of its nodes
        if self.nodes > self.limits.max_nodes:
            self._count(0, node)
        return resolve_scalar(node)

    def convert(self, node: Node, path: tuple[Key, ...], depth: int) -> Any:
        if type(node) is ScalarNode:  # the composer builds these three classes exactly
            return self._scalar(node)
        if not self.shared:
            return self._collection(node, path, depth)
        key = id(node)
        done = self._done.get(key)
        if done is not None:  # an alias: report where it is used, not the anchor
            self._count(done[1], self._stack[-1] if self._stack else node)
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
                if key_node.value == "<<" and not key_node.style:  # a merge key
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
