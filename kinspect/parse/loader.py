"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values by `kinspect.parse.convert`, resolving scalars the way Kubernetes'
YAML decoder does (`kinspect.parse.scalars`). Nothing but plain data is ever built: tags never
construct objects. The limits of `kinspect.parse.limits` bound the depth, size and number of
documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node
from ruamel.yaml.reader import ReaderError

from kinspect.errors import KinspectError
from kinspect.parse.composers import c_composer, pure_composer
from kinspect.parse.convert import Converter, DuplicateKey
from kinspect.parse.errors import check_json, one_line, reader_error, yaml_error
from kinspect.parse.jsonstream import json_values, move_marks, moved_error, placed_values
from kinspect.parse.limits import DEFAULT_LIMITS, AliasBudget, Limits, needs_scan, scan
from kinspect.parse.scalars import resolve_scalar
from kinspect.parse.tags import has_non_specific_tag

__all__ = ["Document", "DuplicateKey", "check_json", "compose_documents", "load_documents"]
__all__ += ["resolve_scalar"]


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
    bang = text if has_non_specific_tag(text) else None
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
