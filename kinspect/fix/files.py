"""`kinspect fix` over files: find them, leave generated ones alone, fix, then write or diff.

Which files are edited is decided in kinspect.fix.sources. A file is replaced atomically (a
temporary file renamed over it), in its own encoding, and only if its bytes are still those
that were read. Never prints, never exits.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import stat
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kinspect.engine.run import Settings
from kinspect.errors import InputProblem, KinspectError
from kinspect.fix import texts as fixtexts
from kinspect.fix.fixer import Baseline, Fixed, Left, fix_text
from kinspect.fix.sources import generated, plain_files
from kinspect.inputs.kinds import Source
from kinspect.inputs.sources import collect, decode

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
class FixOutcome:
    """Everything `kinspect fix` reports: per-file outcomes, problems, notes, stdout text."""

    files: list[FileFix] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    notes: list[InputProblem] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    """Unified diffs (--diff), or the fixed text of standard input."""


class ChangedOnDisk(Exception):
    """The file's bytes are no longer those that were read."""


def fix_paths(
    paths: list[str],
    settings: Settings,
    *,
    diff: bool = False,
    excludes: list[str] | None = None,
    baseline: Baseline | None = None,
) -> FixOutcome:
    """Fix every plain manifest under `paths`; write the files unless `diff`."""
    run = FixOutcome()
    sources, problems = collect(paths, excludes or ())
    run.problems.extend(problems)
    for source in plain_files(sources, run.notes, settings.lang):
        _fix_source(source, settings, diff, run, baseline)
    return run


def baseline_of(path: Path | None, ran: list[str], lang: str) -> Baseline | None:
    """What marks the findings of a baseline file as suppressed (None without one)."""
    if path is None:
        return None
    from kinspect.config.baseline import apply_baseline, read_baseline

    entries = read_baseline(path)
    return lambda results: apply_baseline(results, entries, path, ran, lang)[0]


def _fix_source(
    source: Source, settings: Settings, diff: bool, run: FixOutcome, baseline: Baseline | None
) -> None:
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
        if source.path is None and not diff:
            run.output.append(text)  # standard input goes through unchanged
        return
    try:
        json = source.name.endswith(".json")
        fixed = fix_text(source.name, text, settings, json=json, baseline=baseline)
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


def _write(source: Source, data: bytes, fixed: Fixed, run: FixOutcome, lang: str) -> None:
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
