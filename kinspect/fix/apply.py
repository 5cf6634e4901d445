"""Apply document operations to a manifest's text, one document at a time. No I/O.

Documents are independent in YAML (anchors do not cross them), so each document with work is
cut out of the stream (from the line of its first node to the line of the next document's)
and edited in rounds: parse, ask the editor for the edits every operation still needs, apply
those that do not collide, repeat. The last parse is also the check: the document's data must
be exactly its original data with the operations applied.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kinspect.errors import KinspectError
from kinspect.fix.textedit import Edit, Group, Refused, apply_edits, select
from kinspect.fix.yamledit import Editor
from kinspect.fix.yamlrender import Layout
from kinspect.kube.paths import Path, get_path
from kinspect.parse.limits import Limits
from kinspect.parse.loader import Document, load_documents
from kinspect.ruleset.fixspec import same
from kinspect.ruleset.schema import CompiledSchema

MAX_ROUNDS = 16
_MISSING = object()


@dataclass(frozen=True, slots=True)
class DocOp:
    """One operation at a path of one document, its value already filled in."""

    document: int
    action: str
    path: Path
    value: Any = None
    note: str | None = None
    when: CompiledSchema | None = None
    match: CompiledSchema | None = None


@dataclass
class Applied:
    """The edited text (or document slice), the operations refused (by number) and whether
    the result holds exactly the intended data."""

    text: str
    refused: dict[int, Refused]
    exact: bool


def apply_ops(
    text: str, documents: list[Document], ops: list[DocOp], layout: Layout, limits: Limits
) -> Applied:
    """Edit the documents that `ops` name; the rest of the text is copied as it is."""
    by_document: dict[int, dict[int, DocOp]] = {}
    for number, op in enumerate(ops):
        by_document.setdefault(op.document, {})[number] = op
    pieces: list[str] = []
    position = 0
    refused: dict[int, Refused] = {}
    exact = True
    for index in sorted(by_document):
        edited = edit_document(text, documents, index, by_document[index], layout, limits)
        refused.update(edited.refused)
        exact = exact and edited.exact
        start, end = document_bounds(text, documents, index)
        pieces += [text[position:start], edited.text]
        position = end
    pieces.append(text[position:])
    return Applied("".join(pieces), refused, exact)


def edit_document(
    text: str,
    documents: list[Document],
    index: int,
    ops: dict[int, DocOp],
    layout: Layout,
    limits: Limits,
) -> Applied:
    """Apply numbered operations to document `index`: its new slice of the text."""
    refused: dict[int, Refused] = {}
    bounds = document_bounds(text, documents, index)
    piece, data = _edit(text, bounds, documents[index], ops, refused, layout, limits)
    expected = copy.deepcopy(documents[index].data)
    for number, op in ops.items():
        if number not in refused:
            expected = apply_plain(expected, op)
    return Applied(piece, refused, data is not _MISSING and same(expected, data))


def document_bounds(text: str, documents: list[Document], index: int) -> tuple[int, int]:
    """The slice of document `index`: its first line up to the next document's first line."""
    start = text.rfind("\n", 0, documents[index].root.start_mark.index) + 1
    if index + 1 == len(documents):
        return start, len(text)
    return start, text.rfind("\n", 0, documents[index + 1].root.start_mark.index) + 1


def _edit(
    whole: str,
    bounds: tuple[int, int],
    first: Document,
    ops: dict[int, DocOp],
    refused: dict[int, Refused],
    layout: Layout,
    limits: Limits,
) -> tuple[str, Any]:
    """Edit one document in rounds; its final text and data (_MISSING: unreadable).

    The first round works on the tree parsed from the whole text (marks are offsets in
    `whole`); later rounds parse the document's edited slice alone.
    """
    start, end = bounds
    text, base, document = whole[start:end], whole, first
    for _ in range(MAX_ROUNDS):
        edits = _round(base, document, ops, refused, layout)
        if not edits:
            return text, document.data
        offset = start if base is whole else 0
        if any(e.start < offset or e.end > offset + len(text) for e in edits):
            return text, _MISSING  # an edit outside the document: never expected
        text = apply_edits(text, [Edit(e.start - offset, e.end - offset, e.text) for e in edits])
        try:
            documents = list(load_documents(text, limits))
        except KinspectError:
            return text, _MISSING
        # The slice may end with the next document's `---`: an empty document after ours.
        if not documents or any(d.data is not None for d in documents[1:]):
            return text, _MISSING
        base, document = text, documents[0]
    raise KinspectError("the fixes did not settle (hint: please report this)")


def _round(
    text: str,
    document: Document,
    ops: dict[int, DocOp],
    refused: dict[int, Refused],
    layout: Layout,
) -> list[Edit]:
    """The edits of one round: every group that collides with no earlier one."""
    editor = Editor(text, document.root, layout)
    for number, op in ops.items():
        if number not in refused:
            try:
                _request(editor, op, number, document.data)
            except Refused as exc:
                refused[number] = exc
    groups: list[Group] = []
    for group, members, refusal in editor.groups():
        if group is not None:
            groups.append(group)
        elif refusal is not None:
            refused.update(dict.fromkeys(members, refusal))
    edits = select(groups)
    if not edits:
        for number, op in ops.items():  # what no edit could serve
            if number not in refused and wants(op, document.data):
                refused[number] = Refused("layout", ".".join(map(str, op.path)))
    return edits


def wants(op: DocOp, data: Any) -> bool:
    """Whether `op` still asks for a change in `data`."""
    current = value_at(data, op.path)
    if op.when is not None and (current is _MISSING or not op.when.is_valid(current)):
        return False
    if op.action == "set":
        return current is _MISSING or not holds_value(current, op.value)
    if op.action == "remove":
        return current is not _MISSING
    if op.action == "add":
        return not (isinstance(current, list) and any(same(i, op.value) for i in current))
    return bool(_matching(op, current))


def _matching(op: DocOp, current: Any) -> list[int]:
    if not isinstance(current, list) or op.match is None:
        return []
    return [i for i, item in enumerate(current) if op.match.is_valid(item)]


def _request(editor: Editor, op: DocOp, number: int, data: Any) -> None:
    """Ask the editor for what `op` still needs in `data`."""
    if not wants(op, data):
        return
    if op.action == "set":
        editor.set_field(op.path, op.value, op.note, number)
    elif op.action == "remove":
        editor.remove_field(op.path, number)
    elif op.action == "add":
        editor.append_item(op.path, op.value, op.note, number)
    else:
        editor.remove_items(op.path, _matching(op, value_at(data, op.path)), number)


def holds_value(current: Any, value: Any) -> bool:
    """Whether `current` already is `value` (a mapping value: has each of its fields)."""
    if isinstance(value, dict) and value and isinstance(current, dict):
        return all(k in current and holds_value(current[k], v) for k, v in value.items())
    return same(current, value)


def apply_plain(data: Any, op: DocOp) -> Any:
    """`op` applied to plain data, as the text edits should apply it."""
    if not wants(op, data):
        return data
    current = value_at(data, op.path)
    parent = get_path(data, op.path[:-1])
    if op.action == "remove":
        del parent[op.path[-1]]
    elif op.action == "removeItems":
        drop = set(_matching(op, current))
        current[:] = [item for i, item in enumerate(current) if i not in drop]
    elif op.action == "add" and isinstance(current, list):
        current.append(op.value)
    else:
        value = [op.value] if op.action == "add" else op.value
        return _set_plain(data, op.path, value)
    return data


def _set_plain(data: Any, path: Path, value: Any) -> Any:
    if not path:
        if isinstance(value, dict) and value and isinstance(data, dict):
            for key, item in value.items():
                data[key] = _set_plain(data.get(key), (), item)
            return data
        return copy.deepcopy(value)
    head = path[0]
    if isinstance(data, list) and isinstance(head, int):
        data[head] = _set_plain(data[head], path[1:], value)
        return data
    container = data if isinstance(data, dict) else {}
    container[head] = _set_plain(container.get(head), path[1:], value)
    return container


def value_at(data: Any, path: Path) -> Any:
    """The value at `path`, or _MISSING (unlike get_path, a null value is not missing)."""
    if not path:
        return data
    parent = get_path(data, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        return parent[last]
    return _MISSING


def missing(value: Any) -> bool:
    """Whether value_at found nothing."""
    return value is _MISSING
