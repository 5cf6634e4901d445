"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values by `kinspect.parse.convert`, resolving scalars the way Kubernetes'
YAML decoder does (`kinspect.parse.scalars`). Nothing but plain data is ever built: tags never
construct objects. The limits of `kinspect.parse.limits` bound the depth, size and number of
documents.
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
from kinspect.parse.convert import Converter, DuplicateKey
from kinspect.parse.errors import check_json, one_line, reader_error, yaml_error
from kinspect.parse.jsonstream import json_values, move_marks, moved_error, placed_values
from kinspect.parse.limits import DEFAULT_LIMITS, AliasBudget, Limits, needs_scan, scan
from kinspect.parse.scalars import resolve_scalar

__all__ = ["Document", "DuplicateKey", "check_json", "compose_documents", "load_documents"]
__all__ += ["resolve_scalar"]

_NON_SPECIFIC = re.compile(r"(?:^|[\s\[{,])!(?:[\s\]},]|$)", re.MULTILINE)


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
            # Plain scalars are resolved later (kinspect.parse.scalars), as Kubernetes does: every
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
        converter = Converter(limits, shared, bang, budget)
        try:
            data = converter.convert(root, (), 1)
        except RecursionError:  # a chain of merge keys: two frames a level
            raise limits.depth_error(root.start_mark.line + 1) from None
        yield Document(index, data, root, converter.duplicates)
        index += 1
