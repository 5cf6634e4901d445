"""Apply the fixes that rule files declare to the text of one manifest. No I/O.

The text is linted; each failing, unsuppressed finding of a rule with a `fix` becomes
operations at document paths (a container's inherited securityContext field lives in the pod
spec). The text is edited in rounds (kinspect.textedit) until every operation holds, parsed
again, and accepted only when its data is exactly the data the operations describe.
"""

from __future__ import annotations

import json as json_module
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from kinspect import fixtexts
from kinspect.engine import Settings, inspect_text
from kinspect.errors import InputProblem
from kinspect.evaluate import evaluate
from kinspect.extract import INHERITED_SECURITY_FIELDS, Path, Target, resources_of, targets_of
from kinspect.fixapply import DocOp, apply_ops, missing, value_at
from kinspect.fixspec import FixOp, Unavailable, expand, fill_value
from kinspect.loader import Document, load_documents
from kinspect.model import Result
from kinspect.rules import Rule
from kinspect.schema import CompiledSchema, compile_schema
from kinspect.textedit import Refused
from kinspect.yamlrender import Layout


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


def fix_text(name: str, text: str, settings: Settings, json: bool = False) -> Fixed:
    """Fix the failing findings of `settings.rules` in `text` (named `name`)."""
    lang = settings.lang
    before = inspect_text(name, text, settings)
    if before.problems:
        return Fixed(text, problems=before.problems)
    failing = [r for r in before.results if not r.passed and r.suppressed is None]
    active = {finding_key(r) for r in failing}
    suppressed = {finding_key(r) for r in before.results if not r.passed} - active
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
        return _outcome(name, text, text, failing, planned.reasons, settings)
    layout = Layout(newline_of(text), indent_step(documents), json)
    applied = apply_ops(text, documents, planned.ops, layout, settings.limits)
    for number, refusal in applied.refused.items():
        planned.refuse(number, _reason(refusal, lang))
    if not applied.exact:
        return Fixed(text, problems=[InputProblem(name, fixtexts.text(lang, "unsafe"))])
    return _outcome(name, text, applied.text, failing, planned.reasons, settings)


class _Planned:
    """Operations planned from findings, and why findings got none."""

    def __init__(self) -> None:
        self.ops: list[DocOp] = []
        self.owners: list[tuple[str, ...]] = []
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


class NoFix(Exception):
    """A finding whose fix cannot be planned (a placeholder without a value...), and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def plan_ops(
    ops: tuple[FixOp, ...], target: Target, document: int, lang: str, json: bool
) -> Iterator[DocOp]:
    """The document operations of one failing target."""
    for op in ops:
        if op.todo and json:
            raise NoFix(fixtexts.text(lang, "json"))
        when = _compiled(op.when)
        match = _compiled(op.match)
        for path in expand(op.path, target.instance):
            current = value_at(target.instance, path)
            if when is not None and (missing(current) or not when.is_valid(current)):
                continue
            try:
                value = fill_value(op.value, target.instance)
            except Unavailable as exc:
                raise NoFix(fixtexts.text(lang, "placeholder", path=exc.args[0])) from None
            doc_path = target.document_path(path)
            yield DocOp(document, op.action, doc_path, value, op.todo_text(lang), when, match)
            if op.action == "remove" and (pod_path := _exposed(target, path, when)):
                yield DocOp(document, "remove", pod_path, when=when)


def _exposed(target: Target, path: Path, when: CompiledSchema | None) -> Path | None:
    """The pod's copy of a securityContext field the container would inherit once its own
    is removed, when that copy fails the same way; else None."""
    spec = target.pod_spec_path
    inheritable = (
        len(path) >= 2 and path[0] == "securityContext" and path[1] in INHERITED_SECURITY_FIELDS
    )
    if spec is None or not inheritable or path[1] in target.inherited:
        return None
    pod_path = (*spec, *path)
    value = value_at(target.resource.data, pod_path[len(target.resource.path) :])
    if missing(value) or (when is not None and not when.is_valid(value)):
        return None
    return pod_path


def _compiled(schema: dict[str, Any] | bool | None) -> CompiledSchema | None:
    return None if schema is None else _compile(json_module.dumps(schema, sort_keys=True))


@cache
def _compile(text: str) -> CompiledSchema:
    return compile_schema(json_module.loads(text))


def failures(
    name: str, document: Document, settings: Settings
) -> Iterator[tuple[Rule, Target, Result]]:
    """Each failing (rule, target) of a document, evaluated as the engine does."""
    scopes = frozenset(rule.scope for rule in settings.rules)
    for resource in resources_of(document.data):
        for target in targets_of(resource, scopes):
            for rule in settings.rules:
                if not _applies(rule, target):
                    continue
                result = evaluate(rule, target, document.root, name, settings.lang)
                if not result.passed:
                    yield rule, target, result


def _applies(rule: Rule, target: Target) -> bool:
    if rule.scope != target.scope or not rule.applies_to_kind(target.resource.kind):
        return False
    return target.container is None or target.container.type in rule.container_types


def finding_key(result: Result) -> tuple[Any, ...]:
    """A finding at its place (for matching the engine's results on the same text)."""
    return (result.check, result.line, result.column, result.path, *_identity(result)[1:])


def _identity(result: Result) -> tuple[Any, ...]:
    """A finding by what it is about, stable when lines move."""
    where = (result.kind, result.namespace, result.name, result.container_type, result.container)
    return (result.check, *where)


def _outcome(
    name: str,
    old: str,
    new: str,
    failing: list[Result],
    reasons: dict[tuple[Any, ...], str],
    settings: Settings,
) -> Fixed:
    """What the fix did, judged by linting the new text."""
    after = inspect_text(name, new, settings) if new != old else None
    if after is not None and after.problems:
        return Fixed(old, problems=after.problems)
    still = (
        [r for r in after.results if not r.passed and r.suppressed is None] if after else failing
    )
    fixed = Counter(_identity(r) for r in failing) - Counter(_identity(r) for r in still)
    before = {_identity(r): r for r in failing}
    left = []
    for result in still:
        original = before.get(_identity(result), result)
        reason = reasons.get(finding_key(original)) or fixtexts.text(settings.lang, "stillFails")
        left.append(Left(result, original, reason))
    left.sort(key=lambda item: (item.result.line, item.result.column, item.result.check))
    return Fixed(new, _by_check(fixed), left)


def _by_check(fixed: Counter[tuple[Any, ...]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for identity, count in fixed.items():
        counts[identity[0]] += count
    return counts


def _reason(exc: Refused, lang: str) -> str:
    kind = fixtexts.text(lang, exc.kind) if exc.kind else ""
    return fixtexts.text(lang, exc.code, path=exc.path or "?", kind=kind)


def newline_of(text: str) -> str:
    """The file's line break: CRLF when most lines end so."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def indent_step(documents: list[Document]) -> int:
    """The indentation step of nested block mappings (2 when none shows it)."""
    pending: list[Node] = [d.root for d in documents]
    while pending:
        node = pending.pop(0)
        if isinstance(node, SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if _nested_block(node, value):
                    step = value.value[0][0].start_mark.column - key.start_mark.column
                    if step > 0:
                        return int(step)
                pending.append(value)
    return 2


def _nested_block(parent: Node, node: Node) -> bool:
    return (
        isinstance(node, MappingNode)
        and not getattr(parent, "flow_style", False)
        and not node.flow_style
        and bool(node.value)
    )
