"""The pipeline: sources → documents → targets → results. Never prints, never exits."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ruamel.yaml.nodes import ScalarNode

from kinspect.check.duplicate_keys import duplicate_key_results
from kinspect.check.evaluate import evaluate
from kinspect.check.facts import fact_of, subject_of
from kinspect.check.pod_security import candidates_of
from kinspect.engine.pending import Pending
from kinspect.engine.prefilter import Masked, mask
from kinspect.engine.settings import Settings
from kinspect.errors import InputProblem, KinspectError
from kinspect.inputs.dispatch import open_stream
from kinspect.inputs.kinds import FILE, Source
from kinspect.inputs.streams import InputState, Stream
from kinspect.kube.targets import Resource, targets_of
from kinspect.model import Outcome, ResourceRef, Result, sort_results
from kinspect.parse.loader import Document, check_json, load_documents
from kinspect.parse.locate import locate
from kinspect.structure.validate import check_structure
from kinspect.suppress.suppressor import finish_run

__all__ = [
    "Progress",
    "Settings",
    "TextOrigin",
    "finish",
    "inspect_source",
    "inspect_sources",
    "inspect_text",
]

Progress = Callable[[int, str], None]


def inspect_sources(
    sources: Iterable[Source], settings: Settings, progress: Progress | None = None
) -> Outcome:
    """Inspect every source; a bad input becomes a problem, the others go on.

    `progress(done, name)` is called before each source and once at the end.
    """
    from kinspect.engine import parallel
    from kinspect.engine.places import finish_inputs
    from kinspect.engine.policy_scan import without_idle_rules

    outcome = Pending()
    run = InputState(settings.inputs, settings.limits)
    listed = list(sources)
    settings = without_idle_rules(listed, settings)
    processes = parallel.jobs(listed)
    if processes > 1:
        outcomes = parallel.inspect_all(listed, settings, run, inspect_source, processes)
    else:
        outcomes = parallel.sequential(listed, settings, run, inspect_source)
    done = 0
    pack_above = _pack_above()
    for source, part in outcomes:
        if progress is not None:
            progress(done, source.name)
        outcome.add(part)
        # A large run keeps its results packed till the end, packing in small batches.
        if len(outcome.results) > (pack_above if outcome.packed is None else PACK_BATCH):
            outcome.pack()
        done += 1
    if progress is not None:
        progress(done, "")
    finished = finish(outcome, settings)
    finish_inputs(run, finished)
    if finished.pod_security:  # owned objects dropped: count what the report shows
        from kinspect.check.pod_security import counted

        versioned = {rule.id for rule in settings.rules if rule.versions}
        finished.pod_security = counted(finished.pod_security, finished.results, versioned)
    return finished


PACK_ABOVE = 50_000
"""Results a run holds unpacked (`KINSPECT_PACK_RESULTS`); beyond, they are packed, then
every `PACK_BATCH` more (kinspect/engine/packed.py): a fraction of the memory, for some time."""
PACK_BATCH = 5_000


def _pack_above() -> int:
    wanted = os.environ.get("KINSPECT_PACK_RESULTS", "")
    return int(wanted) if wanted.isdigit() else PACK_ABOVE


def finish(outcome: Pending, settings: Settings) -> Outcome:
    """The run-level phase, once every input is read: resolve the cross-resource rules."""
    from kinspect.check.pod_security import decide
    from kinspect.check.relations import resolve

    outcome.unpack_facts()
    late = resolve(outcome.subjects, outcome.facts, settings.rules, settings.lang)
    judged, outcome.pod_security = decide(
        outcome.candidates, outcome.facts, settings.rules, settings.pod_security, settings.lang
    )
    late.extend(judged)
    outcome.candidates.clear()
    # A Pod Security check that judged nothing (no policy applied) did not run: ignores of it
    # are not reported as unused.
    ran = {result.check for result in judged}
    rules = tuple(rule for rule in settings.rules if not rule.versions or rule.id in ran)
    decided = list(finish_run(late, outcome.scopes, settings.active_suppressor, rules))
    del late
    _replace_facts(outcome, decided)
    outcome.unpack()
    sort_results(outcome.results)
    return outcome


def _replace_facts(outcome: Pending, decided: list[Result]) -> None:
    """Drop the facts, subjects and scopes, and add the results decided from them (taken).

    In a large run (its results packed), the decided results are pickled before the facts
    and subjects go and loaded after: then none of them keeps a text made amid the facts and
    subjects, whose memory is free as a whole once they go, for the results unpacked next.
    """
    sent = None
    if outcome.packed is not None:
        import pickle

        from kinspect.engine.packed import dumps

        sent = dumps(Outcome(results=decided))
        decided.clear()
    outcome.subjects.clear()
    outcome.facts.clear()
    outcome.scopes.clear()
    outcome.results.extend(decided)
    if sent is not None:
        outcome.add(pickle.loads(sent))


def inspect_source(source: Source, settings: Settings, run: InputState | None = None) -> Pending:
    """Read (render, build, fetch) and inspect one input."""
    outcome = Pending(files=1)
    run = run or InputState(settings.inputs, settings.limits)
    try:
        stream = open_stream(run, source)
    except KinspectError as exc:
        outcome.problems.append(exc.at(source.name))
        return outcome
    if stream is None:  # a Helm template met on its own: noted at the end of the run
        return outcome
    # Inline `# kinspect:` comments count in plain files only, not in rendered output.
    plain = stream.mapper is None
    file = plain and source.kind == FILE  # an empty render or export is not an empty file
    origin = TextOrigin(is_file=file, plain=plain, run=run, stream=stream)
    return inspect_text(stream.name, stream.text, settings, origin, into=outcome)


@dataclass(frozen=True, slots=True)
class TextOrigin:
    """Where a text comes from, which decides how `inspect_text` reads it."""

    is_file: bool = False
    """A file's (or stdin's) content: having no document is a problem."""
    plain: bool = True
    """Honour `# kinspect:` comments (plain files; not rendered templates)."""
    run: InputState | None = None
    """The run's shared input state."""
    stream: Stream | None = None
    """The stream the text came from (its mapper places the results)."""


def inspect_text(
    name: str,
    text: str,
    settings: Settings,
    origin: TextOrigin | None = None,
    into: Pending | None = None,
) -> Pending:
    """Inspect the documents of one text (into `into`, else a new outcome); documents before
    a parse error still count."""
    outcome = into or Pending(files=1)
    origin = origin or TextOrigin()
    run, stream, comments, file = origin.run, origin.stream, origin.plain, origin.is_file
    first = len(outcome.results)
    scope = settings.active_suppressor.open(name, text if comments else "")
    # Invalid JSON is reported, and what a YAML reading finds is still inspected.
    invalid = check_json(text) if name.endswith(".json") else None
    if invalid is not None:
        outcome.problems.append(invalid.at(name))
    documents = 0
    # A mapper that moves results (a chart render, a kustomize build) sees every document.
    maskable = stream is None or stream.mapper is None or stream.mapper.annotates_only
    limit = settings.limits.max_documents + 1  # past it, the parser stops with the error
    parsed, masked = mask(text, settings.needed, limit) if maskable else (text, {})
    try:
        for document in load_documents(parsed, settings.limits, settings.aliases):
            outcome.documents += 1
            placeholder = _placeholder(document, masked)
            if placeholder is not None:
                documents += 1
                _count_masked(name, document, placeholder, outcome, run, stream)
                continue
            documents += document.data is not None
            _inspect_document(name, document, settings, outcome, run, stream)
            scope.document(document)
    except KinspectError as exc:
        if invalid is None:  # one error per input: the JSON one says more
            outcome.problems.append(exc.at(name))
    else:
        if file and not documents and invalid is None:
            outcome.problems.append(_empty(name, text))
    # The suppression stage; with cross-resource rules the ignores are judged at the end.
    outcome.results[first:] = scope.suppress(outcome.results[first:], settings.active_suppressor)
    if scope.active and any(rule.relations or rule.versions for rule in settings.rules):
        outcome.scopes.append(scope)
    else:
        outcome.results.extend(scope.judgements(settings.active_suppressor, settings.rules))
    return outcome


def _inspect_document(
    name: str,
    document: Document,
    settings: Settings,
    outcome: Pending,
    run: InputState | None = None,
    stream: Stream | None = None,
) -> None:
    from kinspect.kube.targets import resources_of

    found = False
    resources = list(resources_of(document.data))
    admitted: list[Resource] = []
    # Where the resource comes from, for related objects defined more than once.
    site = stream.build if stream is not None and stream.build else posixpath.dirname(name)
    for resource in resources:
        found = True
        if run is not None and not run.admit(stream, document, resource):
            continue  # e.g. a resource that another kustomization already built
        admitted.append(resource)
        (line, _), _ = locate(document.root, resource.path)
        _count(outcome, name, resource, line)
        # Structure first: a misspelt field is then named by the checks that read it.
        structure = check_structure(resource, document.root, name, settings.rules, settings.lang)
        outcome.results.extend(structure.results)
        for target in targets_of(resource, settings.scopes):
            rules = settings.rules_for(target, resource)
            position = locate(document.root, target.path)[0] if rules else None  # of passes
            versioned = [rule for rule in rules if rule.versions]
            if position and versioned and settings.pod_security_possible:
                # Judged by namespace policy once every input is read.
                candidates = candidates_of(
                    versioned, target, document.root, name, settings.lang, position
                )
                outcome.candidates.extend(candidates)
            for rule in rules:
                if rule.versions:
                    continue
                result = structure.annotate(
                    rule,
                    target,
                    evaluate(rule, target, document.root, name, settings.lang, position),
                )
                if rule.relations and result.passed:  # decided once every input is read
                    subject = subject_of(rule.relations, target, document.root, result, site)
                    outcome.subjects.append(subject)
                else:
                    outcome.results.append(result)
        fact = fact_of(resource, settings.kept_paths, site)
        if fact is not None:
            outcome.facts.append(fact)
    if not found and document.data is not None:
        outcome.skipped_documents += 1
    if admitted:
        outcome.results.extend(
            duplicate_key_results(document, admitted, name, settings.rules, settings.lang)
        )


def _placeholder(document: Document, masked: dict[int, Masked]) -> Masked | None:
    """The masked document an empty placeholder stands for, if it is one."""
    if not masked or document.data is not None:
        return None
    root = document.root
    if not isinstance(root, ScalarNode) or root.value or root.style:
        return None
    return masked.get(root.start_mark.line)


def _count_masked(
    name: str,
    document: Document,
    masked: Masked,
    outcome: Outcome,
    run: InputState | None,
    stream: Stream | None,
) -> None:
    """A document no rule reads: counted and listed as a full build would, and nothing else."""
    resource = masked.resource
    if run is not None and not run.admit(stream, document, resource):
        return
    _count(outcome, name, resource, masked.line)


def _count(outcome: Outcome, name: str, resource: Resource, line: int) -> None:
    """An inspected resource: counted by kind and listed with the line it starts on."""
    outcome.resources[resource.kind] += 1
    outcome.inspected.append(
        ResourceRef(name, line, resource.kind, resource.namespace, resource.name)
    )


def _empty(name: str, text: str) -> InputProblem:
    """An input without a single document: empty, blank, or comments and `---` only."""
    what = "empty file" if not text.strip() else "no YAML document (only comments or `---`)"
    return InputProblem(name, what, hint="nothing to inspect; delete the file or exclude it")
