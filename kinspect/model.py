"""The values that flow out of the engine: results, per-file outcomes and run statistics."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from sys import intern

from kinspect.errors import InputProblem

SEVERITIES = ("danger", "warning")
CATEGORIES = ("Health Checks", "Images", "Networking", "Resources", "Security")


@dataclass(slots=True, order=True, unsafe_hash=True)
class Result:
    """One rule evaluated on one target (a resource, pod spec or container).

    A value: never changed once made (`dataclasses.replace` makes another). It is not
    `frozen` only because a frozen dataclass is built ~7x slower, and a large run builds
    hundreds of thousands of results (in workers, when received, when unpacked).
    """

    file: str
    line: int
    column: int
    check: str
    passed: bool
    severity: str
    category: str
    message: str
    fix: str
    kind: str
    namespace: str | None
    name: str
    container: str | None = None
    container_type: str | None = None
    path: str = ""
    source_file: str | None = None
    source_line: int | None = None
    suppressed: str | None = None
    """Why the result is suppressed or exempted (None: it counts)."""
    build: str | None = None
    """The kustomization or chart (and release) whose build produced the resource."""
    approximate: bool = False
    """The line is not the field's own: no template line is known to have printed it (a Helm
    render's field), so it is the resource's line in the template that rendered it."""

    @property
    def resource(self) -> str:
        """`Kind namespace/name` (namespace omitted when not set)."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"

    def __reduce__(self) -> tuple[Callable[..., Result], tuple[object, ...]]:
        # A plain tuple each way: one constructor call instead of dataclasses' __setstate__.
        return Result, result_order(self)


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """Where one inspected resource starts (the line of its first key)."""

    file: str
    line: int
    kind: str
    namespace: str | None
    name: str

    def __reduce__(self) -> tuple[Callable[..., ResourceRef], tuple[object, ...]]:
        # One constructor call, and texts shared across files (few: one per resource).
        return _shared_ref, (self.file, self.line, self.kind, self.namespace, self.name)


result_order: Callable[[Result], tuple[object, ...]] = attrgetter(*(f.name for f in fields(Result)))
"""Results' one sort order (every field in declaration order, as `Result`'s own `<`), as a
key: sorting large runs by key is several times cheaper than by comparisons."""

_by_file: Callable[[Result], str] = attrgetter("file")


def sort_results(results: list[Result]) -> None:
    """Sort results in place in their one order, one file at a time.

    Only one file's results have full sort keys at once: a key per result of a large run
    would cost more memory than the results themselves.
    """
    results.sort(key=_by_file)  # stable, and the keys are the results' own strings
    start = 0
    while start < len(results):
        end = bisect_right(results, results[start].file, lo=start, key=_by_file)
        if end - start > 1:
            results[start:end] = sorted(results[start:end], key=result_order)
        start = end


def _shared_ref(file: str, line: int, kind: str, namespace: str | None, name: str) -> ResourceRef:
    """A resource reference unpickled with its texts interned."""
    return ResourceRef(
        intern(file), line, intern(kind), namespace and intern(namespace), intern(name)
    )


@dataclass(frozen=True, slots=True)
class NamespaceSecurity:
    """The Pod Security policies a namespace was judged at, and what they would reject."""

    namespace: str
    enforce: str
    warn: str
    audit: str
    """Each mode's policy as `level:version`."""
    source: str
    """`labels` (the Namespace's pod-security labels) or `default` (`--pod-security`)."""
    workloads: int
    """Workloads judged (pods and pod templates)."""
    rejected: int
    """Workloads whose pods the enforce policy rejects."""
    errors: tuple[str, ...] = ()
    """Invalid label values, with what the admission controller uses instead."""

    def record(self) -> dict[str, object]:
        """As the JSON and SARIF reports write it."""
        return {
            "namespace": self.namespace,
            "enforce": self.enforce,
            "warn": self.warn,
            "audit": self.audit,
            "source": self.source,
            "workloads": self.workloads,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }


@dataclass(slots=True)
class Outcome:
    """What inspecting some inputs produced: results, input problems and counts."""

    results: list[Result] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    files: int = 0
    documents: int = 0
    skipped_documents: int = 0
    resources: Counter[str] = field(default_factory=Counter)
    notes: list[InputProblem] = field(default_factory=list)
    inspected: list[ResourceRef] = field(default_factory=list)
    pod_security: list[NamespaceSecurity] = field(default_factory=list)
    """Per namespace judged by the Pod Security checks (empty: none was)."""

    def add(self, other: Outcome) -> None:
        """Fold another outcome into this one."""
        self.results.extend(other.results)
        self.problems.extend(other.problems)
        self.notes.extend(other.notes)
        self.files += other.files
        self.documents += other.documents
        self.skipped_documents += other.skipped_documents
        self.resources.update(other.resources)
        self.inspected.extend(other.inspected)
        self.pod_security.extend(other.pod_security)
