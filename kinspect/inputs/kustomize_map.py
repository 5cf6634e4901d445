"""Built kustomize resources → the files and lines that set each of their fields.

The origin annotation names the file a resource came from (or the kustomization whose
generator made it). A result is placed on the last layer that set its field, outermost
kustomization first (kinspect.kustomize_layers), else on the field in the origin file; a field
no layer and no file holds points at its deepest written parent. List items are matched by
name, never by index, so a container a patch added is never placed on another container.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinspect.errors import KinspectError
from kinspect.inputs.kustomize_entries import all_layers
from kinspect.inputs.kustomize_generated import GENERATORS, Generated
from kinspect.inputs.kustomize_layers import Built, Layer, Piece, Spot, follow
from kinspect.inputs.kustomize_tree import Tree, read_documents
from kinspect.kube.paths import Path as KeyPath
from kinspect.kube.paths import get_path
from kinspect.kube.targets import Resource, resources_of
from kinspect.model import ResourceRef, Result
from kinspect.parse.loader import Document, load_documents
from kinspect.parse.locate import locate

if TYPE_CHECKING:
    from kinspect.inputs.streams import InputState

ORIGIN = "config.kubernetes.io/origin"


@dataclass(frozen=True, slots=True)
class _Base:
    """A resource in its origin file: the document and where the resource sits in it."""

    piece: Piece
    document: Document
    resource: Resource

    def covers(self, built: Built, path: KeyPath) -> Spot | None:
        found = follow(self.resource.data, built.data, path)
        if found is None:
            return None
        return self.piece.spot(self.document.root, (*self.resource.path, *found[0]))


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where a built resource comes from: its base (file or generator) and its layers."""

    base: _Base | Generated | None
    layers: tuple[Layer, ...]
    """Outermost kustomization first, the last change of each first."""
    first_name: str
    file: str | None
    """The origin file's name (where a result no layer or line holds is put: its first line)."""


class KustomizeMapper:
    """Strips origin annotations, skips resources already inspected, relocates results."""

    annotates_only = False

    def __init__(self, overlay: Path, relative: bool, run: InputState, root: Path) -> None:
        self.overlay = overlay
        self.relative = relative
        self.run = run
        self.tree = Tree(root, self.display)
        # Keyed by the identity of the resource's data: admit() always runs first.
        self._origins: dict[int, _Origin | None] = {}
        self._files: dict[str, list[Document]] = {}
        self._layers: dict[str, list[Layer]] = {}

    def admit(self, document: Document, resource: Resource) -> bool:
        """Read and remove the origin annotation; an identical resource is inspected once."""
        from kinspect.inputs.streams import fingerprint

        annotation = pop_origin(resource.data)
        if not self.run.first_time(fingerprint([annotation, resource.data])):
            return False
        self._origins[id(resource.data)] = self._origin(annotation, resource)
        return True

    def ref(self, document: Document, resource: Resource, ref: ResourceRef) -> ResourceRef:
        """The resource starts where it is written in its origin file (or generator)."""
        spot = self._spot(resource, ())
        return ref if spot is None else replace(ref, file=spot[0], line=spot[1])

    def result(self, document: Document, resource: Resource, result: Result) -> Result:
        """Move a result to the file and line that set its field (or its deepest parent)."""
        path = split_keys(document.data, result.path)
        _, depth = locate(document.root, path)
        spot = self._spot(resource, path[len(resource.path) : depth])
        if spot is None:
            return result
        file, line, column = spot
        return replace(
            result, file=file, line=line, column=column, source_file=file, source_line=line
        )

    def _spot(self, resource: Resource, path: KeyPath) -> Spot | None:
        origin = self._origins.get(id(resource.data))
        if origin is None or origin.base is None:
            return None if origin is None or origin.file is None else (origin.file, 1, 1)
        built = Built(resource.kind, (origin.first_name, resource.name), resource.data)
        merged = isinstance(get_path(resource.data, path), dict | list)
        for layer in origin.layers:  # the last change of the field wins
            # A strategic merge into a mapping or list keeps what the base wrote there.
            spot = None if merged and layer.merges else layer.covers(built, path)
            if spot is not None:
                return spot
        for depth in range(len(path), -1, -1):
            spot = origin.base.covers(built, path[:depth])
            if spot is not None:
                return spot
            # What only a patch writes: an object the patch added.
            for layer in origin.layers:
                spot = layer.covers(built, path[:depth])
                if spot is not None:
                    return spot
        return None if origin.file is None else (origin.file, 1, 1)

    def _origin(self, annotation: dict[str, Any] | None, resource: Resource) -> _Origin | None:
        if annotation is None or "repo" in annotation:
            return None
        path, configured = annotation.get("path"), annotation.get("configuredIn")
        relative = path if isinstance(path, str) else configured
        if not isinstance(relative, str):
            return None
        file = os.path.normpath(self.overlay / relative)
        chain = self.tree.chain(file)
        layers = tuple(layer for k in chain for layer in reversed(all_layers(k, self._layers)))
        by = annotation.get("configuredBy")
        generator = GENERATORS.get(by.get("kind", "")) if isinstance(by, dict) else None
        if not isinstance(path, str) and generator is not None and chain:
            base: _Base | Generated | None = Generated(chain[-1], generator)
            name = resource.name
        else:
            base = self._base(file, resource)
            name = base.resource.name if base is not None else resource.name
        return _Origin(base, layers, name, self.display(file))

    def display(self, absolute: str) -> str:
        """The user-facing name of a file of the tree."""
        if not self.relative:
            return absolute.replace(os.sep, "/")
        return os.path.relpath(absolute, Path.cwd().resolve()).replace(os.sep, "/")

    def _base(self, file: str, resource: Resource) -> _Base | None:
        """The resource in its origin file: same kind, and the name it had before prefixes."""
        if file not in self._files:
            self._files[file] = read_documents(file)
        candidates = [
            (document, found)
            for document in self._files[file]
            for found in resources_of(document.data)
            if found.kind == resource.kind
        ]
        exact = [c for c in candidates if c[1].name == resource.name]
        inside = sorted(
            (c for c in candidates if c[1].name in resource.name), key=lambda c: -len(c[1].name)
        )
        chosen = exact or inside or (candidates if len(candidates) == 1 else [])
        if not chosen:
            return None
        return _Base(Piece(self.display(file)), *chosen[0])


def split_keys(data: Any, dotted: str) -> KeyPath:
    """A result's dotted path as keys, keeping the dots of keys the data has (a label
    `app.kubernetes.io/name`); what the data does not hold is split at every dot."""
    parts = dotted.split(".") if dotted else []
    keys: list[str | int] = []
    start = 0
    while start < len(parts):
        end = len(parts)
        if isinstance(data, dict):
            while end > start + 1 and ".".join(parts[start:end]) not in data:
                end -= 1
        key = ".".join(parts[start:end]) if isinstance(data, dict) else parts[start]
        end = end if isinstance(data, dict) else start + 1
        index = int(key) if key.isdigit() and isinstance(data, list) else None
        keys.append(key if index is None else index)
        data = data.get(key) if isinstance(data, dict) else _item(data, index)
        start = end
    return tuple(keys)


def _item(data: Any, index: int | None) -> Any:
    if isinstance(data, list) and index is not None and 0 <= index < len(data):
        return data[index]
    return None


def pop_origin(data: dict[str, Any]) -> dict[str, Any] | None:
    """Remove the origin annotation (and `annotations` if that empties it); return it parsed."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN not in annotations:
        return None
    text = annotations.pop(ORIGIN)
    if not annotations:
        del metadata["annotations"]
    try:
        documents = list(load_documents(str(text)))
    except KinspectError:
        return None
    parsed = documents[0].data if documents else None
    return parsed if isinstance(parsed, dict) else None
