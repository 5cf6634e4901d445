"""Which files `kinspect fix` edits: plain manifests, never generated ones.

Helm charts and templates, Helm-rendered output (`# Source:` comments) and kustomize output
(origin annotations, a kustomize managed-by label) are left alone: the user edits their
sources, which kinspect names when it knows them. Kustomizations are built and their findings
fixed in the files that set them (kinspect/fix/builds.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from kinspect.errors import InputProblem, KinspectError
from kinspect.fix import texts as fixtexts
from kinspect.inputs.kinds import CHART, PATCH, Source
from kinspect.inputs.kustomization_files import patch_user_shown
from kinspect.inputs.sources import STDIN
from kinspect.inputs.streams import is_template_file
from kinspect.parse.loader import load_documents

_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
_ORIGIN = "config.kubernetes.io/origin"
_KUSTOMIZE_LABEL = re.compile(r"app\.kubernetes\.io/managed-by['\"]?:\s*['\"]?kustomize")


def plain_files(sources: list[Source], notes: list[InputProblem], lang: str) -> Iterator[Source]:
    """The files to fix, once each; charts and kustomize patches are noted (kustomizations
    are built: fix/builds)."""
    seen: set[str] = set()
    for source in sources:
        if source.kind == CHART:
            notes.append(InputProblem(source.name, fixtexts.text(lang, "chart", name=source.name)))
            continue
        if source.kind == PATCH:
            shown = patch_user_shown(source)
            notes.append(
                InputProblem(source.name, fixtexts.text(lang, "patch", kustomization=shown))
            )
            continue
        key = os.path.realpath(source.path) if source.path is not None else STDIN
        if key not in seen:
            seen.add(key)
            yield source


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
