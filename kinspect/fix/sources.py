"""Which files `kinspect fix` edits: plain manifests, never generated ones.

Helm charts and templates, Helm-rendered output (`# Source:` comments) and kustomize output
(origin annotations, a kustomize managed-by label) are left alone: the user edits their
sources, which kinspect names when it knows them. A kustomization directory stands for the
plain files its `resources` (and `bases`) name; its patches are not edited.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kinspect.errors import InputProblem, KinspectError
from kinspect.fix import texts as fixtexts
from kinspect.fix.write import inside
from kinspect.inputs.kinds import CHART, KUSTOMIZATION, KUSTOMIZATION_FILES, Source
from kinspect.inputs.kustomize import read_kustomization
from kinspect.inputs.sources import MANIFEST_SUFFIXES, STDIN
from kinspect.inputs.streams import is_template_file
from kinspect.parse.loader import load_documents

_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
_ORIGIN = "config.kubernetes.io/origin"
_KUSTOMIZE_LABEL = re.compile(r"app\.kubernetes\.io/managed-by['\"]?:\s*['\"]?kustomize")


def plain_files(
    sources: list[Source], notes: list[InputProblem], lang: str, problems: list[InputProblem]
) -> Iterator[Source]:
    """The files to fix, once each; charts are noted, kustomizations give their resources
    (a resource file outside its kustomization's root is a problem, as for kustomize)."""
    seen: set[str] = set()
    for source in sources:
        if source.kind == CHART:
            note = fixtexts.text(lang, "chart", name=source.name)
            notes.append(InputProblem(source.name, note))
            continue
        if source.kind == KUSTOMIZATION:
            found = _kustomized(source, set(), _Refusals(problems, lang))
        else:
            found = iter([source])
        for file in found:
            key = os.path.realpath(file.path) if file.path is not None else STDIN
            if key not in seen:
                seen.add(key)
                yield file


class _Refusals:
    """Where a kustomization's refused resources are reported, and in which language."""

    def __init__(self, problems: list[InputProblem], lang: str) -> None:
        self.problems = problems
        self.lang = lang

    def outside(self, source: Source, entry: str) -> None:
        text = fixtexts.text(self.lang, "kustomizeOutside", entry=entry, root=source.name)
        self.problems.append(InputProblem(source.name, text))


def _kustomized(source: Source, visited: set[str], refusals: _Refusals) -> Iterator[Source]:
    """The plain files a kustomization's `resources` (and `bases`) name, through its bases.

    A file must lie inside the kustomization's directory once links are resolved, as kustomize
    requires (`../x.yaml`, absolute paths and links out are refused); a directory (a base)
    may lie anywhere, and its files inside it.
    """
    assert source.path is not None
    root = os.path.realpath(source.path)
    visited.add(root)
    data = read_kustomization(source.path)
    for field_name in ("resources", "bases"):
        entries = data.get(field_name)
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, str) or "://" in entry or "\n" in entry:
                continue
            path = source.path / entry
            name = posixpath.normpath(posixpath.join(source.name, entry))
            if path.is_file() and entry.endswith(MANIFEST_SUFFIXES):
                if inside(os.path.realpath(path), [root]):
                    yield Source(name, path)
                else:
                    refusals.outside(source, entry)
            elif _is_kustomization(path) and os.path.realpath(path) not in visited:
                yield from _kustomized(Source(name, path, KUSTOMIZATION), visited, refusals)


def _is_kustomization(directory: Path) -> bool:
    return directory.is_dir() and any((directory / f).is_file() for f in KUSTOMIZATION_FILES)


def generated(name: str, text: str, lang: str) -> str | None:
    """Why a file is not to be rewritten (a template, rendered or built output), or None."""
    if is_template_file(name, text):
        return fixtexts.text(lang, "template")
    sources = list(dict.fromkeys(_SOURCE_COMMENT.findall(text)))
    if sources:
        return fixtexts.text(lang, "rendered", sources=_some(sources))
    if _ORIGIN not in text and not _KUSTOMIZE_LABEL.search(text):
        return None
    try:
        documents = list(load_documents(text))
    except KinspectError:
        return None  # the fix reports it
    origins, built = _origins(document.data for document in documents)
    if origins:
        return fixtexts.text(lang, "kustomized", sources=_some(origins))
    return fixtexts.text(lang, "kustomizedUnknown") if built else None


def _origins(datas: Iterable[object]) -> tuple[list[str], bool]:
    """Origin files named by kustomize's annotations, and whether kustomize built the objects."""
    origins: list[str] = []
    built = False
    for data in datas:
        metadata = data.get("metadata") if isinstance(data, dict) else None
        if not isinstance(metadata, dict):
            continue
        annotations = metadata.get("annotations")
        labels = metadata.get("labels")
        origin = annotations.get(_ORIGIN) if isinstance(annotations, dict) else None
        if isinstance(origin, str):
            built = True
            match = re.search(r"^path:\s*(\S+)", origin, re.MULTILINE)
            if match and match.group(1).strip("'\"") not in origins:
                origins.append(match.group(1).strip("'\""))
        manager = labels.get("app.kubernetes.io/managed-by") if isinstance(labels, dict) else None
        built = built or (isinstance(manager, str) and manager.startswith("kustomize"))
    return origins, built


def _some(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" (+{len(names) - most})" if len(names) > most else "")
