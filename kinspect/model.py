"""The values that flow out of the engine: results, per-file outcomes and run statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from kinspect.errors import InputProblem

if TYPE_CHECKING:  # facts.py builds on Result
    from kinspect.facts import Fact, Subject
    from kinspect.suppress import FileScope

SEVERITIES = ("danger", "warning")
CATEGORIES = ("Health Checks", "Images", "Networking", "Resources", "Security")


@dataclass(frozen=True, slots=True, order=True)
class Result:
    """One rule evaluated on one target (a resource, pod spec or container)."""

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

    @property
    def resource(self) -> str:
        """`Kind namespace/name` (namespace omitted when not set)."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """Where one inspected resource starts (the line of its first key)."""

    file: str
    line: int
    kind: str
    namespace: str | None
    name: str


def result_order(result: Result) -> tuple[object, ...]:
    """Results' one sort order (every field in declaration order, as `Result`'s own `<`),
    as a key: sorting large runs by key is several times cheaper than by comparisons."""
    return tuple(getattr(result, name) for name in _RESULT_FIELDS)


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
    facts: list[Fact] = field(default_factory=list)
    """Resources that cross-resource rules may relate to (small, picklable)."""
    subjects: list[Subject] = field(default_factory=list)
    """Targets waiting for the run-level phase to resolve their cross-resource rules."""
    scopes: list[FileScope] = field(default_factory=list)
    """Files whose ignores are judged in the run-level phase (after the cross-resource rules)."""

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
        self.facts.extend(other.facts)
        self.subjects.extend(other.subjects)
        self.scopes.extend(other.scopes)


_RESULT_FIELDS = tuple(f.name for f in fields(Result))
