"""Split a YAML stream into its documents by text, and read each one's kind cheaply.

A `---` (or `...`) line at column 0 always ends a document: YAML forbids document markers
inside scalars. Parsing documents one by one lets a broken document be reported while the
ones after it are still inspected, and lets the engine skip building documents that no
enabled rule reads (CustomResourceDefinitions hold most of the bytes of real repositories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Patterns for whole lines start with `\n` and run on "\n" + text: a literal first character
# lets the regex engine jump between candidates, where `^` (MULTILINE) tries every position
# (ten times slower on large CustomResourceDefinitions).
_MARKER = re.compile(r"\n(?:---|\.\.\.)(?=[ \t\r\n]|$)")
_TOP_KIND = re.compile(r"\nkind:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)
_TOP_API = re.compile(r"\napiVersion:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)
_SIMPLE_VALUE = re.compile(r"""(["']?)([A-Za-z0-9][A-Za-z0-9./-]*)\1(?:[ \t]+#.*)?""")
_FIRST_CONTENT = re.compile(r"^(?!#|---|\.\.\.)[^\s]", re.MULTILINE)
_BLOCK_KEY = re.compile(r"[A-Za-z_\"'][^:{}\[\]]*:(?:[ \t]|$)")
_METADATA = re.compile(r"\nmetadata:[ \t]*\r?\n((?:(?:[ \t][^\n]*|[ \t]*)(?:\n|$))*)", re.MULTILINE)
_ENTRY = re.compile(r"([A-Za-z][A-Za-z0-9_.-]*):(?:[ \t]+(\S.*?))?[ \t]*")


@dataclass(frozen=True, slots=True)
class Chunk:
    """The text of one document (with its marker line) and the 0-based line it starts on."""

    text: str
    line: int


def split_documents(text: str, limit: int | None = None) -> list[Chunk]:
    """Documents of a stream, in order; a stream with directives (`%YAML`) stays whole.

    Past `limit` documents, the rest of the text is one last chunk (the parser refuses it).
    """
    if text.startswith("%") or "\n%" in text:
        return [Chunk(text, 0)]
    chunks: list[Chunk] = []
    start = 0
    line = 0
    for match in _MARKER.finditer("\n" + text):
        if limit is not None and len(chunks) >= limit:
            break
        # `---` opens the next document; `...` closes the current one, line included.
        # (Offsets in "\n" + text: the marker starts at match.start() + 1, i.e. at
        # match.start() in `text`, and ends at match.end() - 1.)
        opens = match.group() == "\n---"
        boundary = match.start() if opens else _line_end(text, match.end() - 1)
        if boundary <= start:
            continue
        piece = text[start:boundary]
        chunks.append(Chunk(piece, line))
        line += piece.count("\n")
        start = boundary
    if start < len(text) or not chunks:
        chunks.append(Chunk(text[start:], line))
    return chunks


def _line_end(text: str, position: int) -> int:
    newline = text.find("\n", position)
    return len(text) if newline < 0 else newline + 1


@dataclass(frozen=True, slots=True)
class Header:
    """A document's top-level apiVersion and kind, and where its content starts (0-based)."""

    api_version: str
    kind: str
    line: int
    column: int


def header(chunk: str) -> Header | None:
    """The header of a plain block-mapping document, or None when unsure.

    Unsure means anything but exactly one simple `apiVersion:` and `kind:` at column 0 in a
    document whose content is a block mapping: the caller must then parse the document.
    """
    first = _FIRST_CONTENT.search(chunk)
    if first is None or not _BLOCK_KEY.match(chunk, first.start()):
        return None
    kinds = _TOP_KIND.findall("\n" + chunk)
    versions = _TOP_API.findall("\n" + chunk)
    if len(kinds) != 1 or len(versions) != 1:
        return None
    kind = _SIMPLE_VALUE.fullmatch(kinds[0])
    version = _SIMPLE_VALUE.fullmatch(versions[0])
    if kind is None or version is None:
        return None
    line = chunk.count("\n", 0, first.start())
    return Header(version.group(2), kind.group(2), line, 0)


def metadata_of(chunk: str) -> dict[str, Any] | None:
    """`metadata.name` and `.namespace` of a block-mapping document, or None when unsure.

    Reads the lines of the top-level `metadata:` block whose indentation is that of its first
    key; each must be a simple `key: value` or `key:` opening a nested block.
    """
    blocks = _METADATA.findall("\n" + chunk)
    if len(blocks) != 1:
        return None
    lines = [
        line
        for line in blocks[0].splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return None
    indent = len(lines[0]) - len(lines[0].lstrip(" "))
    found: dict[str, Any] = {}
    for line in lines:
        if len(line) - len(line.lstrip(" ")) != indent:
            continue
        entry = _ENTRY.fullmatch(line[indent:].rstrip("\r"))
        if entry is None:
            return None
        key, value = entry.group(1), entry.group(2)
        if key in ("name", "namespace", "generateName"):
            if key in found or value is None:
                return None
            found[key] = _scalar(value)
            if found[key] is _UNSURE:
                return None
    return found


_UNSURE = object()


def _scalar(text: str) -> Any:
    from kinspect.parse.scalars import implicit_value

    simple = _SIMPLE_VALUE.fullmatch(text)
    if simple is None:
        return _UNSURE
    if simple.group(1):
        return simple.group(2)
    return implicit_value(simple.group(2))


def syntax_ok(text: str) -> bool:
    """libyaml's parser over the document without building anything (C only)."""
    from _ruamel_yaml import CParser

    parser = CParser(text)
    try:
        parser.raw_parse()
    except Exception:  # any parse problem: build it normally so the error is reported as usual
        return False
    finally:
        parser.dispose()
    return True
