"""A kustomization or chart directory inspected from disk as `kinspect lint DIR` builds it
(`kubectl kustomize`, a Helm render), its findings as diagnostics on the files they map to.

It runs off the event loop (kinspect.lsp.saves): nothing here touches the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from lsprotocol import types

from kinspect.config.plan import RunPlan, baseline_stage
from kinspect.engine.run import inspect_sources
from kinspect.errors import KinspectError
from kinspect.inputs.changed import is_chart, is_kustomization, project_dir
from kinspect.inputs.kinds import CHART, CHART_FILE, KUSTOMIZATION, KUSTOMIZATION_FILES, Source
from kinspect.inputs.kustomization_files import referenced
from kinspect.inputs.sources import decode
from kinspect.lsp.diagnose import diagnostic
from kinspect.lsp.positions import Lines
from kinspect.model import Result

MOST_KUSTOMIZATIONS = 500
"""Kustomizations followed when listing what a build reads (a larger tree is cut short)."""


@dataclass
class Inspected:
    """What the last inspection of a directory found."""

    diagnostics: dict[str, list[types.Diagnostic]] = field(default_factory=dict)
    """By file path (resolved): the findings placed in that file."""
    uses: frozenset[str] = frozenset()
    """Files whose saving calls for a new inspection (a kustomization's bases, patches...)."""
    problems: list[str] = field(default_factory=list)
    """Why the directory could not be built, or a file of it read (one line each)."""


def directory_of(saved: Path) -> Path | None:
    """The kustomization or (outermost) chart directory that a saved file belongs to."""
    found = project_dir(str(saved))
    return Path(found) if found is not None else None


def inspect_directory(directory: Path, plan: RunPlan, encoding: str, label: str) -> Inspected:
    """Build and inspect `directory` with `plan` (its `.kinspect.yaml`, suppressions and
    baseline); each diagnostic's message ends with `(build: label)`. A directory that is no
    longer a kustomization or a chart has nothing to show."""
    if not is_kustomization(directory) and not is_chart(directory):
        return Inspected()
    kind = KUSTOMIZATION if is_kustomization(directory) else CHART
    outcome = inspect_sources([Source(str(directory), directory, kind)], plan.settings)
    baseline_stage(outcome, plan)  # its messages about stale entries are for the command line
    rules = {rule.id: rule for rule in plan.rules}
    found = Inspected(problems=[problem.render() for problem in outcome.problems])
    texts: dict[str, Lines] = {}
    marker = _marker(directory, kind)
    for result in outcome.results:
        if result.passed or result.suppressed is not None:
            continue
        file, result = _placed(result, marker)
        if file not in texts:
            texts[file] = Lines(_read(file), encoding)
        shown = diagnostic(result, texts[file], rules.get(result.check), plan.fail_on)
        shown.message = f"{shown.message} (build: {label})"
        found.diagnostics.setdefault(file, []).append(shown)
    found.uses = _uses(directory) if kind == KUSTOMIZATION else frozenset()
    return found


def _marker(directory: Path, kind: str) -> str:
    """The file that makes `directory` a kustomization or a chart."""
    names = KUSTOMIZATION_FILES if kind == KUSTOMIZATION else (CHART_FILE,)
    files = [directory / name for name in names if (directory / name).is_file()]
    return str(files[0] if files else directory / names[0])


def _placed(result: Result, marker: str) -> tuple[str, Result]:
    """The file a finding is shown in; one that no file of the tree wrote (a build's output
    whose origin is unknown) is shown at the top of the kustomization or Chart.yaml."""
    path = Path(result.file)
    if path.is_file():
        return str(path.resolve()), result
    return marker, replace(result, file=marker, line=1, column=1)


def _read(file: str) -> str:
    """The file as saved ('' when it cannot be read: positions then fall back to columns)."""
    try:
        return decode(Path(file).read_bytes())
    except (OSError, KinspectError, UnicodeError):
        return ""


def _uses(directory: Path) -> frozenset[str]:
    """Every file a kustomization builds from: its own, and those of its bases, components,
    patches and generators, followed down the tree."""
    found: set[str] = set()
    waiting = [directory.resolve()]
    seen: set[Path] = set()
    while waiting and len(seen) < MOST_KUSTOMIZATIONS:
        current = waiting.pop()
        if current in seen:
            continue
        seen.add(current)
        found.update(str(current / n) for n in KUSTOMIZATION_FILES if (current / n).is_file())
        for target in referenced(current):
            if target.is_dir():
                waiting.append(target)
            elif target.is_file():
                found.add(str(target))
    return frozenset(found)
