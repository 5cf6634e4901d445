"""The `relations` of a rule file: steps from the subject to the resources it depends on.

A step names the resources tied to the subject (or to an earlier step's resources) by a label
selector or a name reference, keeps those that satisfy `where`, and may require that some or
none are left. Paths on the subject are relative to the rule's target; paths on related
resources are relative to the resource.
"""

from __future__ import annotations

import dataclasses
import string
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kinspect.errors import KinspectError
from kinspect.kube.selectors import LABEL_SELECTOR
from kinspect.kube.subjects import SUBJECTS
from kinspect.ruleset.template import SUBJECT, placeholder_paths

SUBJECT_STEP = "subject"
PLACEHOLDERS = frozenset(
    {"kind", "namespace", "name", "container", "value", "path", "related", SUBJECTS}
)
MODES = ("selectedBy", "selects", "refersTo", "referredBy")


@dataclass(frozen=True, slots=True)
class Match:
    """How a related resource is tied to its source (the subject or an earlier step's)."""

    mode: str
    """selectedBy: the related's selector at `path` selects the source's labels; selects: the
    source's selector at `path` selects the related's labels; refersTo: the source names the
    related at `path`; referredBy: the related names the source at `path`."""
    path: str
    form: str = LABEL_SELECTOR
    kind_path: str | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One relation of a rule."""

    name: str
    match: Match
    source: str = SUBJECT_STEP
    kinds: frozenset[str] | None = None
    workloads: bool = False
    same_namespace: bool = True
    fields: tuple[str, ...] = ()
    where: dict[str, Any] | bool | None = None
    when: dict[str, Any] | bool | None = None
    require: str | None = None
    locate: str | None = None
    message: dict[str, str] | None = None
    percent_of: tuple[tuple[str, str, int], ...] = ()
    subject_fields: tuple[str, ...] = ()
    """Paths of the subject kept for messages (a binding's `subjects`)."""
    """(related path, subject path, default): percentages `where` sees as integers."""

    def admits(self, kind: str, workload: bool) -> bool:
        """Whether a resource of `kind` can be related by this step."""
        return (self.kinds is not None and kind in self.kinds) or (self.workloads and workload)

    @property
    def related_paths(self) -> set[str]:
        """Paths this step reads on the related resources."""
        own = {self.match.path} if self.match.mode in ("selectedBy", "referredBy") else set()
        if self.match.mode == "referredBy" and self.match.kind_path:
            own.add(self.match.kind_path)
        return own | set(self.fields)

    @property
    def source_paths(self) -> set[str]:
        """Paths this step reads on its source resources."""
        if self.match.mode in ("selects", "refersTo"):
            return {p for p in (self.match.path, self.match.kind_path) if p}
        return set()


def build_steps(raw: list[dict[str, Any]], names_subjects: bool = False) -> tuple[Step, ...]:
    """Steps of a rule file's `relations` (already checked against the rule schema);
    `names_subjects`: a message names the subject's `subjects`, which its facts then keep."""
    steps: list[Step] = []
    for item in raw:
        source = item.get("from", SUBJECT_STEP)
        known = [s.name for s in steps]
        if item["name"] in (*known, SUBJECT_STEP):
            raise KinspectError(f"relation name {item['name']!r} is used twice (or is reserved)")
        if source != SUBJECT_STEP and source not in known:
            raise KinspectError(
                f"relation {item['name']!r}: `from: {source}` names no earlier relation",
                hint=f"earlier relations: {', '.join(known) or 'none'}",
            )
        _check_message(item)
        steps.append(_step(item, source))
    if names_subjects and steps:
        steps[0] = dataclasses.replace(steps[0], subject_fields=(SUBJECTS,))
    return tuple(steps)


def _check_message(item: dict[str, Any]) -> None:
    for lang, text in (item.get("message") or {}).items():
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise KinspectError(f"relation {item['name']!r}: message.{lang}: {exc}") from None
        unknown = used - PLACEHOLDERS
        if unknown:
            raise KinspectError(
                f"relation {item['name']!r}: message.{lang} uses unknown placeholder(s) "
                + ", ".join(sorted(unknown)),
                hint="known: " + ", ".join(sorted(PLACEHOLDERS)),
            )


def _step(item: dict[str, Any], source: str) -> Step:
    raw = item["match"]
    mode = next(m for m in MODES if m in raw)
    match = Match(
        mode, raw[mode], raw.get("form", LABEL_SELECTOR), raw.get("kind"), raw.get("default")
    )
    return Step(
        name=item["name"],
        match=match,
        source=source,
        kinds=frozenset(item["kinds"]) if "kinds" in item else None,
        workloads=item.get("workloads", False),
        same_namespace=item.get("namespace", "same") == "same",
        fields=tuple(item.get("fields", ())),
        where=item.get("where"),
        when=item.get("when"),
        require=item.get("require"),
        locate=item.get("locate"),
        message=item.get("message"),
        percent_of=tuple(
            (path, spec["subject"], spec["default"])
            for path, spec in sorted((item.get("percentOf") or {}).items())
        ),
    )


@dataclass
class KeptPaths:
    """What the per-file phase keeps for the run-level phase: paths per related kind."""

    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    workload_paths: set[str] = field(default_factory=set)
    workloads: bool = False

    def paths_for(self, kind: str, workload: bool) -> set[str] | None:
        """Paths to keep for a resource, or None when no relation can reach it."""
        if kind in self.kinds:
            return self.kinds[kind] | (self.workload_paths if workload else set())
        if workload and self.workloads:
            return self.workload_paths
        return None


def kept_paths_of(steps_by_rule: list[tuple[Step, ...]]) -> KeptPaths:
    """The union of what every step needs, by kind."""
    plan = KeptPaths()
    for steps in steps_by_rule:
        by_name = {step.name: step for step in steps}
        for step in steps:
            _add(plan, step, step.related_paths)
            source = by_name.get(step.source)
            if source is not None:  # the source step's resources are read as sources
                _add(plan, source, step.source_paths)
    return plan


def _add(plan: KeptPaths, step: Step, paths: set[str]) -> None:
    for kind in step.kinds or ():
        plan.kinds[kind] |= paths
    if step.workloads:
        plan.workloads = True
        plan.workload_paths |= paths


def subject_paths(steps: tuple[Step, ...]) -> set[str]:
    """Paths read on the subject: its references and selectors, and `$subject` values."""
    paths: set[str] = set()
    for step in steps:
        if step.source == SUBJECT_STEP:
            paths |= step.source_paths
        paths |= placeholder_paths(step.where, SUBJECT)
        paths |= {subject_path for _, subject_path, _ in step.percent_of}
        paths |= set(step.subject_fields)
    return paths


_SORTED: dict[int, tuple[tuple[Step, ...], tuple[str, ...]]] = {}


def sorted_subject_paths(steps: tuple[Step, ...]) -> tuple[str, ...]:
    """`subject_paths` in order, worked out once per rule: its steps live as long as the rule,
    and every subject of a large run asks again."""
    cached = _SORTED.get(id(steps))
    if cached is None or cached[0] is not steps:
        cached = (steps, tuple(sorted(subject_paths(steps))))
        _SORTED[id(steps)] = cached
    return cached[1]
