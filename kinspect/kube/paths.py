"""Field paths: keys and list indexes, and their one dotted form (`spec.containers.0.image`)."""

from __future__ import annotations

from typing import Any

PathKey = str | int
Path = tuple[PathKey, ...]


def dotted(path: Path) -> str:
    """A field path as results carry it: `spec.containers.0.image`."""
    return ".".join(str(part) for part in path)


def split_dotted(text: str) -> Path:
    """A dotted path back to keys and indexes (digit segments index lists; "" is the root)."""
    if not text:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


def get_path(data: Any, path: Path) -> Any:
    """The value at `path`, or None where the path does not exist."""
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


ANY_ITEM = "*"
"""In a path, every item of a list."""


def values_at(data: Any, path: Path) -> list[Any]:
    """The values at `path`, where `*` stands for every item of a list: each item gives one
    value (None where it lacks the rest of the path); before a `*`, a missing path gives none."""
    found: list[Any] = [data]
    each = False  # past a `*`: every item keeps its place
    for key in path:
        step: list[Any] = []
        for value in found:
            if key == ANY_ITEM and isinstance(value, list):
                step.extend(value)
            elif _has(value, key):
                step.append(value[key])
            elif each:
                step.append(None)
        each = each or key == ANY_ITEM
        found = step
    return found


def _has(data: Any, key: PathKey) -> bool:
    if isinstance(data, dict):
        return key in data
    return isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
