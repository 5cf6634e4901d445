"""Plain files spread over the machine's cores, with results in input order.

Each worker inspects one file with a fresh run state and returns its outcome together with
what the file added to that state (owner links, template notes), which the parent merges
into the real run, so the run-level phases see exactly what a sequential run would. A Helm
render's results are placed in their templates in the worker (`places.place_kept`); a file
whose ignores are judged at the end of the run as well is handed back and inspected in the
parent. `KINSPECT_REFERENCE=1` or `KINSPECT_JOBS=1` keeps it all in one process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kinspect.engine.pending import Pending
from kinspect.engine.prefilter import enabled as fast_path_enabled
from kinspect.errors import InputProblem
from kinspect.inputs.kinds import FILE, Source
from kinspect.inputs.streams import InputState

if TYPE_CHECKING:
    from kinspect.engine.settings import Settings

MIN_FILES = 64
"""Fewer files are inspected in the parent: starting workers would cost more than it saves."""

Inspect = Callable[[Source, "Settings", InputState], Pending]


@dataclass
class _Delta:
    """What inspecting one file added to its run's shared state."""

    present: set[str] = field(default_factory=set)
    owned: list[Any] = field(default_factory=list)
    template_dirs: dict[str, list[str]] = field(default_factory=dict)
    notes: list[InputProblem] = field(default_factory=list)


_WORKER: tuple[Inspect, Settings] | None = None


def jobs(sources: list[Source]) -> int:
    """How many processes to use for these sources (1: stay in this process)."""
    wanted = os.environ.get("KINSPECT_JOBS", "")
    count = int(wanted) if wanted.isdigit() else min(os.cpu_count() or 1, 8)
    plain = sum(1 for source in sources if source.kind == FILE and source.path is not None)
    if count < 2 or plain < MIN_FILES or not fast_path_enabled() or sys.platform != "linux":
        return 1
    return count


def inspect_all(
    sources: list[Source], settings: Settings, run: InputState, inspect: Inspect, processes: int
) -> Iterator[tuple[Source, Pending]]:
    """(source, outcome) for every source, in input order; plain files run in workers."""
    from kinspect.engine.workers import answers

    global _WORKER
    parallel = [s for s in sources if s.kind == FILE and s.path is not None]
    _WORKER = (inspect, settings)
    try:
        with closing(answers(parallel, _work, processes)) as done:
            for source in sources:
                answer = next(done) if source.kind == FILE and source.path is not None else None
                if answer is None:  # not a plain file, or it needs the parent's run state
                    yield source, inspect(source, settings, run)
                    continue
                outcome, delta = answer
                _merge(run, delta)
                yield source, outcome
    finally:
        _WORKER = None


def _work(source: Source) -> tuple[Pending, _Delta] | None:
    from kinspect.engine.places import place_kept

    assert _WORKER is not None
    inspect, settings = _WORKER
    run = InputState(settings.inputs, settings.limits)
    outcome = inspect(source, settings, run)
    if run.seen or run.context_only or (run.kept and outcome.scopes):
        return None  # needs the whole run: inspected again in the parent
    if run.kept:  # a Helm render's results go to their templates before leaving the worker
        place_kept(run, outcome)
    delta = _Delta(run.owners.present, run.owners.owned, run.template_dirs, run.notes)
    return outcome, delta


def _merge(run: InputState, delta: _Delta) -> None:
    run.owners.present |= delta.present
    run.owners.owned.extend(delta.owned)
    for directory, files in delta.template_dirs.items():
        run.template_dirs.setdefault(directory, []).extend(files)
    run.notes.extend(delta.notes)


def sequential(
    sources: Iterable[Source], settings: Settings, run: InputState, inspect: Inspect
) -> Iterator[tuple[Source, Pending]]:
    """(source, outcome) for every source, in this process."""
    for source in sources:
        yield source, inspect(source, settings, run)
