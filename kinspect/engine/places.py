"""Results of a mapped stream (a Helm render, a kustomize build) moved to their sources.

A mapped stream keeps its documents until its results are known; `Places` finds each
result's document and resource again (by line, kind, namespace and name) and lets the
stream's mapper place it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from kinspect.engine.pending import Pending
from kinspect.inputs.owners import drop_context
from kinspect.inputs.streams import InputState, Mapper, patch_note, template_note
from kinspect.kube.targets import Resource, resources_of
from kinspect.model import Outcome, ResourceRef, Result, sort_results
from kinspect.parse.loader import Document

if TYPE_CHECKING:
    from kinspect.check.facts import Failure, Placement, Subject
    from kinspect.check.pod_security import Candidate


def finish_inputs(run: InputState, outcome: Outcome) -> None:
    """Drop owned objects whose owner was inspected, place results in their sources, note."""
    outcome.notes.extend(run.notes)
    if not run.options.include_owned:
        run.owners.drop_owned(outcome)
    for name, kinds, namespace in run.context_only:
        drop_context(outcome, name, kinds, namespace)
    if run.kept:
        _place(run, outcome)
        sort_results(outcome.results)
    for directory, files in sorted(run.template_dirs.items()):
        outcome.notes.append(template_note(directory, files))
    for kustomization, files in sorted(run.patch_files.items()):
        outcome.notes.append(patch_note(kustomization, files))


def place_kept(run: InputState, pending: Pending) -> None:
    """Place what the mapped streams produced now rather than in `finish_inputs` (a worker's
    run). Cross-resource failures are decided later, so each subject keeps where its failures
    would be placed; its documents need not outlive the file.
    """
    places = _place(run, pending)
    pending.subjects[:] = [
        placed_subject(places[s.result.file], s) if s.result.file in places else s
        for s in pending.subjects
    ]
    pending.candidates[:] = [
        placed_candidate(places[c.passed.file], c) if c.passed.file in places else c
        for c in pending.candidates
    ]
    run.kept.clear()


def _place(run: InputState, outcome: Outcome) -> dict[str, Places]:
    """Move the outcome's results and inspected resources to their sources; the places."""
    places = {name: Places(*kept) for name, kept in run.kept.items()}
    outcome.results[:] = placed(places, outcome.results)
    outcome.inspected[:] = [
        places[ref.file].ref(ref) if ref.file in places else ref for ref in outcome.inspected
    ]
    return places


def placed(places: dict[str, Places], results: list[Result]) -> Iterator[Result]:
    for result in results:
        yield places[result.file].result(result) if result.file in places else result


def placed_subject(places: Places, subject: Subject) -> Subject:
    """A subject whose result and would-be failures are placed already."""
    failures = tuple(
        None if failure is None else replace(failure, placed=_placement(places, subject, failure))
        for failure in subject.failures
    )
    return replace(subject, result=places.result(subject.result), failures=failures)


def placed_candidate(places: Places, candidate: Candidate) -> Candidate:
    """A pod under a versioned rule whose results are placed already."""
    failures = tuple(tuple(places.result(r) for r in found) for found in candidate.failures)
    return replace(candidate, passed=places.result(candidate.passed), failures=failures)


def _placement(places: Places, subject: Subject, failure: Failure) -> Placement:
    """Where the result of this failure lands (as `finish` would place it)."""
    where = replace(subject.result, line=failure.line, column=failure.column, path=failure.path)
    placed = places.result(where)
    return (
        placed.file,
        placed.line,
        placed.column,
        placed.source_file,
        placed.source_line,
        placed.approximate,
    )


class Places:
    """The kept documents of one mapped stream, to find each result's resource again."""

    def __init__(self, mapper: Mapper, documents: list[Document], build: str | None) -> None:
        self.mapper = mapper
        self.documents = documents
        self.build = build
        self._lines = [document.line for document in documents]
        self._resources: dict[int, list[Resource]] = {}

    def result(self, result: Result) -> Result:
        found = self._find(result.line, result.kind, result.namespace, result.name)
        placed = result if found is None else self.mapper.result(*found, result)
        return placed if self.build is None else replace(placed, build=self.build)

    def ref(self, ref: ResourceRef) -> ResourceRef:
        found = self._find(ref.line, ref.kind, ref.namespace, ref.name)
        return ref if found is None else self.mapper.ref(*found, ref)

    def _find(
        self, line: int, kind: str, namespace: str | None, name: str
    ) -> tuple[Document, Resource] | None:
        index = bisect.bisect_right(self._lines, line) - 1
        if index < 0:
            return None
        document = self.documents[index]
        if index not in self._resources:
            self._resources[index] = list(resources_of(document.data))
        matches = [
            r
            for r in self._resources[index]
            if (r.kind, r.namespace, r.name) == (kind, namespace, name)
        ]
        return (document, matches[0]) if len(matches) == 1 else None
