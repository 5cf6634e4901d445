"""Where a text may hold YAML tags (`!`, `!!binary`, `!foo`), found without a regex.

`str.find` jumps from `!` to `!`; a regex with a leading character class would try every
position of a large text (a manifest of several megabytes, for each document).

A tag can only start a node: first on its line, or after what opens a node there (`key:`,
`- `, `? `, `[`, `{`, `,`, `---`, an anchor). A `!` inside text that merely follows a space
(`a != b`, CEL's `x || !has(y)`, a quoted `"!x"`) is not one. The test errs on the side of
a tag: a `!` at the start of a line inside a block scalar counts too; `holds_tag` then asks
libyaml.
"""

from __future__ import annotations

from collections.abc import Iterator

from ruamel.yaml.error import YAMLError

_BEFORE = frozenset(" \t\r\n[{,")
"""What may stand right before a tag: a line's start, white space, or a flow `[{,`."""
_OPENS_NODE = frozenset("-:?[{,")
"""The last character before a tag on its line (spaces and an anchor aside), if any."""
_AFTER_NON_SPECIFIC = frozenset(" \t\r\n]},")


def tag_starts(text: str) -> Iterator[int]:
    """The index of every `!` that can start a tag."""
    index = text.find("!")
    while index != -1:
        if index == 0 or (text[index - 1] in _BEFORE and _opens_node(text, index)):
            yield index
        index = text.find("!", index + 1)


def _opens_node(text: str, index: int) -> bool:
    """Whether what stands before `index` on its line lets a node start there."""
    start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    before = text[start:index].rstrip(" \t")
    anchor = before.rfind("&")
    if anchor != -1 and not any(c in " \t" for c in before[anchor:]):
        before = before[:anchor].rstrip(" \t")  # `key: &name !!str x`
    return not before or before[-1] in _OPENS_NODE


def has_tag(text: str) -> bool:
    """Whether some `!` in the text can start a tag."""
    return next(tag_starts(text), None) is not None


def holds_tag(text: str) -> bool:
    """Whether libyaml reads an explicit tag in the text (or cannot read the text at all).

    Its events are read only where `has_tag` finds a possible tag: CEL rules and shell
    scripts in large manifests hold many a `!` that only the parser can tell from a tag.
    """
    if not has_tag(text):
        return False
    from _ruamel_yaml import CParser

    parser = CParser(text)
    try:
        while parser.check_event():
            if getattr(parser.get_event(), "tag", None) is not None:
                return True
    except YAMLError:
        return True  # the loader reports the error; the text is built to find it
    finally:
        parser.dispose()
    return False


def has_non_specific_tag(text: str) -> bool:
    """Whether the text may hold the non-specific tag `!` alone (`! value`)."""
    end = len(text) - 1
    return any(i == end or text[i + 1] in _AFTER_NON_SPECIFIC for i in tag_starts(text))
