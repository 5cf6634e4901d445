"""`kinspect fix` over files: find them, leave generated ones alone, fix, then write or diff.

Helm charts and templates, Helm-rendered output (`# Source:` comments) and kustomize output
are not rewritten: the user edits their sources. A kustomization directory stands for the
files its `resources` name. A file is replaced atomically (a temporary file renamed over it)
and only if its bytes are still those that were read. Never prints, never exits.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import posixpath
import re
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kinspect import fixtexts
from kinspect.engine import Settings
from kinspect.errors import InputProblem, KinspectError
from kinspect.fix import Fixed, Left, fix_text
from kinspect.inputs import is_template_file
from kinspect.kustomize import read_kustomization
from kinspect.loader import load_documents
from kinspect.sources import (
    CHART,
    KUSTOMIZATION,
    KUSTOMIZATION_FILES,
    MANIFEST_SUFFIXES,
    STDIN,
    Source,
    collect,
    decode,
)

_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
_ORIGIN = "config.kubernetes.io/origin"
_KUSTOMIZE_LABEL = re.compile(r"app\.kubernetes\.io/managed-by['\"]?:\s*['\"]?kustomize")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class FileFix:
    """What fixing one file did."""

    name: str
    fixed: Counter[str]
    left: list[Left]
    changed: bool


@dataclass
class FixRun:
    """Everything `kinspect fix` reports: per-file outcomes, problems, notes, stdout text."""

    files: list[FileFix] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notes: list[InputProblem] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    """Unified diffs (--diff), or the fixed text of standard input."""


class ChangedOnDisk(Exception):
    """The file's bytes are no longer those that were read."""


def run_fix(
    paths: list[str], settings: Settings, *, diff: bool = False, excludes: list[str] | None = None
) -> FixRun:
    """Fix every plain manifest under `paths`; write the files unless `diff`."""
    run = FixRun()
    sources, problems = collect(paths, excludes or ())
    run.problems.extend(problems)
    for source in _plain_files(sources, run, settings.lang):
        _fix_source(source, settings, diff, run)
    return run


def _plain_files(sources: list[Source], run: FixRun, lang: str) -> Iterator[Source]:
    """The files to fix, once each; charts are noted, kustomizations give their resources."""
    seen: set[str] = set()
    for source in sources:
        if source.kind == CHART:
            note = fixtexts.text(lang, "chart", name=source.name)
            run.notes.append(InputProblem(source.name, note))
            continue
        found = _kustomized(source, set()) if source.kind == KUSTOMIZATION else iter([source])
        for file in found:
            key = os.path.realpath(file.path) if file.path is not None else STDIN
            if key not in seen:
                seen.add(key)
                yield file


def _kustomized(source: Source, visited: set[str]) -> Iterator[Source]:
    """The plain files a kustomization's `resources` (and `bases`) name, through its bases."""
    assert source.path is not None
    visited.add(os.path.realpath(source.path))
    data = read_kustomization(source.path)
    for field_name in ("resources", "bases"):
        entries = data.get(field_name)
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, str) or "://" in entry or "\n" in entry:
                continue
            path = source.path / entry
            name = posixpath.normpath(posixpath.join(source.name, entry))
            if path.is_file() and entry.endswith(MANIFEST_SUFFIXES):
                yield Source(name, path)
            elif _is_kustomization(path) and os.path.realpath(path) not in visited:
                yield from _kustomized(Source(name, path, KUSTOMIZATION), visited)


def _is_kustomization(directory: Path) -> bool:
    return directory.is_dir() and any((directory / f).is_file() for f in KUSTOMIZATION_FILES)


def _fix_source(source: Source, settings: Settings, diff: bool, run: FixRun) -> None:
    lang = settings.lang
    try:
        data = _read(source, settings.limits.max_file_size)
        text = decode(data)
    except KinspectError as exc:
        run.problems.append(exc.at(source.name))
        return
    refusal = generated(source.name, text, lang)
    if refusal is not None:
        run.notes.append(InputProblem(source.name, refusal))
        return
    try:
        fixed = fix_text(source.name, text, settings, json=source.name.endswith(".json"))
    except KinspectError as exc:
        run.problems.append(exc.at(source.name))
        return
    run.problems.extend(fixed.problems)
    if fixed.problems:
        return
    changed = fixed.text != text
    run.files.append(FileFix(source.name, fixed.fixed, fixed.left, changed))
    if source.path is None and not diff:
        run.output.append(fixed.text)
    elif changed and diff:
        run.output.append(unified_diff(source.name, text, fixed.text))
    elif changed:
        _write(source, data, fixed, run, lang)


def _write(source: Source, data: bytes, fixed: Fixed, run: FixRun, lang: str) -> None:
    assert source.path is not None
    try:
        write_atomic(source.path, data, encode(fixed.text, data))
    except ChangedOnDisk:
        run.problems.append(InputProblem(source.name, fixtexts.text(lang, "changed")))
        run.files[-1].changed = False
    except OSError as exc:
        error = exc.strerror or str(exc)
        run.problems.append(
            InputProblem(source.name, fixtexts.text(lang, "writeFailed", error=error))
        )
        run.files[-1].changed = False


def _read(source: Source, max_bytes: int) -> bytes:
    if source.path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            with source.path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise KinspectError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise KinspectError(f"larger than the limit of {max_bytes:,} bytes")
    return data


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


def _origins(datas: Iterator[object]) -> tuple[list[str], bool]:
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


def encode(text: str, original: bytes) -> bytes:
    """`text` in the encoding (and with the byte order mark) of the original bytes."""
    for bom, encoding in _BOMS:
        if original.startswith(bom):
            return bom + text.encode(encoding)
    return text.encode("utf-8")


def write_atomic(path: Path, original: bytes, new: bytes) -> None:
    """Replace the file (a symlink's target) by `new` if it still holds `original`."""
    real = Path(os.path.realpath(path))
    if real.read_bytes() != original:
        raise ChangedOnDisk
    mode = stat.S_IMODE(real.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{real.name}.", suffix=".tmp", dir=real.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def unified_diff(name: str, old: str, new: str) -> str:
    """A unified diff as git prints it (`\\ No newline at end of file` included)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=name if name.startswith("/") else f"a/{name}",
        tofile=name if name.startswith("/") else f"b/{name}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
