"""kinspect's 1-based, code-point positions as LSP's 0-based ones, in the position encoding
agreed with the client (UTF-16 code units unless the client offered another)."""

from __future__ import annotations

from lsprotocol import types

UTF16 = "utf-16"


def units(text: str, encoding: str = UTF16) -> int:
    """Length of `text` in the encoding's code units (UTF-16: two beyond the BMP)."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Lines:
    """The lines of a buffer, to turn character offsets on a line into LSP ones."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = text.split("\n")
        self.encoding = encoding

    def line(self, index: int) -> str:
        """Line `index` (0-based) without its line break; empty past the end."""
        if 0 <= index < len(self.lines):
            return self.lines[index].removesuffix("\r")
        return ""

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of 1-based `line` and code-point `column`."""
        index = max(line - 1, 0)
        prefix = self.line(index)[: max(column - 1, 0)]
        return types.Position(line=index, character=units(prefix, self.encoding))

    def finding_range(self, line: int, column: int) -> types.Range:
        """From a finding's key (or list item) to the end of its value on that line, trailing
        comment left out; at least one character when the line has one there."""
        index = max(line - 1, 0)
        text = self.line(index)
        start = min(max(column - 1, 0), len(text))
        rest = text[start:]
        comment = 0 if rest.startswith("#") else rest.find(" #")
        end = start + len((rest if comment < 0 else rest[:comment]).rstrip())
        if end == start and start < len(text):
            end = start + 1
        return types.Range(
            start=types.Position(line=index, character=units(text[:start], self.encoding)),
            end=types.Position(line=index, character=units(text[:end], self.encoding)),
        )


def overlaps(outer: types.Range, inner: types.Range) -> bool:
    """Whether two ranges overlap (touching counts: a cursor at a range's end is in it)."""
    return not (_before(outer.end, inner.start) or _before(inner.end, outer.start))


def _before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) < (b.line, b.character)
