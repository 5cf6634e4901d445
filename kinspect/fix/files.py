"""`kinspect fix` over files: find them, leave generated ones alone, fix, then write or diff.

Which files are edited is decided in kinspect.fix.sources, how and whether one is replaced in
kinspect.fix.write (in its own encoding, only inside the paths given). Never prints, never
exits.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kinspect.engine.run import Settings
from kinspect.errors import InputProblem, KinspectError
from kinspect.fix import texts as fixtexts
from kinspect.fix.fixer import Baseline, Fixed, Left, fix_text
from kinspect.fix.sources import generated, plain_files
from kinspect.fix.write import ChangedOnDisk, WriteRefused, encode, roots_of, write_fixed
from kinspect.inputs.kinds import Source
from kinspect.inputs.sources import collect, decode


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
    roots = roots_of(paths)
    for source in plain_files(sources, run.notes, settings.lang, run.problems):
        _fix_source(source, settings, diff, run, baseline, roots)
    return run


def baseline_of(path: Path | None, ran: list[str], lang: str) -> Baseline | None:
    """What marks the findings of a baseline file as suppressed (None without one)."""
    if path is None:
        return None
    from kinspect.config.baseline import apply_baseline, read_baseline

    entries = read_baseline(path)
    return lambda results: apply_baseline(results, entries, path, ran, lang)[0]


def _fix_source(
    source: Source,
    settings: Settings,
    diff: bool,
    run: FixOutcome,
    baseline: Baseline | None,
    roots: list[str],
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
        _write(source, data, fixed, run, lang, roots)


def _write(
    source: Source, data: bytes, fixed: Fixed, run: FixOutcome, lang: str, roots: list[str]
) -> None:
    assert source.path is not None
    try:
        write_fixed(source.path, roots, data, encode(fixed.text, data))
        return
    except ChangedOnDisk:
        message = fixtexts.text(lang, "changed")
    except WriteRefused as refused:
        message = fixtexts.text(lang, refused.reason, **refused.values)
    except OSError as exc:
        message = fixtexts.text(lang, "writeFailed", error=exc.strerror or str(exc))
    run.problems.append(InputProblem(source.name, message))
    run.files[-1].changed = False
    run.files[-1].fixed = Counter()  # nothing was: the findings stay where they were


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
