"""Concatenated JSON objects, read as kubectl reads them.

kubectl reads a text that starts with `{` as a stream of JSON values (`{...}{...}` or one
object per line), whatever the file's name; to YAML such a text is one broken document.
Each value is composed on its own and its positions moved to where it sits in the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ruamel.yaml.error import StreamMark
from ruamel.yaml.nodes import Node

from kinspect.errors import KinspectError

Span = tuple[int, int]


def json_values(text: str) -> list[Span] | None:
    """(start, end) of each value of a stream of two or more JSON values, else None."""
    if text.lstrip(" \t\r\n")[:1] != "{":
        return None
    decoder = json.JSONDecoder()
    spans: list[Span] = []
    position, length = 0, len(text)
    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position == length:
            return spans if len(spans) > 1 else None
        try:
            _, end = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            return None  # not a JSON stream: the YAML reading reports what is wrong
        spans.append((position, end))
        position = end


def placed_values(text: str, spans: list[Span]) -> Iterator[tuple[str, int, int, int]]:
    """(value text, offset, 0-based line, column) of each span, lines counted once."""
    line, counted = 0, 0
    for start, end in spans:
        line += text.count("\n", counted, start)
        counted = start
        column = start - (text.rfind("\n", 0, start) + 1)
        yield text[start:end], start, line, column


def move_marks(root: Node, offset: int, line: int, column: int) -> None:
    """Move the marks of a value composed alone to where it sits in the whole text."""
    stack = [root]
    while stack:
        node = stack.pop()
        node.start_mark = _moved(node.start_mark, offset, line, column)
        node.end_mark = _moved(node.end_mark, offset, line, column)
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))


def _moved(mark: object, offset: int, line: int, column: int) -> StreamMark:
    at_line = int(getattr(mark, "line", 0))
    at_column = int(getattr(mark, "column", 0)) + (column if at_line == 0 else 0)
    index = int(getattr(mark, "index", 0)) + offset
    return StreamMark(str(getattr(mark, "name", "")), index, at_line + line, at_column)


def moved_error(error: KinspectError, line: int, column: int) -> KinspectError:
    """An error found in a value composed alone, at its place in the whole text."""
    if error.line is not None:
        if error.line == 1 and error.column is not None:
            error.column += column
        error.line += line
    return error
