"""What the structural analyses say about a problem: facts, did-you-mean, message texts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from kinspect.kube.paths import Path
from kinspect.ruleset.model import Rule
from kinspect.ruleset.schema import CompiledSchema, compile_schema
from kinspect.structure.apischema import Problem, Shape, json_type, kinds, type_names

_YAML_TYPES = {"object": "mapping", "array": "list"}


def facts_of(rule: Rule, problem: Problem, line: int) -> dict[str, Any]:
    """What a message may say about a problem (also what its `when` cases match)."""
    facts: dict[str, Any] = {"key": problem.key, "line": line, "object": problem.shape.name}
    if problem.analysis == "unknownField":
        facts.update(_unknown_facts(problem.key, problem.shape, rule))
    elif problem.analysis == "invalidFieldType":
        facts["field"] = _field_label(problem.path)
        expected = [_YAML_TYPES.get(t, t) for t in type_names(problem.shape.types).split(" or ")]
        facts["expected"] = "/".join(expected)
        actual = json_type(problem.value)
        facts["actual"] = _YAML_TYPES.get(actual, actual)
        if actual not in _YAML_TYPES:
            facts["value"] = json.dumps(problem.value, ensure_ascii=False)
    return facts


def noted_field(problem: Problem, facts: dict[str, Any]) -> str | None:
    """The field other checks may have looked for in vain, if any."""
    if problem.analysis == "invalidFieldType":
        return next((k for k in reversed(problem.path) if isinstance(k, str)), None)
    if problem.analysis != "unknownField":
        return None
    if "suggestion" in facts:
        return str(facts["suggestion"])
    return problem.key if "belongsTo" in facts else None


def _unknown_facts(key: str, shape: Shape, rule: Rule) -> dict[str, Any]:
    """Did-you-mean, misplaced security fields and whether the key is security-relevant."""
    security_fields = set(rule.parameters.get("securityFields", ()))
    facts: dict[str, Any] = {}
    suggestion = suggest(key, shape.properties)
    if suggestion is None:
        # Not a sibling's near miss: maybe a security field written at the wrong level.
        suggestion = suggest(key, security_fields)
        homes = sorted(_homes().get(suggestion or "", set()) - {shape.name})
        if homes:
            facts["belongsTo"] = "/".join(homes)
            if suggestion != key:
                facts["suggestion"] = suggestion
    else:
        facts["suggestion"] = suggestion
    facts["security"] = bool({key, suggestion} & security_fields)
    return facts


@cache
def _homes() -> dict[str, set[str]]:
    """Field name → names of the definitions that have it."""
    homes: dict[str, set[str]] = {}
    seen: set[int] = set()
    pending: list[Shape] = list(kinds().values())
    while pending:
        shape = pending.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        for name, child in shape.properties.items():
            if shape.name:
                homes.setdefault(name, set()).add(shape.name)
            pending.append(child)
        pending.extend(s for s in (shape.items, shape.additional) if isinstance(s, Shape))
    return homes


def _field_label(path: Path) -> str:
    """`containers[0]`, `replicas`: the last key and the indices after it."""
    label = ""
    for key in reversed(path):
        if isinstance(key, int):
            label = f"[{key}]{label}"
        else:
            return f"{key}{label}"
    return label or "(document)"


def suggest(key: str, candidates: Iterable[str]) -> str | None:
    """The candidate `key` most likely misspells: same letters ignoring case and `-_`, a small
    edit distance (0 for names under 4 letters, 1 under 8, else 2), else the only candidate
    that starts with a key of 5 letters or more (`priorityClass` → `priorityClassName`)."""
    folded = _fold(key)
    best: tuple[int, str] | None = None
    longer: list[str] = []
    for name in sorted(candidates):
        other = _fold(name)
        if other == folded:
            return name
        if len(folded) >= 5 and other.startswith(folded):
            longer.append(name)
        limit = 2 if len(name) >= 8 else 1 if len(name) >= 4 else 0
        if abs(len(other) - len(folded)) > limit:
            continue
        distance = edit_distance(folded, other)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, name)
    if best is not None:
        return best[1]
    return longer[0] if len(longer) == 1 else None


def _fold(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours)."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, previous = previous, current
    return previous[-1]


def render(rule: Rule, facts: dict[str, Any], lang: str) -> str:
    """The first message case whose `when` the facts satisfy, else the rule's message."""
    template = rule.text(lang).message
    for compiled, texts in _cases(rule):
        if compiled.is_valid(facts):
            template = texts.get(lang, texts["en"])
            break
    return template.format_map(_Blank(facts))


@cache
def _cases(rule: Rule) -> list[tuple[CompiledSchema, dict[str, str]]]:
    return [(compile_schema(case.when), case.texts) for case in rule.messages]


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
