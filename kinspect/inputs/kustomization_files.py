"""What a kustomization names: the files and directories it reads, and which of them are
patches (partial objects, complete only once applied to a base). Light: read for every run
with files, to tell a patch given on its own (`mark_patches`) from a manifest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from kinspect.errors import KinspectError
from kinspect.inputs.kinds import FILE, KUSTOMIZATION_FILES, PATCH, Source
from kinspect.parse.loader import load_documents

# Kustomization fields whose values name files or directories (bases, patches, generators...).
_PATH_FIELDS = (
    "resources",
    "bases",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "crds",
    "transformers",
    "generators",
    "validators",
    "replacements",
    "configurations",
    "openapi",
    "configMapGenerator",
    "secretGenerator",
    "helmCharts",
    "helmGlobals",
)

# Fields whose files are patches: partial objects, complete only once applied to a base.
_PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902")

# Keys of entries (patches, generators, helmCharts...) that hold paths, not names or inline data.
_PATH_KEYS_IN_ENTRIES = ("path", "files", "envs", "env", "valuesFile", "chartHome")


def mark_patches(sources: list[Source]) -> list[Source]:
    """The sources, with each plain file that a kustomization uses as a patch marked PATCH."""
    patches = cache(patches_of)  # for this call only: files change between a server's runs
    return [
        replace(source, kind=PATCH)
        if source.kind == FILE and source.path is not None and patch_user(source.path, patches)
        else source
        for source in sources
    ]


def patch_user(path: Path, patches: Callable[[Path], frozenset[Path]] | None = None) -> Path | None:
    """The kustomization, in the file's directory or one above it (up to the repository's
    root), that uses the file as a patch; None when none does."""
    patches = patches or patches_of
    target = Path(os.path.realpath(path))  # a link loop resolves to itself (resolve() raises)
    for directory in target.parents:
        if target in patches(directory):
            return directory
        if (directory / ".git").exists():
            break
    return None


def patch_user_shown(source: Source) -> str:
    """The kustomization that uses a PATCH source, as the user would type its directory:
    relative to the working directory when below it (`?` if the file changed meanwhile)."""
    user = patch_user(source.path) if source.path is not None else None
    if user is None:
        return "?"
    try:
        return user.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return user.as_posix()


def patches_of(directory: Path) -> frozenset[Path]:
    """The files a kustomization directory names as patches (strategic merge or JSON 6902)."""
    if not any((directory / name).is_file() for name in KUSTOMIZATION_FILES):
        return frozenset()
    data = read_kustomization(directory)
    found = set()
    for field in _PATCH_FIELDS:
        for value in _strings(data.get(field)):
            if "\n" not in value and "://" not in value and len(value) <= 1024:
                found.add(Path(os.path.realpath(directory / value)))
    return frozenset(found)


def referenced(directory: Path) -> Iterator[Path]:
    """Paths that a kustomization names (remote URLs and inline patches are ignored)."""
    data = read_kustomization(directory)
    for field in _PATH_FIELDS:
        for value in _strings(data.get(field)):
            if "\n" in value or "://" in value or len(value) > 1024:
                continue
            yield (directory / value).resolve()


def read_kustomization(directory: Path) -> dict[str, Any]:
    """The kustomization file's data (empty when it cannot be read: the build will say why)."""
    for name in KUSTOMIZATION_FILES:
        try:
            text = (directory / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            documents = list(load_documents(text))
        except KinspectError:
            return {}
        data = documents[0].data if documents else None
        return data if isinstance(data, dict) else {}
    return {}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key in _PATH_KEYS_IN_ENTRIES:
            yield from _strings(value.get(key))
