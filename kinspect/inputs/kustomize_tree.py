"""A kustomization tree read back: which kustomizations a built resource went through.

kustomize's origin annotation names the file a resource came from; the patches, `images:`,
`replicas:` and `namespace:` that changed it live in the kustomizations between that file and
the one that was built. `Tree.chain` finds them, outermost first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinspect.errors import KinspectError
from kinspect.inputs.kinds import KUSTOMIZATION_FILES
from kinspect.parse.limits import DEFAULT_LIMITS
from kinspect.parse.loader import Document, load_documents

Namer = Callable[[str], str]
"""An absolute file path → the name findings show (relative to the working directory or not)."""


@dataclass
class Kustomization:
    """One kustomization file: its directory, document and what it pulls in."""

    directory: str
    file: str
    document: Document
    namer: Namer
    components: list[Kustomization] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        data = self.document.data
        return data if isinstance(data, dict) else {}

    def entries(self, *fields: str) -> Iterator[tuple[int, str, Any]]:
        """(index, field, entry) of each item of the list fields named."""
        for name in fields:
            items = self.data.get(name)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                yield index, name, item


class Tree:
    """The kustomizations under one built directory, read once each."""

    def __init__(self, root: Path, namer: Namer) -> None:
        self.root = os.path.normpath(root)
        self.namer = namer
        self._read: dict[str, Kustomization | None] = {}
        self._chains: dict[tuple[str, str], list[Kustomization] | None] = {}

    def chain(self, file: str) -> list[Kustomization]:
        """The kustomizations from the built one to the one that names `file`, outermost first.

        `file` is a resource file or, for a generated resource, the kustomization file itself.
        """
        return self._chain(self.root, os.path.normpath(file), frozenset()) or []

    def _chain(
        self, directory: str, file: str, visiting: frozenset[str]
    ) -> list[Kustomization] | None:
        key = (directory, file)
        if key not in self._chains:
            self._chains[key] = self._search(directory, file, visiting | {directory})
        return self._chains[key]

    def _search(
        self, directory: str, file: str, visiting: frozenset[str]
    ) -> list[Kustomization] | None:
        kustomization = self.read(directory)
        if kustomization is None:
            return None
        if kustomization.file == file:
            return [kustomization]
        for _, _, entry in kustomization.entries("resources", "bases", "components"):
            path = _local(directory, entry)
            if path is None:
                continue
            if path == file:
                return [kustomization]
            if path not in visiting and os.path.isdir(path):
                inner = self._chain(path, file, visiting)
                if inner:
                    return [kustomization, *inner]
        return None

    def read(self, directory: str) -> Kustomization | None:
        """The kustomization of a directory (None when it has none that parses)."""
        if directory not in self._read:
            self._read[directory] = None  # a cycle of components ends here
            self._read[directory] = self._load(directory)
        return self._read[directory]

    def _load(self, directory: str) -> Kustomization | None:
        for name in KUSTOMIZATION_FILES:
            file = os.path.join(directory, name)
            documents = read_documents(file)
            if documents:
                found = Kustomization(directory, file, documents[0], self.namer)
                for _, _, entry in found.entries("components"):
                    path = _local(directory, entry)
                    component = self.read(path) if path and os.path.isdir(path) else None
                    if component is not None:
                        found.components.append(component)
                return found
        return None


def _local(directory: str, entry: Any) -> str | None:
    """A local path a kustomization names (not a URL, not inline text)."""
    if not isinstance(entry, str) or "://" in entry or "\n" in entry or len(entry) > 1024:
        return None
    return os.path.normpath(os.path.join(directory, entry))


def read_documents(file: str) -> list[Document]:
    """The documents of a file ([] when it cannot be read or parsed: the build said why)."""
    text = read_small(file)
    try:
        return list(load_documents(text)) if text is not None else []
    except KinspectError:
        return []


def read_small(file: str) -> str | None:
    """A regular file's text, within the size limit (None otherwise: never a device or FIFO
    that a kustomization names, and never a file larger than an input may be)."""
    try:
        path = Path(file)
        if not path.is_file() or path.stat().st_size > DEFAULT_LIMITS.max_file_size:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
