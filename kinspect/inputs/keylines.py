"""Find the line of a field in YAML-like text that may not parse (Helm templates).

Templates are not YAML until rendered, so they are read line by line: each `key:` line and
its indentation give the chain of keys above it. A field is found when exactly one line
matches its path better than every other line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PathKey = str | int
_KEY_LINE = re.compile(
    r"""^(?P<indent>[ ]*)(?P<dash>-[ ]+)?"""
    r"""(?P<key>"[^"{}]+"|'[^'{}]+'|[^\s"'#{}:][^\s:{}]*)[ ]*:(?:[ ]|$)"""
)
_RANGE = re.compile(r"\{\{-?\s*range\b")
_SEPARATOR = re.compile(r"^---(?:\s|$)")
_ACTION = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True, slots=True)
class KeyLine:
    """A `key:` (or `- key:`) line: 1-based line, 0-based column of the key and of the dash."""

    line: int
    column: int
    key: str
    dash: int | None


def segments(text: str) -> list[tuple[int, list[str]]]:
    """The text split before each `---` line: (1-based first line, lines) of each part."""
    parts: list[tuple[int, list[str]]] = [(1, [])]
    for number, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line):
            parts.append((number, []))
        parts[-1][1].append(line)
    return parts


def is_separator(line: str) -> bool:
    """Whether a line starts a new YAML document."""
    return _SEPARATOR.match(line) is not None


def has_content(lines: Sequence[str], template: bool = False) -> bool:
    """Whether a segment holds anything besides blanks, comments and its separator.

    In a template, lines holding nothing but `{{ ... }}` actions do not count either.
    """
    for line in lines:
        text = _ACTION.sub("", line).strip() if template else line.strip()
        if text and not text.startswith("#") and not _SEPARATOR.match(line):
            return True
    return False


def key_lines(lines: Sequence[str], first_line: int = 1) -> list[KeyLine]:
    """Every plain `key:` line; template directives and comments are skipped."""
    found: list[KeyLine] = []
    for offset, text in enumerate(lines):
        match = _KEY_LINE.match(text)
        if match is None:
            continue
        key = match.group("key").strip("\"'")
        dash = len(match.group("indent")) if match.group("dash") else None
        found.append(KeyLine(first_line + offset, match.start("key"), key, dash))
    return found


def ancestors(entries: Sequence[KeyLine], index: int) -> list[KeyLine]:
    """The key lines enclosing `entries[index]`, innermost first."""
    chain: list[KeyLine] = []
    limit = entries[index].column
    if entries[index].dash is not None:
        limit = entries[index].dash + 1  # type: ignore[operator]
    for entry in reversed(entries[:index]):
        if entry.column < limit:
            chain.append(entry)
            limit = entry.column if entry.dash is None else entry.dash + 1
        elif entry.dash is not None and entry.dash < limit <= entry.column:
            limit = entry.dash + 1  # the start of the list item we are in; its keys are siblings
    return chain


def find(
    lines: Sequence[str], path: Sequence[PathKey], first_line: int = 1
) -> tuple[int, int] | None:
    """1-based (line, column) of the node at `path`, when one line matches it best."""
    entries = key_lines(lines, first_line)
    if not path:
        return None
    if isinstance(path[-1], int):
        return _find_item(lines, entries, path, first_line)
    found = _best(entries, path)
    return None if found is None else (found.line, found.column + 1)


def _best(entries: Sequence[KeyLine], path: Sequence[PathKey]) -> KeyLine | None:
    wanted = [key for key in reversed(path) if isinstance(key, str)]
    scored: list[tuple[tuple[int, bool], KeyLine]] = []
    for index, entry in enumerate(entries):
        if entry.key != wanted[0]:
            continue
        chain = [entry.key, *(a.key for a in ancestors(entries, index))]
        matched = 0
        while matched < min(len(chain), len(wanted)) and chain[matched] == wanted[matched]:
            matched += 1
        # A line whose whole chain is the path beats one that only ends like it.
        scored.append(((matched, matched == len(chain) == len(wanted)), entry))
    if not scored:
        return None
    top = max(score for score, _ in scored)
    best = [entry for score, entry in scored if score == top]
    return best[0] if len(best) == 1 else None


def _find_item(
    lines: Sequence[str], entries: Sequence[KeyLine], path: Sequence[PathKey], first_line: int
) -> tuple[int, int] | None:
    """A list item: the n-th literal item under its key, or the only one inside a `range`."""
    parent = _best(entries, path[:-1]) if path[:-1] else None
    if parent is None:
        return None
    start = entries.index(parent)
    items = [
        entry
        for index, entry in enumerate(entries)
        if index > start
        and entry.dash is not None
        and (chain := ancestors(entries, index))
        and chain[0] == parent
    ]
    index = path[-1]
    assert isinstance(index, int)
    if index < len(items):
        item = items[index]
    elif len(items) == 1 and _ranged(lines, parent.line, items[0].line, first_line):
        item = items[0]
    else:
        return None
    assert item.dash is not None
    return item.line, item.dash + 1


def _ranged(lines: Sequence[str], parent_line: int, item_line: int, first_line: int) -> bool:
    between = lines[parent_line - first_line : item_line - first_line]
    return any(_RANGE.search(line) for line in between)
