"""`kinspect fix` on kustomizations: fix what `lint` reports, in the file that sets it.

The kustomizations are built and linted as `lint` does; each finding is placed on the file
and line that set the field (a base, a strategic-merge patch). Each such file is then fixed
alone, but only for the findings the build has there: what the build overrides (a tag that
`images:` sets) is not planned, and a finding the file alone cannot fix (one on an `images:`
or `replicas:` entry, a generator, a JSON 6902 patch) is listed as left to fix by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kinspect.engine.run import inspect_sources
from kinspect.engine.settings import Settings
from kinspect.errors import InputProblem
from kinspect.fix import texts as fixtexts
from kinspect.fix.fixer import Left
from kinspect.inputs.kinds import KUSTOMIZATION_FILES, Source
from kinspect.inputs.sources import MANIFEST_SUFFIXES
from kinspect.model import Result

Spot = tuple[str, int, int]
"""A finding where the file alone reports it: check, line and column."""

FixOne = Callable[[Source, "set[Spot]"], "set[Spot] | None"]
"""Fix a file for these findings only; the findings it did not have (None: not fixed)."""


def build_findings(
    builds: list[Source], settings: Settings
) -> tuple[dict[str, list[Result]], list[InputProblem]]:
    """The failing, unsuppressed findings of the builds by file, and the builds' problems."""
    outcome = inspect_sources(builds, settings)
    by_file: dict[str, list[Result]] = {}
    for result in outcome.results:
        if not result.passed and result.suppressed is None:
            by_file.setdefault(result.file, []).append(result)
    return by_file, outcome.problems


def spot(result: Result) -> Spot:
    """Where a finding is, as a file's own lint would place it."""
    return result.check, result.line, result.column


def editable(file: str) -> bool:
    """A manifest or patch file (not a kustomization, an env file or another input)."""
    name = os.path.basename(file)
    return name not in KUSTOMIZATION_FILES and name.endswith(MANIFEST_SUFFIXES)


def fix_builds(
    builds: list[Source], settings: Settings, fix_one: FixOne
) -> tuple[list[tuple[str, list[Left]]], list[InputProblem]]:
    """Fix each file the builds' findings point at; the findings left by hand, per file."""
    by_file, problems = build_findings(builds, settings)
    left: list[tuple[str, list[Left]]] = []
    for file, findings in sorted(by_file.items()):
        wanted = {spot(result) for result in findings}
        missing = fix_one(Source(file, Path(file)), wanted) if editable(file) else wanted
        if missing is None:
            continue  # the file could not be fixed: its problem says why
        reason = fixtexts.text(settings.lang, "byHand" if editable(file) else "setByKustomize")
        unique = {spot(r): r for r in findings if spot(r) in missing}
        left.append((file, [Left(r, r, reason) for r in unique.values()]))
    return left, problems
