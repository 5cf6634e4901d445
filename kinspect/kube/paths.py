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
