"""Inputs that are built or mapped: Helm charts and renders, kustomizations, cluster exports.

A source becomes a `Stream`: the text to inspect and, when findings belong in other files
(a template, a kustomize base), a `Mapper` that places them there. `Run` holds what spans
all sources of one run: resources already seen, owned objects, notes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

from kinspect.errors import InputProblem
from kinspect.extract import Path, Resource
from kinspect.limits import DEFAULT_LIMITS, Limits
from kinspect.loader import Document
from kinspect.model import Outcome, ResourceRef, Result, sort_results
from kinspect.places import Places, placed, placed_subject
from kinspect.sources import CHART, FILE, KUSTOMIZATION, Source, read_text

CLUSTER = "cluster"


@dataclass(frozen=True)
class HelmOptions:
    """How charts are rendered (the `helm template` options) and where renders come from."""

    values: tuple[str, ...] = ()
    set_values: tuple[str, ...] = ()
    release_name: str = "release-name"
    namespace: str | None = None
    kube_version: str | None = None
    include_tests: bool = False
    chart_root: str | None = None


@dataclass(frozen=True)
class ClusterOptions:
    """Which cluster `kinspect cluster` reads, through kubectl."""

    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    kubeconfig: str | None = None
    save: str | None = None
    kinds: frozenset[str] | None = None
    """Kinds to read (kinspect.cluster_kinds.kinds_read of the rules); None: every known kind."""


@dataclass(frozen=True)
class InputOptions:
    """Everything about reading inputs that the command line can change."""

    helm: HelmOptions = field(default_factory=HelmOptions)
    kustomize_cmd: str | None = None
    include_owned: bool = False
    cluster: ClusterOptions = field(default_factory=ClusterOptions)


class Mapper(Protocol):
    """Places the resources of a stream in the files the user edits."""

    annotates_only: bool
    """Results keep their file and line (a saved Helm render): documents no rule reads may
    then be left unbuilt, as in a plain file; otherwise the mapper sees every document."""

    def admit(self, document: Document, resource: Resource) -> bool:
        """Whether to inspect the resource (it may also clean its data first)."""

    def ref(self, document: Document, resource: Resource, ref: ResourceRef) -> ResourceRef:
        """Where the resource starts, moved to its source file."""

    def result(self, document: Document, resource: Resource, result: Result) -> Result:
        """A result moved to (or annotated with) its source file and line."""


@dataclass
class Stream:
    """Text to inspect under `name`, and how to place what is found in it."""

    name: str
    text: str
    mapper: Mapper | None = None


def parse_path(dotted: str) -> Path:
    """A result's dotted path back to keys and indexes (keys holding dots are split too)."""
    if not dotted:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in dotted.split("."))


def fingerprint(data: Any) -> str:
    """A stable text for comparing resources."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


class Run:
    """State shared by the sources of one run."""

    def __init__(
        self, options: InputOptions | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        from kinspect.owners import Owners

        self.options = options or InputOptions()
        self.limits = limits
        self.seen: set[str] = set()
        self.owners = Owners()
        self.notes: list[InputProblem] = []
        self.context_only: list[tuple[str, frozenset[str], str | None]] = []
        """Streams whose objects of these kinds are read for the checks of a namespace only."""
        self.template_dirs: dict[str, list[str]] = {}
        self.kept: dict[str, tuple[Mapper, list[Document]]] = {}

    def open(self, source: Source) -> Stream | None:
        """The stream of a source; None when it is a Helm template file (noted instead)."""
        opener = _OPENERS.get(source.kind)
        if opener is not None:
            return opener(self, source)
        text = read_text(source, self.limits.max_file_size)
        if is_template_file(source.name, text) and not self._plain_template(source, text):
            parts = PurePosixPath(source.name).parts
            last = len(parts) - 1 - parts[::-1].index("templates")
            directory = str(PurePosixPath(*parts[: last + 1]))  # one note per chart's templates/
            self.template_dirs.setdefault(directory, []).append(source.name)
            return None
        if "# Source: " in text:
            from kinspect.helm import stream_mapper

            return Stream(source.name, text, stream_mapper(source, text, self.options.helm))
        return Stream(source.name, text)

    def _plain_template(self, source: Source, text: str) -> bool:
        """Whether a file that looks like a Helm template is inspected as plain YAML: when no
        chart holds it (nothing would ever render it) and it parses (with a note)."""
        from kinspect.split import syntax_ok

        if in_chart(source) or not syntax_ok(text):
            return False
        message = "looks like a Helm template (it holds `{{`), but no Chart.yaml is beside its"
        message += " templates/ directory: inspected as plain YAML"
        self.notes.append(InputProblem(source.name, message))
        return True

    def first_time(self, key: str) -> bool:
        """True the first time `key` is met in this run."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def admit(self, stream: Stream | None, document: Document, resource: Resource) -> bool:
        """Whether to inspect a resource (the stream's mapper decides); keeps what finish needs."""
        if stream is not None and stream.mapper is not None:
            if not stream.mapper.admit(document, resource):
                return False
            kept = self.kept.setdefault(stream.name, (stream.mapper, []))[1]
            if not kept or kept[-1] is not document:
                kept.append(document)
        self.owners.observe(stream.name if stream else "", resource)
        return True

    def finish(self, outcome: Outcome) -> None:
        """Drop owned objects whose owner was inspected, place results in their sources, note."""
        from kinspect.owners import drop_context

        outcome.notes.extend(self.notes)
        if not self.options.include_owned:
            self.owners.drop_owned(outcome)
        for name, kinds, namespace in self.context_only:
            drop_context(outcome, name, kinds, namespace)
        if self.kept:
            self._place(outcome)
            sort_results(outcome.results)
        for directory, files in sorted(self.template_dirs.items()):
            outcome.notes.append(_template_note(directory, files))

    def place_kept(self, outcome: Outcome) -> None:
        """Place what the mapped streams produced now rather than in `finish` (a worker's run).

        Cross-resource failures are decided later, so each subject keeps where its failures
        would be placed; its documents need not outlive the file.
        """
        places = self._place(outcome)
        outcome.subjects[:] = [
            placed_subject(places[s.result.file], s) if s.result.file in places else s
            for s in outcome.subjects
        ]
        self.kept.clear()

    def _place(self, outcome: Outcome) -> dict[str, Places]:
        """Move the outcome's results and inspected resources to their sources; the places."""
        places = {name: Places(mapper, docs) for name, (mapper, docs) in self.kept.items()}
        outcome.results[:] = placed(places, outcome.results)
        outcome.inspected[:] = [
            places[ref.file].ref(ref) if ref.file in places else ref for ref in outcome.inspected
        ]
        return places


def is_template_file(name: str, text: str) -> bool:
    """A Helm template met on its own: under a `templates` directory, with `{{`."""
    return "/templates/" in "/" + name and "{{" in text  # a `templates` directory on the way


def in_chart(source: Source) -> bool:
    """Whether a Chart.yaml is beside the nearest `templates` directory above the file."""
    if source.path is None:
        return False
    for directory in source.path.absolute().parents:
        if directory.name == "templates":
            return (directory.parent / "Chart.yaml").is_file()
    return False


def _template_note(directory: str, files: list[str]) -> InputProblem:
    chart = str(PurePosixPath(directory).parent)
    count = f"{len(files)} Helm template file{'s' if len(files) > 1 else ''}"
    return InputProblem(
        directory,
        f"{count} not inspected on {'their' if len(files) > 1 else 'its'} own: "
        "templates are YAML only once rendered",
        hint=f"inspect the chart instead: kinspect lint {chart}, "
        "or helm template ... | kinspect lint -",
    )


def _open_chart(run: Run, source: Source) -> Stream:
    from kinspect.helm import render_chart

    return render_chart(source, run.options.helm, run.limits)


def _open_kustomization(run: Run, source: Source) -> Stream:
    from kinspect.kustomize import build

    return build(source, run.options.kustomize_cmd, run)


def _open_cluster(run: Run, source: Source) -> Stream:
    from kinspect.cluster import fetch
    from kinspect.cluster_kinds import cluster_scoped_kinds

    options = run.options.cluster
    stream = fetch(options, run.notes)
    if not options.all_namespaces:
        run.context_only.append((stream.name, cluster_scoped_kinds(), options.namespace))
    return stream


_OPENERS: dict[str, Callable[[Run, Source], Stream]] = {
    CHART: _open_chart,
    KUSTOMIZATION: _open_kustomization,
    CLUSTER: _open_cluster,
}
assert FILE not in _OPENERS
