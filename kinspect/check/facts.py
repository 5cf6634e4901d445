"""What one file contributes to the run-level (cross-resource) phase: small, picklable facts.

Whole documents are never kept: a related resource keeps its kind, namespace, name, the labels
selectors see and the few values its relations read; a subject keeps its passing result, the
values its relations read, and the position each relation's failure would point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import Node

from kinspect.check.evaluate import render_value
from kinspect.kube.paths import dotted, get_path, split_dotted
from kinspect.kube.selectors import labels_of
from kinspect.kube.targets import Resource, Target, pod_spec_path
from kinspect.model import Result
from kinspect.parse.locate import locate
from kinspect.ruleset.relation_spec import KeptPaths, Step, sorted_subject_paths
from kinspect.ruleset.schema import compiled

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True, slots=True)
class Fact:
    """A resource as relations see it."""

    kind: str
    namespace: str
    name: str
    labels: dict[str, str]
    workload: bool
    values: dict[str, Any]
    scope: str = ""
    """The build (kustomization, chart) or, for a plain file, the directory it comes from."""

    @property
    def ref(self) -> str:
        """`Kind/name`, as kubectl writes it."""
        return f"{self.kind}/{self.name}"

    @property
    def content(self) -> tuple[Any, ...]:
        """What relations read of it (two definitions with the same content never conflict)."""
        return (self.kind, self.namespace, self.name, self.labels, self.workload, self.values)

    def __reduce__(self) -> tuple[type[Fact], tuple[Any, ...]]:
        # One constructor call when unpickled, not dataclasses' __setstate__.
        return Fact, (*self.content, self.scope)


Placement = tuple[str, int, int, str | None, int | None, bool]
"""A result's file, line, column, source_file, source_line and approximate once a mapper has
placed it."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Where a relation's failure points, and the value found there."""

    line: int
    column: int
    path: str
    value: str
    placed: Placement | None = None
    """Where the failure's result goes when the file's mapper placed it already (a worker)."""

    def __reduce__(self) -> tuple[type[Failure], tuple[Any, ...]]:
        return Failure, (self.line, self.column, self.path, self.value, self.placed)


@dataclass(frozen=True, slots=True)
class Subject:
    """A target that passed its rule's own schema and waits for its relations."""

    result: Result
    namespace: str
    labels: dict[str, str]
    values: dict[str, Any]
    active: tuple[bool, ...]
    failures: tuple[Failure | None, ...]
    scope: str = ""
    """The build or directory of the subject (a related object from the same one is preferred)."""

    def __reduce__(self) -> tuple[type[Subject], tuple[Any, ...]]:
        fields = (self.namespace, self.labels, self.values, self.active, self.failures)
        return Subject, (self.result, *fields, self.scope)

    @property
    def kind(self) -> str:
        """The subject's kind."""
        return self.result.kind

    @property
    def name(self) -> str:
        """The subject's name."""
        return self.result.name


def selector_labels(resource: Resource) -> dict[str, str]:
    """The labels selectors see: a workload's pod template labels, else the resource's own."""
    spec_path = pod_spec_path(resource)
    labels_path = (
        ("metadata", "labels") if spec_path is None else (*spec_path[:-1], "metadata", "labels")
    )
    return labels_of(get_path(resource.data, labels_path))


def fact_of(resource: Resource, kept: KeptPaths, scope: str = "") -> Fact | None:
    """The fact a resource contributes, if some relation can reach its kind."""
    workload = pod_spec_path(resource) is not None
    paths = kept.paths_for(resource.kind, workload)
    if paths is None:
        return None
    return Fact(
        kind=resource.kind,
        namespace=resource.namespace or DEFAULT_NAMESPACE,
        name=resource.name,
        labels=selector_labels(resource),
        workload=workload,
        values={path: get_path(resource.data, split_dotted(path)) for path in sorted(paths)},
        scope=scope,
    )


def subject_of(
    steps: tuple[Step, ...], target: Target, root: Node, result: Result, scope: str = ""
) -> Subject:
    """The facts a passing target keeps for its rule's relations."""
    instance = target.instance
    paths = sorted_subject_paths(steps)
    return Subject(
        result=result,
        namespace=target.resource.namespace or DEFAULT_NAMESPACE,
        labels=selector_labels(target.resource),
        values={path: get_path(instance, split_dotted(path)) for path in paths},
        active=tuple(_holds(step.when, instance) for step in steps),
        failures=tuple(_failure(step, target, root) for step in steps),
        scope=scope,
    )


def _holds(schema: dict[str, Any] | bool | None, instance: Any) -> bool:
    if schema is None:
        return True
    return bool(compiled(schema).is_valid(instance))


def _failure(step: Step, target: Target, root: Node) -> Failure | None:
    if step.require is None:
        return None
    instance_path = split_dotted(step.locate) if step.locate else ()
    document_path = target.document_path(instance_path)
    (line, column), _ = locate(root, document_path)
    found = get_path(target.instance, instance_path) if step.locate else None
    value = "" if found is None else render_value(found)
    return Failure(line, column, dotted(document_path), value)
