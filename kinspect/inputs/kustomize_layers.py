"""What a kustomization changes in the resources it builds, and where each change is written.

Each layer (a strategic-merge or JSON 6902 patch here; an `images:`, `replicas:`, `namespace:`
or label entry in kinspect.kustomize_entries) answers one question: does it set this field of
this built resource, and at which line? kustomize's own transformer annotations name only the
kind of transformer, never the patch, so the answer is read from the patches themselves,
checked against the built values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from ruamel.yaml.nodes import Node

from kinspect.kube.paths import Path, get_path
from kinspect.parse.loader import Document
from kinspect.parse.locate import locate

Spot = tuple[str, int, int]
"""A file's name as findings show it, and a 1-based line and column in it."""

# Keys by which a strategic merge (and kinspect) tells list items apart.
MERGE_KEYS = ("name", "mountPath", "containerPort", "devicePath", "topologyKey", "ip")


@dataclass(frozen=True, slots=True)
class Built:
    """A built resource as layers see it: kind, names (as first written, as built) and data."""

    kind: str
    names: tuple[str, str]
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Piece:
    """YAML read from a file, or inline in a kustomization (then shifted to its lines)."""

    file: str
    line: int = 0
    column: int = 0
    block: bool = True
    """Every line is indented by `column` (a block scalar), not only the first."""

    def spot(self, root: Node, path: Path) -> Spot | None:
        """Where `path` is (None when the document does not hold all of it)."""
        (line, column), depth = locate(root, path)
        if depth != len(path):
            return None
        shift = self.column if self.block or line == 1 else 0
        return self.file, line + self.line, column + shift


class Layer(Protocol):
    """One change a kustomization makes."""

    @property
    def merges(self) -> bool:
        """Whether it merges into mappings and lists (rather than replacing them)."""

    def covers(self, built: Built, path: Path) -> Spot | None:
        """Where this layer sets `path` of the built resource, if it does."""


def follow(source: Any, built: Any, path: Path) -> tuple[Path, Any] | None:
    """`path` of the built data translated to `source` (list items matched by merge key)."""
    translated: list[str | int] = []
    for key in path:
        if isinstance(key, int):
            if not isinstance(source, list) or not isinstance(built, list):
                return None
            index = same_item(source, built[key]) if 0 <= key < len(built) else None
            if index is None:
                return None
            source, built = source[index], built[key]
            translated.append(index)
        else:
            if not isinstance(source, dict) or key not in source:
                return None
            source, built = source[key], built.get(key) if isinstance(built, dict) else None
            translated.append(key)
    return tuple(translated), source


def same_item(items: list[Any], item: Any) -> int | None:
    """The index in `items` of the list item that `item` is (by merge key, else by value)."""
    merge_key = next((k for k in MERGE_KEYS if k in item), None) if isinstance(item, dict) else None
    for index, candidate in enumerate(items):
        if merge_key is None:
            same = candidate == item
        else:
            same = isinstance(candidate, dict) and candidate.get(merge_key) == item[merge_key]
        if same:
            return index
    return None


def name_matches(pattern: Any, names: tuple[str, str]) -> bool:
    """A patch's name or target name against a resource's names (before and after prefixes)."""
    if not isinstance(pattern, str):
        return False
    first, built = names
    if pattern in names or (first in pattern and pattern in built):
        return True
    return any(_regex_matches(pattern, name) for name in names)


_SIMPLE_REGEX = re.compile(r"[\w.^$|*?-]{1,256}")


@lru_cache(maxsize=4096)
def _regex_matches(pattern: str, name: str) -> bool:
    """A target's name as kustomize reads it (a regular expression), if it is a simple one.

    Python's regular expressions backtrack and the pattern is untrusted: only patterns of
    names, dots, anchors, alternatives and at most two stars are tried (`app-.*`).
    """
    if not _SIMPLE_REGEX.fullmatch(pattern) or pattern.count("*") > 2:
        return False
    try:
        return re.fullmatch(pattern, name) is not None
    except re.error:
        return False


@dataclass(frozen=True, slots=True)
class StrategicMerge:
    """A strategic-merge patch document."""

    piece: Piece
    document: Document
    target: dict[str, Any] | None
    merges = True

    def covers(self, built: Built, path: Path) -> Spot | None:
        data = self.document.data
        if not _selects(self.target, data, built):
            return None
        found = follow(data, built.data, path)
        if found is None:
            return None
        translated, value = found
        if not consistent(value, get_path(built.data, path)):
            return None  # set here, then changed again by something else
        return self.piece.spot(self.document.root, translated)


@dataclass(frozen=True, slots=True)
class Json6902:
    """A JSON 6902 patch: a list of operations."""

    piece: Piece
    document: Document
    target: dict[str, Any] | None
    merges = False

    def covers(self, built: Built, path: Path) -> Spot | None:
        if not _selects(self.target, None, built):
            return None
        operations = self.document.data
        for index in reversed(range(len(operations))):
            spot = self._operation(index, operations[index], built, path)
            if spot is not None:
                return spot
        return None

    def _operation(self, index: int, operation: Any, built: Built, path: Path) -> Spot | None:
        if not isinstance(operation, dict) or operation.get("op") not in _SETTING:
            return None
        tokens = _pointer(operation.get("path"))
        if tokens is None or len(tokens) > len(path):
            return None
        if not all(_token_matches(t, path[n]) for n, t in enumerate(tokens)):
            return None
        rest = path[len(tokens) :]
        if operation["op"] in ("copy", "move"):
            return None if rest else self.piece.spot(self.document.root, (index, "path"))
        value = get_path(operation.get("value"), rest) if rest else operation.get("value")
        if value is None or not consistent(value, get_path(built.data, path)):
            return None
        return self.piece.spot(self.document.root, (index, "value", *rest))


_SETTING = ("add", "replace", "copy", "move")


def _pointer(text: Any) -> list[str] | None:
    if not isinstance(text, str) or not text.startswith("/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in text[1:].split("/")]


def _token_matches(token: str, key: str | int) -> bool:
    # `-` appends: which item it became is checked by `consistent` on the value.
    return token == key if isinstance(key, str) else token in (str(key), "-")


def consistent(value: Any, built: Any) -> bool:
    """Whether the built value can be the one a layer wrote (equal scalars, same list item)."""
    if isinstance(value, dict):
        return isinstance(built, dict) and all(
            value[key] == built.get(key) for key in MERGE_KEYS if key in value
        )
    if isinstance(value, list):
        return isinstance(built, list)
    return bool(value == built)


def _selects(target: dict[str, Any] | None, patch: Any, built: Built) -> bool:
    """Whether a patch applies to the resource: its target, else its own kind and name."""
    if target is not None:
        kind, name = target.get("kind"), target.get("name")
    else:
        metadata = patch.get("metadata") if isinstance(patch, dict) else None
        kind = patch.get("kind") if isinstance(patch, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
    if kind is not None and kind != built.kind:
        return False
    return name is None or name_matches(name, built.names)
