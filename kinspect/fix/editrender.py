"""A node's requested changes → text edits: block lines, flow items, scalars, nulls.

A block mapping grows by lines at its keys' indentation after its last line, a flow
collection by `, item` before its closing bracket; a removed field loses its lines (its span
in flow style), and a collection left empty becomes `{}` or `[]`.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from kinspect.fix import yamlrender
from kinspect.fix.textedit import Change, Edit, Lines, Refused
from kinspect.fix.yamlrender import Leaf


def render(lines: Lines, change: Change) -> list[Edit]:
    """The edits that make the text of `change.node` what the change asks."""
    node = change.node
    if isinstance(node, ScalarNode):
        if isinstance(change.value, Leaf):
            return _replace_scalar(lines, change)
        return _fill_null(lines, change)
    if getattr(node, "flow_style", False):
        return _flow(lines, change)
    if isinstance(node, MappingNode):
        return _block_mapping(lines, change)
    return _block_sequence(lines, change)


def _replace_scalar(lines: Lines, change: Change) -> list[Edit]:
    node, leaf = change.node, change.value
    if getattr(node, "style", None) in ("|", ">"):
        raise Refused("blockScalar")
    start, end = node.start_mark.index, node.end_mark.index
    text = yamlrender.scalar(leaf.value, lines.layout)
    text = text if end > start else " " + text
    edits = []
    if leaf.comment:
        if not _in_flow(lines, change) and not lines.text[end : lines.eol(end)].strip():
            text += yamlrender.comment(leaf.comment)
        else:
            edits.append(lines.comment_above(start, [leaf.comment]))
    return [*edits, Edit(start, end, text)]


def _fill_null(lines: Lines, change: Change) -> list[Edit]:
    node, value = change.node, change.value
    start, end = node.start_mark.index, node.end_mark.index
    if _in_flow(lines, change) or change.key is None:
        edits = [
            Edit(start, end, (" " if end == start else "") + yamlrender.flow(value, lines.layout))
        ]
        notes = yamlrender.comments_of(value)
        return [lines.comment_above(start, notes), *edits] if notes else edits
    edits = []
    if end > start:  # `key: null`: drop the word, keep a comment after it
        gap = start
        while gap > 0 and lines.text[gap - 1] in " \t":
            gap -= 1
        edits.append(Edit(gap, end, ""))
    indent = lines.column(change.key.start_mark.index) + lines.layout.step
    if isinstance(value, Leaf):
        value = value.value
    body = (
        yamlrender.block_items(value, indent, lines.layout)
        if isinstance(value, list)
        else yamlrender.block_entries(value, indent, lines.layout)
    )
    return [*edits, lines.insert_lines(end, body)]


def _block_mapping(lines: Lines, change: Change) -> list[Edit]:
    node = change.node
    entries = node.value
    kept = [i for i in range(len(entries)) if i not in change.deleted]
    if not kept and not change.added:
        return [lines.emptied(node, "{}")]
    edits: list[Edit] = []
    covered: set[int] = set()
    for index in sorted(change.deleted):
        if index in covered:
            continue
        key, value = entries[index]
        if lines.first_on_line(key.start_mark.index):
            edits.append(lines.delete_lines(key.start_mark.index, lines.content_end(value)))
        else:
            edit, covered = _delete_inline(lines, entries, index, kept, bool(change.added))
            edits.append(edit)
    if change.added:
        indent = lines.column(entries[0][0].start_mark.index)
        body = yamlrender.block_entries(change.added, indent, lines.layout)
        edits.append(lines.insert_lines(lines.content_end(node), body))
    return edits


def _delete_inline(
    lines: Lines, entries: list[Any], index: int, kept: list[int], adding: bool
) -> tuple[Edit, set[int]]:
    """Delete the first entry of `- key: value` (and the deleted entries after it)."""
    start = entries[index][0].start_mark.index
    after = [i for i in kept if i > index]
    if after:
        last = after[0] - 1
        end = lines.content_end(entries[last][1])
        following = entries[after[0]][0].start_mark.index
        if not lines.text[lines.eol(end) : following].strip():
            return Edit(start, following, ""), set(range(index, after[0]))
    else:
        last = len(entries) - 1
        if not adding:
            raise Refused("layout")
    end = lines.content_end(entries[last][1])
    return Edit(lines.after_prefix(start), end, ""), set(range(index, last + 1))


def _block_sequence(lines: Lines, change: Change) -> list[Edit]:
    node = change.node
    items = node.value
    kept = [i for i in range(len(items)) if i not in change.deleted]
    if not kept and not change.appended:
        return [lines.emptied(node, "[]")]
    edits = []
    for index in sorted(change.deleted):
        dash = lines.dash(items[index])
        edits.append(lines.delete_lines(dash, lines.content_end(items[index])))
    if change.appended:
        indent = lines.column(lines.dash(items[0]))
        body = yamlrender.block_items(change.appended, indent, lines.layout)
        edits.append(lines.insert_lines(lines.content_end(node), body))
    return edits


def _flow(lines: Lines, change: Change) -> list[Edit]:
    node = change.node
    if isinstance(node, MappingNode):
        spans = [(k.start_mark.index, v.end_mark.index) for k, v in node.value]
        quoted = any(k.style == '"' for k, _ in node.value)
        new = [
            f"{yamlrender.key(k, lines.layout, quoted)}: {yamlrender.flow(v, lines.layout, quoted)}"
            for k, v in change.added.items()
        ]
        notes = yamlrender.comments_of(change.added)
    else:
        spans = [(item.start_mark.index, item.end_mark.index) for item in node.value]
        new = [yamlrender.flow(item, lines.layout) for item in change.appended]
        notes = [c for item in change.appended for c in yamlrender.comments_of(item)]
    kept = [i for i in range(len(spans)) if i not in change.deleted]
    edits = _flow_deletions(spans, kept, sorted(change.deleted))
    if new:
        edits.append(_flow_insert(lines, node, spans, kept, new))
    if notes:
        edits.append(lines.comment_above(edits[-1].start, notes))
    return edits


def _flow_insert(
    lines: Lines, node: Node, spans: list[tuple[int, int]], kept: list[int], new: list[str]
) -> Edit:
    if not kept:
        start = node.start_mark.index
        if lines.text[start : start + 1] not in ("{", "["):
            raise Refused("layout")
        return Edit(start + 1, start + 1, ", ".join(new))
    start, end = spans[kept[-1]]
    closing = node.end_mark.index - 1
    if lines.line_start(closing) > end:  # one item a line: keep it so
        separator = "," + lines.layout.newline + " " * lines.column(start)
    else:
        separator = ", "
    return Edit(end, end, separator + separator.join(new))


def _in_flow(lines: Lines, change: Change) -> bool:
    return bool(getattr(change.parent, "flow_style", False))


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
