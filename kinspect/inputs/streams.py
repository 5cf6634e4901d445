"""The types every input adapter shares: options, streams, mappers and the run's input state.

A source becomes a `Stream` (inputs.dispatch): the text to inspect and, when findings belong
in other files (a template, a kustomize base), a `Mapper` that places them there. `InputState`
holds what spans all sources of one run: resources already seen, owned objects, notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

from kinspect.errors import InputProblem
from kinspect.kube.targets import Resource
from kinspect.model import ResourceRef, Result
from kinspect.parse.limits import DEFAULT_LIMITS, Limits
from kinspect.parse.loader import Document


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
    """Kinds to read (`cluster_kinds.kinds_read` of the rules); None: every known kind."""


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
    build: str | None = None
    """The kustomization or chart (and release) that was built: each result names it."""
    once: bool = False
    """An object identical to one another build produced is not inspected again (a chart
    rendered twice); a kustomize build decides that in its mapper, by origin and content."""


def fingerprint(data: Any) -> str:
    """A stable text for comparing resources."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


class InputState:
    """State shared by the sources of one run."""

    def __init__(
        self, options: InputOptions | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        from kinspect.inputs.owners import Owners

        self.options = options or InputOptions()
        self.limits = limits
        self.seen: set[str] = set()
        self.owners = Owners()
        self.notes: list[InputProblem] = []
        self.context_only: list[tuple[str, frozenset[str], str | None]] = []
        """Streams whose objects of these kinds are read for the checks of a namespace only."""
        self.template_dirs: dict[str, list[str]] = {}
        self.patch_files: dict[str, list[str]] = {}
        """Kustomize patches met on their own, by the kustomization that uses them."""
        self.kept: dict[str, tuple[Mapper, list[Document], str | None]] = {}

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
            if stream.once and not self.first_time(fingerprint(["built", resource.data])):
                return False
            kept = self.kept.setdefault(stream.name, (stream.mapper, [], stream.build))[1]
            if not kept or kept[-1] is not document:
                kept.append(document)
        self.owners.observe(stream.name if stream else "", resource)
        return True


def is_template_file(name: str, text: str) -> bool:
    """A Helm template met on its own: under a `templates` directory, with `{{`."""
    return "/templates/" in "/" + name and "{{" in text  # a `templates` directory on the way


def template_note(directory: str, files: list[str]) -> InputProblem:
    chart = str(PurePosixPath(directory).parent)
    count = f"{len(files)} Helm template file{'s' if len(files) > 1 else ''}"
    return InputProblem(
        directory,
        f"{count} not inspected on {'their' if len(files) > 1 else 'its'} own: "
        "templates are YAML only once rendered",
        hint=f"inspect the chart instead: kinspect lint {chart}, "
        "or helm template ... | kinspect lint -",
    )


def patch_note(kustomization: str, files: list[str]) -> InputProblem:
    """Kustomize patches given on their own: what to inspect instead (`kustomization`: the
    directory that uses them)."""
    count = f"{len(files)} kustomize patch file{'s' if len(files) > 1 else ''}"
    shown = ", ".join(files[:3]) + (", ..." if len(files) > 3 else "")
    return InputProblem(
        shown,
        f"{count} not inspected on {'their' if len(files) > 1 else 'its'} own: a patch is "
        "complete only once the kustomization applies it to its base",
        hint=f"inspect the kustomization instead: kinspect lint {kustomization}, or use the "
        "kinspect-dirs pre-commit hook",
    )
