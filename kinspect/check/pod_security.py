"""Versioned rules (the Pod Security Standards): judged per namespace once every input is read.

While a file is read, a pod is evaluated once per distinct definition of each versioned rule
(`Candidate`); the run-level phase knows every Namespace's labels, resolves the enforce, warn
and audit policies of the pod's namespace, and reports the first mode whose policy fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import Node

from kinspect.check.evaluate import evaluate_each
from kinspect.check.facts import DEFAULT_NAMESPACE, Fact
from kinspect.kube.decoded import decoded
from kinspect.kube.pod_security import ModePolicy, Policy, namespace_policies, psa_labels
from kinspect.kube.targets import Target
from kinspect.model import NamespaceSecurity, Result
from kinspect.ruleset.model import Rule

NAMESPACE_LABELS = "metadata.labels"
"""What a Namespace keeps for the run-level phase (kinspect.engine.settings)."""
_SEVERITY = {"enforce": "danger", "warn": "warning", "audit": "warning"}
_SUFFIX = {
    "en": '{message} ({verb} PodSecurity "{policy}": {mode} set by {source})',
    "zh": '{message}（{verb} PodSecurity "{policy}"：{mode} 由 {source} 决定）',
}
_VERBS = {
    "en": {"enforce": "violates", "warn": "would violate", "audit": "would violate"},
    "zh": {"enforce": "违反", "warn": "将违反", "audit": "将违反"},
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One pod under one versioned rule: a pass, and the failures of each definition."""

    check: str
    namespace: str
    passed: Result
    failures: tuple[tuple[Result, ...], ...]
    """Per definition of the rule (empty: the definition passes)."""

    def __reduce__(self) -> tuple[type[Candidate], tuple[Any, ...]]:
        return Candidate, (self.check, self.namespace, self.passed, self.failures)


def candidates_of(
    rules: Iterable[Rule],
    target: Target,
    root: Node,
    file: str,
    lang: str,
    position: tuple[int, int],
) -> list[Candidate]:
    """Evaluate versioned rules on a pod target (at `position`) as the admission library sees
    the pod: with nulls decoded as Go decodes them (kinspect.kube.decoded)."""
    pod = dataclasses.replace(target, instance=decoded(target.instance))
    return [_candidate(rule, pod, root, file, lang, position) for rule in rules]


def _candidate(
    rule: Rule, target: Target, root: Node, file: str, lang: str, position: tuple[int, int]
) -> Candidate:
    """Every distinct definition of `rule` on the pod."""
    by_schema: dict[int, tuple[Result, ...]] = {}
    failures = []
    passed = None
    for index, entry in enumerate(rule.versions):
        found = by_schema.get(id(entry.schema))
        if found is None:
            results = evaluate_each(rule.variant(index), target, root, file, lang, position)
            if results[0].passed:
                passed, found = results[0], ()
            else:
                found = tuple(results)
            by_schema[id(entry.schema)] = found
        failures.append(found)
    if passed is None:
        passed = dataclasses.replace(
            failures[0][0], passed=True, message=rule.text(lang).title, line=position[0]
        )
        passed = dataclasses.replace(passed, column=position[1], container=None, path="")
    namespace = target.resource.namespace or DEFAULT_NAMESPACE
    return Candidate(rule.id, namespace, passed, tuple(failures))


def decide(
    candidates: Iterable[Candidate],
    facts: list[Fact],
    rules: Iterable[Rule],
    default: Policy | None,
    lang: str,
) -> tuple[list[Result], list[NamespaceSecurity]]:
    """The results of every candidate under its namespace's policies, and each namespace's
    summary (policies applied, workloads judged, workloads the enforce policy rejects)."""
    labels = {
        f.name: psa_labels(f.values.get(NAMESPACE_LABELS)) for f in facts if f.kind == "Namespace"
    }
    by_id = {rule.id: rule for rule in rules if rule.versions}
    policies: dict[str, tuple[ModePolicy, ...]] = {}
    results: list[Result] = []
    for candidate in candidates:
        rule = by_id.get(candidate.check)
        if rule is None:
            continue
        namespace = candidate.namespace
        if namespace not in policies:
            policies[namespace] = namespace_policies(labels.get(namespace, {}), default)
        decided = _decide(candidate, rule, policies[namespace], lang)
        if decided is not None:
            results.extend(decided)
    for name, found in labels.items():
        if found and name not in policies:
            policies[name] = namespace_policies(found, default)
    summaries = [
        _summary(name, modes, name in labels)
        for name, modes in sorted(policies.items())
        if any(mode.policy.level != "privileged" for mode in modes)
    ]
    return results, counted(summaries, results, set(by_id))


def _decide(
    candidate: Candidate, rule: Rule, modes: tuple[ModePolicy, ...], lang: str
) -> list[Result] | None:
    """The failures of the first failing mode, else the pass; None when no mode applies."""
    active = False
    for mode in modes:
        index = rule.definition(mode.policy.level, mode.policy.minor)
        if index is None:
            continue
        active = True
        failures = candidate.failures[index]
        if failures:
            return [_failed(result, mode, lang) for result in failures]
    return [candidate.passed] if active else None


def _failed(result: Result, mode: ModePolicy, lang: str) -> Result:
    verbs = _VERBS.get(lang, _VERBS["en"])
    message = _SUFFIX.get(lang, _SUFFIX["en"]).format(
        message=result.message,
        verb=verbs[mode.mode],
        policy=mode.policy.text,
        mode=mode.mode,
        source=mode.source,
    )
    return dataclasses.replace(result, severity=_SEVERITY[mode.mode], message=message)


def _summary(name: str, modes: tuple[ModePolicy, ...], labelled: bool) -> NamespaceSecurity:
    """A namespace's policies; its workloads are counted from the results (`counted`)."""
    enforce, warn, audit = modes
    errors = tuple(error for mode in modes for error in mode.errors)
    return NamespaceSecurity(
        namespace=name,
        enforce=enforce.policy.text,
        warn=warn.policy.text,
        audit=audit.policy.text,
        source="labels" if labelled else "default",
        workloads=0,
        rejected=0,
        errors=errors,
    )


def counted(
    summaries: list[NamespaceSecurity], results: Iterable[Result], checks: set[str]
) -> list[NamespaceSecurity]:
    """The summaries with the workloads that `results` of `checks` judge and reject (after a
    run, counted again from the results the report keeps: objects whose controller is in
    the input are dropped)."""
    judged: dict[str, set[tuple[str, str, str]]] = {}
    rejected: dict[str, set[tuple[str, str, str]]] = {}
    for result in results:
        if result.check not in checks:
            continue
        namespace = result.namespace or DEFAULT_NAMESPACE
        key = (result.file, result.kind, result.name)
        judged.setdefault(namespace, set()).add(key)
        if not result.passed and result.severity == "danger":
            rejected.setdefault(namespace, set()).add(key)
    return [
        dataclasses.replace(
            summary,
            workloads=len(judged.get(summary.namespace, ())),
            rejected=len(rejected.get(summary.namespace, ())),
        )
        for summary in summaries
    ]
