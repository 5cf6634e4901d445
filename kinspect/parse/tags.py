"""Where a text may hold YAML tags (`!`, `!!binary`, `!foo`), found without a regex.

`str.find` jumps from `!` to `!`; a regex with a leading character class would try every
position of a large text (a manifest of several megabytes, for each document).
"""

from __future__ import annotations

from collections.abc import Iterator

_BEFORE = frozenset(" \t\r\n[{,")
"""What may stand before a tag: a line's start, white space, or a flow collection's `[{,`."""
_AFTER_NON_SPECIFIC = frozenset(" \t\r\n]},")


def tag_starts(text: str) -> Iterator[int]:
    """The index of every `!` that can start a tag."""
    index = text.find("!")
    while index != -1:
        if index == 0 or text[index - 1] in _BEFORE:
            yield index
        index = text.find("!", index + 1)


def has_tag(text: str) -> bool:
    """Whether some `!` in the text can start a tag."""
    return next(tag_starts(text), None) is not None


def has_non_specific_tag(text: str) -> bool:
    """Whether the text may hold the non-specific tag `!` alone (`! value`)."""
    end = len(text) - 1
    return any(i == end or text[i + 1] in _AFTER_NON_SPECIFIC for i in tag_starts(text))
