"""The run-level phase: resolve each subject's relations over the facts of every input.

Facts are indexed once per run, by kind and namespace and then by name or label pair, so a
subject only ever looks at candidates that can match it (no pairwise scans).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any

from kinspect.check.facts import Fact, Subject
from kinspect.check.facts_seen import project, scaled
from kinspect.kube.selectors import LabelIndex, SelectorIndex, selects
from kinspect.kube.subjects import SUBJECTS, subject_names
from kinspect.model import Result
from kinspect.ruleset.model import Rule
from kinspect.ruleset.relation_spec import SUBJECT_STEP, Match, Step
from kinspect.ruleset.schema import CompiledSchema, compile_schema
from kinspect.ruleset.template import SUBJECT, compiled_fill, lookup_values, placeholder_paths

Source = Subject | Fact
_StepKey = tuple[frozenset[str] | None, bool, bool, Match]


def resolve(
    subjects: Iterable[Subject], facts: list[Fact], rules: Iterable[Rule], lang: str
) -> list[Result]:
    """The final result of every subject: passed, or failed at its first unmet relation."""
    by_id = {rule.id: rule for rule in rules if rule.relations}
    graph = Graph(facts)
    return [
        _resolve(s, by_id[s.result.check], graph, lang) for s in subjects if s.result.check in by_id
    ]


def _resolve(subject: Subject, rule: Rule, graph: Graph, lang: str) -> Result:
    found: dict[str, list[Fact]] = {}
    active = {SUBJECT_STEP: True}
    for index, step in enumerate(rule.relations):
        active[step.name] = subject.active[index] and active[step.source]
        if not active[step.name]:
            found[step.name] = []
            continue
        sources: list[Source] = [subject] if step.source == SUBJECT_STEP else [*found[step.source]]
        if step.require == "some" and index == len(rule.relations) - 1:
            # Whether one related resource exists is all the last step asks: stop at the first.
            if not _any_related(step, sources, graph, subject):
                return _failed(subject, rule, index, None, lang)
            continue
        related = _unique(fact for source in sources for fact in graph.related(step, source))
        found[step.name] = related = list(_where(step, related, subject))
        if (step.require == "some" and not related) or (step.require == "none" and related):
            return _failed(subject, rule, index, related[0] if related else None, lang)
    return subject.result


def _unique(facts: Iterable[Fact]) -> list[Fact]:
    seen: dict[int, Fact] = {}
    for fact in facts:
        seen.setdefault(id(fact), fact)
    if len(seen) < 2:
        return list(seen.values())
    return sorted(seen.values(), key=_fact_order)


_fact_order = attrgetter("kind", "namespace", "name")


def _any_related(step: Step, sources: list[Source], graph: Graph, subject: Subject) -> bool:
    """Whether some fact is tied to one of `sources` by `step` and satisfies its `where`."""
    candidates = (fact for source in sources for fact in graph.related(step, source))
    return next(_where(step, candidates, subject), None) is not None


def _where(step: Step, facts: Iterable[Fact], subject: Subject) -> Iterator[Fact]:
    """The facts that satisfy the step's `where` (its validator built only if one comes)."""
    if step.where is None:
        yield from facts
        return
    validator = None
    for fact in facts:
        if validator is None:
            validator = _where_validator(step, subject)
        seen = project(fact.values, step.fields)
        if step.percent_of:
            seen = scaled(seen, step.percent_of, subject.values)
        if validator.is_valid(seen):
            yield fact


def _where_validator(step: Step, subject: Subject) -> CompiledSchema:
    where = step.where if step.where is not None else True
    cached = _WHERE.get(id(where))
    if cached is None or cached[0] is not where:
        templated = bool(placeholder_paths(where, SUBJECT))
        cached = (where, None if templated else compile_schema(where))
        _WHERE[id(where)] = cached
    if cached[1] is None:  # filled with this subject's values
        return compiled_fill(where, SUBJECT, lookup_values(subject.values))
    return cached[1]


# Compiled `where` schemas (None: filled per subject), kept as long as their rules.
_WHERE: dict[int, tuple[Any, CompiledSchema | None]] = {}


def _failed(subject: Subject, rule: Rule, index: int, related: Fact | None, lang: str) -> Result:
    step = rule.relations[index]
    failure = subject.failures[index]
    assert failure is not None  # kept for every step with `require`
    result = subject.result
    template = (step.message or {}).get(lang) or (step.message or {}).get("en")
    fields = {
        "kind": result.kind,
        "namespace": result.namespace or "",
        "name": result.name,
        "container": result.container or "",
        "value": failure.value,
        "path": failure.path,
        "related": related.ref if related else "",
        SUBJECTS: subject_names(subject.values.get(SUBJECTS)),
    }
    # Where the failure points, unless the file's mapper placed it already (in a worker).
    file, line, column, source_file, source_line = failure.placed or (
        result.file,
        failure.line,
        failure.column,
        result.source_file,
        result.source_line,
    )
    return dataclasses.replace(
        result,
        passed=False,
        file=file,
        line=line,
        column=column,
        source_file=source_file,
        source_line=source_line,
        path=failure.path,
        message=(template or rule.text(lang).message).format_map(fields),
        fix=rule.text(lang).fix,
    )


class Graph:
    """Every fact of a run, indexed on demand once per kind of relation."""

    def __init__(self, facts: list[Fact]) -> None:
        self.by_kind: dict[str, list[Fact]] = defaultdict(list)
        self.workloads: list[Fact] = []
        for fact in _distinct(facts):
            self.by_kind[fact.kind].append(fact)
            if fact.workload:
                self.workloads.append(fact)
        self._indexes: dict[_StepKey, dict[Any, Any]] = {}

    def related(self, step: Step, source: Source) -> Iterable[Fact]:
        """Facts tied to `source` by `step` (before `where`), found as they are iterated."""
        index = self._index(step)
        namespace = source.namespace if step.same_namespace else None
        match = step.match
        if match.mode == "refersTo":
            return _referred(index, namespace, source, match)
        if match.mode == "referredBy":
            candidates = index.get((namespace, source.name), [])
            return (
                f
                for f in candidates
                if _kind_matches(f.values.get(match.kind_path or ""), source.kind)
            )
        if match.mode == "selectedBy":
            by_selector: SelectorIndex[Fact] | None = index.get(namespace)
            if by_selector is None:
                return []
            candidates = by_selector.candidates(source.labels)
            return (
                f
                for f in candidates
                if selects(f.values.get(match.path), source.labels, match.form)
            )
        selector = source.values.get(match.path)
        by_labels: LabelIndex[Fact] | None = index.get(namespace)
        if by_labels is None:
            return []
        return (
            f
            for f in by_labels.candidates(selector, match.form)
            if selects(selector, f.labels, match.form)
        )

    def _index(self, step: Step) -> dict[Any, Any]:
        key: _StepKey = (step.kinds, step.workloads, step.same_namespace, step.match)
        if key not in self._indexes:
            self._indexes[key] = self._build(step)
        return self._indexes[key]

    def _build(self, step: Step) -> dict[Any, Any]:
        facts = self._admitted(step)
        match = step.match

        def space(fact: Fact) -> str | None:
            return fact.namespace if step.same_namespace else None

        groups: dict[Any, list[Fact]] = defaultdict(list)
        if match.mode in ("refersTo", "referredBy"):
            for fact in facts:
                name = fact.name if match.mode == "refersTo" else fact.values.get(match.path)
                if isinstance(name, str):
                    groups[(space(fact), name)].append(fact)
            return dict(groups)
        for fact in facts:
            groups[space(fact)].append(fact)
        if match.mode == "selectedBy":
            return {
                ns: SelectorIndex(items, lambda f: f.values.get(match.path), match.form)
                for ns, items in groups.items()
            }
        return {ns: LabelIndex(items, lambda f: f.labels) for ns, items in groups.items()}

    def _admitted(self, step: Step) -> list[Fact]:
        chosen = [f for kind in sorted(step.kinds or ()) for f in self.by_kind.get(kind, ())]
        if step.workloads:
            chosen.extend(self.workloads)
        return _unique(chosen)


def _distinct(facts: list[Fact]) -> list[Fact]:
    """The facts without repeats: equal facts (the same manifest in several files) relate to
    everything alike, so one stands for all (and a large run does not compare them pairwise)."""
    kept: dict[tuple[str, str, str], list[Fact]] = {}
    distinct: list[Fact] = []
    for fact in facts:
        same = kept.setdefault((fact.kind, fact.namespace, fact.name), [])
        if fact not in same:
            same.append(fact)
            distinct.append(fact)
    return distinct


def _referred(
    index: dict[Any, Any], namespace: str | None, source: Source, match: Match
) -> list[Fact]:
    name = source.values.get(match.path)
    if name is None or name == "":
        name = match.default
    if not isinstance(name, str):
        return []
    found: list[Fact] = index.get((namespace, name), [])
    if match.kind_path is None:
        return found
    wanted = source.values.get(match.kind_path)
    return [f for f in found if _kind_matches(wanted, f.kind)]


def _kind_matches(reference: Any, kind: str) -> bool:
    """A reference without a kind matches any kind the step admits."""
    return reference is None or reference == kind
