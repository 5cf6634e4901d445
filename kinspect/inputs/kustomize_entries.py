"""One kustomization's fields as layers: its patches (files or inline), `images:`, `replicas:`
and `namespace:` entries, in the order kustomize applies them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from kinspect.errors import KinspectError
from kinspect.inputs.kustomize_layers import (
    Built,
    Json6902,
    Layer,
    Piece,
    Spot,
    StrategicMerge,
    name_matches,
)
from kinspect.inputs.kustomize_tree import Kustomization, read_documents, read_small
from kinspect.kube.paths import Path, get_path
from kinspect.kube.targets import CONTAINER_TYPES
from kinspect.parse.loader import Document, load_documents
from kinspect.parse.locate import node_at


@dataclass(frozen=True, slots=True)
class Entry:
    """An `images:`, `replicas:`, `namespace:` or label or annotation entry of a kustomization."""

    piece: Piece
    kustomization: Kustomization
    path: Path
    merges = False

    def covers(self, built: Built, path: Path) -> Spot | None:
        entry = get_path(self.kustomization.data, self.path)
        field = self.path[0]
        if field == "namespace":
            key: Path | None = () if path == ("metadata", "namespace") else None
        elif field == "replicas":
            wanted = path == ("spec", "replicas") and isinstance(entry, dict)
            key = ("count",) if wanted and name_matches(entry.get("name"), built.names) else None
        elif field == "images":
            key = _image_key(entry, built, path)
        else:
            key = _metadata_key(str(field), entry, built, path)
        if key is None:
            return None
        return self.piece.spot(self.kustomization.document.root, (*self.path, *key))


def _metadata_key(field: str, entry: Any, built: Built, path: Path) -> Path | None:
    """The key of a `commonLabels:`, `labels:` pairs or `commonAnnotations:` entry that set
    the label or annotation at `path` (of the resource, a selector or a pod template)."""
    wanted = "annotations" if field == "commonAnnotations" else "labels"
    if len(path) < 2 or not isinstance(entry, dict) or path[-2] not in (wanted, "matchLabels"):
        return None
    key = path[-1]
    if not isinstance(key, str) or key not in entry:
        return None
    return (key,) if entry[key] == get_path(built.data, path) else None


def _image_key(entry: Any, built: Built, path: Path) -> Path | None:
    """The key of an `images:` entry that sets the tag of the image at `path`, if it does."""
    if len(path) < 3 or path[-1] != "image" or path[-3] not in CONTAINER_TYPES:
        return None
    image = get_path(built.data, path)
    if not isinstance(entry, dict) or not isinstance(image, str):
        return None
    if repository(image) != (entry.get("newName") or entry.get("name")):
        return None
    key = next((k for k in ("digest", "newTag") if k in entry), None)
    return None if key is None else (key,)


def repository(image: str) -> str:
    """An image reference without its tag and digest."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    return image[:colon] if colon > slash else image


def all_layers(kustomization: Kustomization, memo: dict[str, list[Layer]]) -> list[Layer]:
    """Its components' layers, then its own (each kustomization's read once per build)."""
    if kustomization.file not in memo:
        found = [layer for c in kustomization.components for layer in all_layers(c, memo)]
        memo[kustomization.file] = found + layers_of(kustomization)
    return memo[kustomization.file]


def layers_of(kustomization: Kustomization) -> list[Layer]:
    """The layers of one kustomization, in the order kustomize applies them."""
    own = Piece(kustomization.namer(kustomization.file))
    layers: list[Layer] = []
    fields = ("patchesStrategicMerge", "patches", "patchesJson6902")
    for index, field, entry in kustomization.entries(*fields):
        layers.extend(_patches(kustomization, (field, index), entry))
    for index, field, _ in kustomization.entries("replicas", "images"):
        layers.append(Entry(own, kustomization, (field, index)))
    if isinstance(kustomization.data.get("namespace"), str):
        layers.append(Entry(own, kustomization, ("namespace",)))
    for field in ("commonLabels", "commonAnnotations"):
        if isinstance(kustomization.data.get(field), dict):
            layers.append(Entry(own, kustomization, (field,)))
    for index, _, _ in kustomization.entries("labels"):
        layers.append(Entry(own, kustomization, ("labels", index, "pairs")))
    return layers


def _patches(kustomization: Kustomization, where: Path, entry: Any) -> list[Layer]:
    """The documents of one patch entry (a file, or inline text), each a layer."""
    target = entry.get("target") if isinstance(entry, dict) else None
    target = target if isinstance(target, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("patch"), str):
        piece, documents = _inline(kustomization, (*where, "patch"), entry["patch"])
    elif isinstance(entry, str) and "\n" in entry:
        piece, documents = _inline(kustomization, where, entry)
    else:
        relative = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(relative, str) or "://" in relative:
            return []
        file = os.path.normpath(os.path.join(kustomization.directory, relative))
        piece, documents = Piece(kustomization.namer(file)), read_documents(file)
    return [
        (Json6902 if isinstance(d.data, list) else StrategicMerge)(piece, d, target)
        for d in documents
        if isinstance(d.data, list | dict)
    ]


def _inline(kustomization: Kustomization, where: Path, text: str) -> tuple[Piece, list[Document]]:
    """An inline patch's documents, and how to shift their lines into the kustomization."""
    name = kustomization.namer(kustomization.file)
    try:
        documents = list(load_documents(text))
    except KinspectError:
        return Piece(name), []
    node = node_at(kustomization.document.root, where)
    if not isinstance(node, ScalarNode):
        return Piece(name), []
    line = int(node.start_mark.line)
    if node.style in ("|", ">"):
        return Piece(name, line + 1, _indent(kustomization.file, line + 1)), documents
    return Piece(name, line, int(node.start_mark.column) + 1, block=False), documents


def _indent(file: str, line: int) -> int:
    """The indentation of a block scalar whose first line is `line` (0-based)."""
    lines = (read_small(file) or "").splitlines()
    text = next((text for text in lines[line:] if text.strip()), "")
    return len(text) - len(text.lstrip(" "))
