"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values here, resolving plain scalars the way Kubernetes' YAML decoder does
(see `kinspect.scalars`). Nothing but plain data is ever built: tags never construct objects.
The limits of `kinspect.limits` bound the depth, size and number of documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from kinspect.errors import KinspectError
from kinspect.limits import DEFAULT_LIMITS, Limits, needs_scan, scan
from kinspect.parse_errors import check_json, one_line, reader_error, yaml_error
from kinspect.scalars import key_text, resolve_scalar

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


def _make_composer(text: str) -> Any:
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

    return Composer(text)


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


def load_documents(text: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    """Yield each non-empty document of a YAML (or JSON) text, converted to plain data."""
    for index, root in enumerate(compose_documents(text, limits)):
        converter = _Converter(limits)
        try:
            data = converter.convert(root, (), 1)
        except RecursionError:  # a chain of merge keys: two frames a level
            raise limits.depth_error(root.start_mark.line + 1) from None
        yield Document(index, data, root, converter.duplicates)


class _Converter:
    """Turns one node tree into plain data, bounding its depth and its size after aliases.

    An anchored node is converted once; each alias shares that value and counts its nodes,
    so an alias bomb is refused in time proportional to the text, not to its expansion.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
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

    def convert(self, node: Node, path: tuple[Key, ...], depth: int) -> Any:
        if isinstance(node, ScalarNode):
            self._count(1, node)
            return resolve_scalar(node)
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
        if depth > self.limits.max_depth:
            raise self.limits.depth_error(node.start_mark.line + 1, node.start_mark.column + 1)
        before = self.nodes
        self._count(1, node)
        self._active.add(key)
        self._stack.append(node)
        try:
            if isinstance(node, SequenceNode):
                value: Any = [
                    self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)
                ]
            else:
                value = self._mapping(node, path, depth)
        finally:
            self._active.discard(key)
            self._stack.pop()
        self._done[key] = (value, self.nodes - before)
        return value

    def _mapping(self, node: Node, path: tuple[Key, ...], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if _is_merge_key(key_node):
                self._merge(result, value_node, path, depth)
                continue
            key = key_text(self.convert(key_node, path, depth + 1))
            if key in seen:
                self._duplicate(path, key, seen[key], key_node)
                del result[key]
            seen[key] = key_node
            result[key] = self.convert(value_node, (*path, key), depth + 1)
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


def _is_merge_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "<<" and not node.style
