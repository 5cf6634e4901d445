"""The `unusedIgnore` check: ignores (comments, annotations) that suppress nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from kinspect.bundled import rules_dir
from kinspect.model import Result
from kinspect.ruleset.model import Rule
from kinspect.ruleset.schema import compiled

UNUSED_CHECK = "unusedIgnore"


@dataclass(frozen=True, slots=True)
class Judgement:
    """One ignore to judge: where it is, what it names and which failures it suppressed."""

    line: int
    column: int
    checks: tuple[str, ...] | None
    """The checks it names (empty: all; None: kinspect could not read it)."""
    used: frozenset[str]
    resource: tuple[str, str | None, str] | None
    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Context:
    """What a judgement depends on besides the ignore itself."""

    file: str
    rules: tuple[Rule, ...]
    known: frozenset[str] | None
    complete: bool
    lang: str


@cache
def builtin_ids() -> frozenset[str]:
    """Ids of the built-in rules, from their file names (cheap: no parsing)."""
    return frozenset(path.stem for path in rules_dir().glob("*.yaml"))


def judge_results(judgements: Iterable[Judgement], context: Context) -> Iterator[Result]:
    """One result per ignore (if unusedIgnore runs); it fails when the ignore does nothing."""
    rule = next((r for r in context.rules if r.id == UNUSED_CHECK), None)
    if rule is None:
        return
    ran = frozenset(r.id for r in context.rules)
    known = (context.known or builtin_ids()) | ran
    for judgement in judgements:
        problem, names = _problem(judgement, ran, known, context.complete)
        yield _result(rule, judgement, problem, names, context)


def _problem(
    judgement: Judgement, ran: frozenset[str], known: frozenset[str], complete: bool
) -> tuple[str | None, list[str]]:
    """(`invalid`, `unknown` or `unused`, the names concerned), or (None, []) when it is fine."""
    checks = judgement.checks
    if checks is None:
        return "invalid", [judgement.text]
    unknown = [c for c in checks if c not in known]
    if unknown:
        return "unknown", unknown
    if not checks:
        return ("unused", ["all"]) if complete and not judgement.used else (None, [])
    # A check that did not run in this run may well be suppressed by the ignore: not judged.
    stale = [c for c in checks if c in ran and c != UNUSED_CHECK and c not in judgement.used]
    return ("unused", stale) if stale else (None, [])


def _result(
    rule: Rule, judgement: Judgement, problem: str | None, names: list[str], context: Context
) -> Result:
    kind, namespace, name = judgement.resource or ("File", None, context.file)
    texts = rule.text(context.lang)
    message = texts.title
    if problem is not None:
        message = _template(rule, problem, context.lang).format_map(
            {"kind": kind, "name": name, "namespace": namespace or "", "container": ""}
            | {"value": ", ".join(names), "path": judgement.path}
        )
    return rule.result(
        file=context.file,
        position=(judgement.line, judgement.column),
        passed=problem is None,
        message=message,
        lang=context.lang,
        resource=(kind, namespace, name),
        path=judgement.path,
    )


def _template(rule: Rule, problem: str, lang: str) -> str:
    instance = {"problem": problem}
    for case in rule.messages:
        if compiled(case.when).is_valid(instance):
            return case.texts.get(lang, case.texts["en"])
    return rule.text(lang).message
