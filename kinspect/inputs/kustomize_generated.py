"""ConfigMaps and Secrets that a kustomization generates: placed on their generator entry.

A key comes from a `literals` item (its line), an env file (the line that sets it, in that
file) or a `files` item; anything else points at the entry's `name`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from kinspect.inputs.kustomize_layers import Built, Piece, Spot
from kinspect.inputs.kustomize_tree import Kustomization, read_small
from kinspect.kube.paths import Path

GENERATORS = {"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}
_DATA = ("data", "stringData", "binaryData")


@dataclass(frozen=True, slots=True)
class Generated:
    """The generator entry of a generated resource, standing where a base file would."""

    kustomization: Kustomization
    field: str

    def covers(self, built: Built, path: Path) -> Spot | None:
        index = self._entry(built.names[1])
        if index is None:
            return None
        own = Piece(self.kustomization.namer(self.kustomization.file))
        root = self.kustomization.document.root
        entry: dict[str, Any] = self.kustomization.data[self.field][index]
        if len(path) == 2 and path[0] in _DATA and isinstance(path[1], str):
            spot = self._key(entry, (self.field, index), path[1], own)
            if spot is not None:
                return spot
        return own.spot(root, (self.field, index, "name")) or own.spot(root, (self.field, index))

    def _entry(self, built_name: str) -> int | None:
        """The entry whose name the built name holds (prefixes and hash suffix around it)."""
        named = [
            (len(entry["name"]), index)
            for index, _, entry in self.kustomization.entries(self.field)
            if isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and entry["name"] in built_name
        ]
        return max(named)[1] if named else None

    def _key(self, entry: dict[str, Any], where: Path, key: str, own: Piece) -> Spot | None:
        root = self.kustomization.document.root
        for index, item in enumerate(_list(entry.get("literals"))):
            if isinstance(item, str) and item.split("=", 1)[0].strip() == key:
                return own.spot(root, (*where, "literals", index))
        for index, item in enumerate(_list(entry.get("files"))):
            if isinstance(item, str) and _file_key(item) == key:
                return own.spot(root, (*where, "files", index))
        for env in [*_list(entry.get("envs")), entry.get("env")]:
            if isinstance(env, str):
                spot = self._env_line(env, key)
                if spot is not None:
                    return spot
        return None

    def _env_line(self, relative: str, key: str) -> Spot | None:
        file = os.path.normpath(os.path.join(self.kustomization.directory, relative))
        lines = (read_small(file) or "").splitlines()
        for number, text in enumerate(lines, start=1):
            if text.split("=", 1)[0].strip() == key:
                return self.kustomization.namer(file), number, len(text) - len(text.lstrip()) + 1
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _file_key(item: str) -> str:
    """The key of a `files` item: `key=path`, else the file's base name."""
    if "=" in item:
        return item.split("=", 1)[0].strip()
    return os.path.basename(item)
