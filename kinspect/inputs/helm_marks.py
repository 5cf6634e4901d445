"""Helm templates with line marks: a render of them tells which template line made each line.

A mark names a template file, line and column. It goes right before the first literal text of
a line (and of the text after an action on the line), and before an action that starts a
line and prints something (`include`, `toYaml`, ...), as the output of a `{{ " #mark" }}`
action of its own. Marks sit where no whitespace trimming (`{{-`, `-}}`) can see them, so the
render with its marks taken out is the render. Named templates are marked only when they
print YAML (`key:` lines), not names or flags that other templates compare or truncate.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]
_WORD = re.compile(r"\{\{-?\s*(/\*|\$\w*\s*:?=|[\w.]+)")
_BLOCKS = frozenset({"if", "range", "with", "define", "block"})
_SILENT = _BLOCKS | {"else", "end", "break", "continue", "/*"}
_YAML_KEY = re.compile(r"""^(?:-[ ]+)*[^\s#:{}\[\]"'|>&*!%@`-][^\s:]*:(?:[ ]|$)""")


@dataclass(frozen=True, slots=True)
class Marker:
    """How marks are written in one render (a random `nonce` keeps them apart from content)."""

    nonce: str

    def literal(self, file: int, line: int, column: int) -> str:
        return f"K{self.nonce}L{file}.{line}.{column}Q"

    def action(self, file: int, line: int, column: int) -> str:
        return f" #K{self.nonce}A{file}.{line}.{column}Q"

    def pattern(self) -> re.Pattern[str]:
        """A mark: groups file, line, column; `A` marks follow an action."""
        return re.compile(rf"(?: #K{self.nonce}(A)|K{self.nonce}L)(\d+)\.(\d+)\.(\d+)Q")


def actions(text: str) -> list[Span] | None:
    """The `{{ ... }}` actions of a template, as [start, end) spans; None if one is unclosed."""
    spans: list[Span] = []
    index = 0
    while (start := text.find("{{", index)) >= 0:
        end = _action_end(text, start)
        if end is None:
            return None
        spans.append((start, end))
        index = end
    return spans


def _trims(text: str, start: int) -> bool:
    """Whether the action at `start` opens with `{{- ` (trim marker: a dash, then a space)."""
    return text.startswith("{{-", start) and text[start + 3 : start + 4].isspace()


def _action_end(text: str, start: int) -> int | None:
    index = start + 2
    if _trims(text, start):
        index += 1
    while text[index : index + 1].isspace():
        index += 1
    if text.startswith("/*", index):  # a comment: quotes in it mean nothing
        close = text.find("*/", index)
        end = text.find("}}", close) if close >= 0 else -1
        return end + 2 if end >= 0 else None
    while index < len(text):
        char = text[index]
        if char in "\"'`":
            close = _closing(text, index, char)
            if close < 0:
                return None
            index = close + 1
        elif text.startswith("}}", index):
            return index + 2
        else:
            index += 1
    return None


def _closing(text: str, start: int, quote: str) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\" and quote != "`":
            index += 2
            continue
        if text[index] == quote:
            return index
        if text[index] == "\n" and quote != "`":
            return -1
        index += 1
    return -1


def instrument(text: str, file: int, partial: bool, marker: Marker) -> str:
    """The template with marks; unchanged when its actions cannot be told apart."""
    spans = actions(text)
    if spans is None:
        return text
    wanted = _marked_ranges(text, spans, partial)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    line_starts = _line_starts(text)
    for number, start in enumerate(line_starts, start=1):
        if any(low <= start < high for low, high in wanted):
            edits.extend(_line_edits(text, spans, start, number, file, marker))
    out: list[str] = []
    last = 0
    for start, end, replacement in sorted(edits):
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text) if match.end() < len(text))
    return starts


def _marked_ranges(text: str, spans: list[Span], partial: bool) -> list[Span]:
    """Where marks go: YAML-printing define bodies, and a template file's own text."""
    ranges: list[Span] = []
    outside = 0
    for body in _define_bodies(text, spans):
        if not partial:
            ranges.append((outside, body[0]))
        if _prints_yaml(text, spans, body):
            ranges.append(body)
        outside = body[1]
    if not partial:
        ranges.append((outside, len(text) + 1))
    return ranges


def _define_bodies(text: str, spans: list[Span]) -> Iterator[Span]:
    stack: list[tuple[str, int]] = []
    for start, end in spans:
        match = _WORD.match(text, start)
        word = match.group(1) if match else ""
        if word in _BLOCKS:
            stack.append((word, end))
        elif word == "end" and stack:
            opened, body_start = stack.pop()
            if opened == "define":
                yield body_start, start


def _prints_yaml(text: str, spans: list[Span], body: Span) -> bool:
    return any(_YAML_KEY.match(line) for line in _literal_lines(text, spans, body))


def _literal_lines(text: str, spans: list[Span], body: Span) -> Iterator[str]:
    """Lines of `body` that start with literal text (after their indentation)."""
    inside = [(s, e) for s, e in spans if e > body[0] and s < body[1]]
    offset = body[0]
    for line in text[body[0] : body[1]].split("\n"):
        stripped = line.lstrip(" \t")
        first = offset + len(line) - len(stripped)
        if stripped and not any(s <= first < e for s, e in inside):
            yield stripped
        offset += len(line) + 1


def _line_edits(
    text: str, spans: list[Span], start: int, number: int, file: int, marker: Marker
) -> Iterator[tuple[int, int, str]]:
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    index = start
    first = True  # nothing printed on the line yet
    for low, high in _overlapping(spans, start, end):
        if low < start:  # the line starts inside an action that began above
            index, first = high, False
            continue
        literal = _literal_start(text, index, low, first)
        prints = _prints(text, low)
        if literal is not None:
            yield literal, literal, marker.literal(file, number, literal - start)
            first = False
        elif first and prints:
            opening = 3 if _trims(text, low) else 2
            mark = marker.action(file, number, low - start)
            yield low, low + opening, f'{text[low : low + opening]} "{mark}" }}}}{{{{'
        index, first = high, first and not prints
    literal = _literal_start(text, index, end, first)
    if literal is not None:
        yield literal, literal, marker.literal(file, number, literal - start)


def _overlapping(spans: list[Span], start: int, end: int) -> list[Span]:
    """The actions that overlap [start, end), from the sorted, disjoint `spans`."""
    first = bisect.bisect_right(spans, start, key=lambda span: span[1])
    found: list[Span] = []
    for span in spans[first:]:
        if span[0] >= end:
            break
        found.append(span)
    return found


def _literal_start(text: str, start: int, end: int, first: bool) -> int | None:
    """Where a mark goes before the literal text in [start, end), if it holds any."""
    index = start
    while index < end and text[index] in " \t\r":
        index += 1
    if first:  # marks go after list dashes and flow openers, where YAML still reads them
        while index < end and (text.startswith("- ", index) or text[index] in "[{ "):
            index += 1
    if index >= end or text[index] == "#" or text[index] in "\r\n":
        return None
    if first and text.startswith(("---", "..."), index):
        return None
    return index


def _prints(text: str, start: int) -> bool:
    match = _WORD.match(text, start)
    if match is None:
        return True
    word = match.group(1)
    return word not in _SILENT and not word.startswith("$")
