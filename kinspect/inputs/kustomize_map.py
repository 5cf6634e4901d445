"""Built kustomize resources → the files they came from, by their origin annotation."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinspect.errors import KinspectError
from kinspect.kube.paths import split_dotted
from kinspect.kube.targets import Resource, resources_of
from kinspect.model import ResourceRef, Result
from kinspect.parse.loader import Document, load_documents
from kinspect.parse.locate import Position, locate

if TYPE_CHECKING:
    from kinspect.inputs.streams import InputState

ORIGIN = "config.kubernetes.io/origin"


@dataclass(frozen=True, slots=True)
class _Found:
    """A resource in its origin file: the document and where the resource sits in it."""

    document: Document
    resource: Resource


class KustomizeMapper:
    """Strips origin annotations, skips resources already inspected, relocates results."""

    annotates_only = False

    def __init__(self, overlay: Path, relative: bool, run: InputState) -> None:
        self.overlay = overlay
        self.relative = relative
        self.run = run
        # Keyed by the identity of the resource's data: admit() always runs first.
        self._origins: dict[int, str | None] = {}
        self._files: dict[str, list[Document]] = {}
        self._matches: dict[tuple[str, str, str], _Found | None] = {}

    def admit(self, document: Document, resource: Resource) -> bool:
        """Read and remove the origin annotation; an identical resource is inspected once."""
        from kinspect.inputs.streams import fingerprint

        origin = self._origin_file(pop_origin(resource.data))
        self._origins[id(resource.data)] = origin
        return self.run.first_time(fingerprint([origin, resource.data]))

    def ref(self, document: Document, resource: Resource, ref: ResourceRef) -> ResourceRef:
        """The resource starts where it is written in its origin file."""
        file = self._origins.get(id(resource.data))
        if file is None:
            return ref
        return replace(ref, file=file, line=self._start(file, resource)[0])

    def result(self, document: Document, resource: Resource, result: Result) -> Result:
        """Move a result to the origin file: the field's line, else the resource's."""
        file = self._origins.get(id(resource.data))
        if file is None:
            return result
        found = self._find(file, resource)
        position = self._position(result, document, resource, found)
        line, column = position or self._start(file, resource)
        return replace(
            result, file=file, line=line, column=column, source_file=file, source_line=line
        )

    def _start(self, file: str, resource: Resource) -> Position:
        found = self._find(file, resource)
        return locate(found.document.root, found.resource.path)[0] if found else (1, 1)

    def _position(
        self, result: Result, document: Document, resource: Resource, found: _Found | None
    ) -> Position | None:
        if found is None:
            return None
        path = split_dotted(result.path)
        _, depth = locate(document.root, path)
        node = path[len(resource.path) : depth]
        position, origin_depth = locate(found.document.root, (*found.resource.path, *node))
        return position if origin_depth == len(found.resource.path) + len(node) else None

    def _origin_file(self, origin: dict[str, Any] | None) -> str | None:
        """The user-facing name of the file (or kustomization) a resource came from."""
        if origin is None:
            return None
        relative = origin.get("path") if "repo" not in origin else None
        relative = relative if isinstance(relative, str) else origin.get("configuredIn")
        if not isinstance(relative, str):
            return None
        absolute = os.path.normpath(self.overlay / relative)
        if not self.relative:
            return absolute.replace(os.sep, "/")
        return os.path.relpath(absolute, Path.cwd().resolve()).replace(os.sep, "/")

    def _find(self, file: str, resource: Resource) -> _Found | None:
        """The resource in its origin file: same kind, and the name it had before prefixes."""
        key = (file, resource.kind, resource.name)
        if key not in self._matches:
            self._matches[key] = self._match(file, resource)
        return self._matches[key]

    def _match(self, file: str, resource: Resource) -> _Found | None:
        if file not in self._files:
            self._files[file] = _documents(file)
        candidates = [
            _Found(document, found)
            for document in self._files[file]
            for found in resources_of(document.data)
            if found.kind == resource.kind
        ]
        exact = [c for c in candidates if c.resource.name == resource.name]
        if exact:
            return exact[0]
        inside = [c for c in candidates if c.resource.name in resource.name]
        inside.sort(key=lambda c: -len(c.resource.name))
        if inside:
            return inside[0]
        return candidates[0] if len(candidates) == 1 else None


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


def _documents(file: str) -> list[Document]:
    try:
        text = Path(file).read_text(encoding="utf-8")
        return list(load_documents(text))
    except (OSError, UnicodeDecodeError, KinspectError):
        return []
