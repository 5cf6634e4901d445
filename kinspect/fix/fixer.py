"""Apply the fixes that rule files declare to the text of one manifest. No I/O.

The text is linted; each failing, unsuppressed finding of a rule with a `fix` becomes
operations at document paths (a container's inherited securityContext field lives in the pod
spec). kinspect.fix.apply edits the text until every operation holds; the result is accepted
only when its data is exactly the data the operations describe, and linted again to tell
what was fixed and what is left (with the reason).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kinspect.engine.run import Settings, inspect_text
from kinspect.errors import InputProblem
from kinspect.fix import texts as fixtexts
from kinspect.fix.apply import DocOp, apply_ops
from kinspect.fix.plan import (
    NoFix,
    failures,
    finding_key,
    identity,
    indent_step,
    newline_of,
    plan_ops,
)
from kinspect.fix.textedit import Refused
from kinspect.fix.yamlrender import Layout
from kinspect.kube.paths import Path
from kinspect.kube.targets import Target
from kinspect.model import Result
from kinspect.parse.loader import load_documents
from kinspect.ruleset.model import Rule


@dataclass(frozen=True, slots=True)
class Left:
    """A finding the fix left: where it is in the new text and was in the old one, and why."""

    result: Result
    original: Result
    reason: str


@dataclass
class Fixed:
    """The fixed text of one file and what happened to its findings."""

    text: str
    fixed: Counter[str] = field(default_factory=Counter)
    """Check id → findings that failed before and pass now."""
    left: list[Left] = field(default_factory=list)
    """Failing, unsuppressed findings still there, with why they were not fixed."""
    problems: list[InputProblem] = field(default_factory=list)


def fixable(rules: list[Rule]) -> list[Rule]:
    """Rules a fix can run: declared on plain targets (no built-in analysis, no relations)."""
    return [r for r in rules if r.analysis is None and not r.relations]


Baseline = Callable[[list[Result]], list[Result]]
"""Marks the results a baseline accepts as suppressed (kinspect.config.baseline.apply_baseline)."""


def fix_text(
    name: str, text: str, settings: Settings, json: bool = False, baseline: Baseline | None = None
) -> Fixed:
    """Fix the failing, unsuppressed findings of `settings.rules` in `text` (named `name`)."""
    lang = settings.lang
    before = inspect_text(name, text, settings)
    if before.problems:
        return Fixed(text, problems=before.problems)
    results = baseline(before.results) if baseline else before.results
    failing = [r for r in results if not r.passed and r.suppressed is None]
    active = {finding_key(r) for r in failing}
    suppressed = {finding_key(r) for r in results if not r.passed} - active
    documents = list(load_documents(text, settings.limits))
    planned = _Planned()
    for document in documents:
        for rule, target, result in failures(name, document, settings):
            if finding_key(result) in active:
                planned.add(rule, target, result, document.index, lang, json)
            elif finding_key(result) in suppressed:
                planned.protect(rule, target, document.index)
    planned.drop_protected(lang)
    if not planned.ops:
        return _outcome(name, text, text, failing, planned.reasons, settings, baseline)
    layout = Layout(newline_of(text), indent_step(documents), json)
    applied = apply_ops(text, documents, planned.ops, layout, settings.limits)
    for number, refusal in applied.refused.items():
        planned.refuse(number, _reason(refusal, lang))
    if not applied.exact:
        return Fixed(text, problems=[InputProblem(name, fixtexts.text(lang, "unsafe"))])
    return _outcome(name, text, applied.text, failing, planned.reasons, settings, baseline)


class _Planned:
    """Operations planned from findings, and why findings got none."""

    def __init__(self) -> None:
        self.ops: list[DocOp] = []
        self.owners: list[tuple[Any, ...]] = []
        self.reasons: dict[tuple[Any, ...], str] = {}
        self._protected: set[tuple[int, Path]] = set()

    def add(
        self, rule: Rule, target: Target, result: Result, document: int, lang: str, json: bool
    ) -> None:
        key = finding_key(result)
        if not rule.fix:
            self.reasons[key] = fixtexts.text(lang, "noFix")
            return
        try:
            ops = list(plan_ops(rule.fix, target, document, lang, json))
        except NoFix as exc:
            self.reasons[key] = exc.reason
            return
        for op in ops:
            self.ops.append(op)
            self.owners.append(key)

    def protect(self, rule: Rule, target: Target, document: int) -> None:
        """A suppressed finding: fields it would change are not changed for another one."""
        try:
            ops = list(plan_ops(rule.fix, target, document, "en", False))
        except NoFix:
            return
        self._protected.update((op.document, op.path) for op in ops)

    def drop_protected(self, lang: str) -> None:
        kept = [(op, o) for op, o in zip(self.ops, self.owners, strict=True) if not self._hit(op)]
        for op, owner in zip(self.ops, self.owners, strict=True):
            if self._hit(op):
                path = ".".join(str(p) for p in op.path)
                self.reasons[owner] = fixtexts.text(lang, "shared", path=path)
        self.ops = [op for op, _ in kept]
        self.owners = [owner for _, owner in kept]

    def _hit(self, op: DocOp) -> bool:
        return (op.document, op.path) in self._protected

    def refuse(self, number: int, reason: str) -> None:
        self.reasons[self.owners[number]] = reason


def _outcome(
    name: str,
    old: str,
    new: str,
    failing: list[Result],
    reasons: dict[tuple[Any, ...], str],
    settings: Settings,
    baseline: Baseline | None = None,
) -> Fixed:
    """What the fix did, judged by linting the new text."""
    after = inspect_text(name, new, settings) if new != old else None
    if after is not None and after.problems:
        return Fixed(old, problems=after.problems)
    if after is not None:
        results = baseline(after.results) if baseline else after.results
        still = [r for r in results if not r.passed and r.suppressed is None]
    else:
        still = failing
    fixed = Counter(identity(r) for r in failing) - Counter(identity(r) for r in still)
    before = {identity(r): r for r in failing}
    left = []
    for result in still:
        original = before.get(identity(result), result)
        reason = reasons.get(finding_key(original)) or fixtexts.text(settings.lang, "stillFails")
        left.append(Left(result, original, reason))
    left.sort(key=lambda item: (item.result.line, item.result.column, item.result.check))
    return Fixed(new, _by_check(fixed), left)


def _by_check(fixed: Counter[tuple[Any, ...]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for about, count in fixed.items():
        counts[about[0]] += count
    return counts


def _reason(exc: Refused, lang: str) -> str:
    kind = fixtexts.text(lang, exc.kind) if exc.kind else ""
    return fixtexts.text(lang, exc.code, path=exc.path or "?", kind=kind)
