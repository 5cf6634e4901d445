"""Several definitions of one related object (same kind, namespace and name) that differ.

The cluster keeps one of them, and which depends on the order they are applied in: the
definition from the subject's own build or directory is taken when there is one; otherwise
the strictest decides (the subject passes only if it passes with every definition), and the
failure's message says which definitions were weighed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kinspect.check.facts import Fact, Subject

Key = tuple[str, str, str]
Where = Callable[[Iterable[Fact]], Iterator[Fact]]

_NOTES = {
    "en": {
        "near": "; {ref} is defined {count} times with different content ({places}): the "
        "definition from {scope}, where {kind} {name} is, was used",
        "strictest": "; {ref} is defined {count} times with different content ({places}): "
        "judged by the strictest definition",
    },
    "zh": {
        "near": "；{ref} 有 {count} 个内容不同的定义（{places}）：使用了与 {kind} {name} "
        "同处 {scope} 的定义",
        "strictest": "；{ref} 有 {count} 个内容不同的定义（{places}）：按最严格的定义判断",
    },
}


def key(fact: Fact) -> Key:
    """The object a fact defines."""
    return fact.kind, fact.namespace, fact.name


def conflicted(facts: Iterable[Fact]) -> set[Key]:
    """Objects with more than one definition (the facts differ in content already)."""
    seen: set[Key] = set()
    twice: set[Key] = set()
    for fact in facts:
        (twice if key(fact) in seen else seen).add(key(fact))
    return twice


def settle(
    candidates: list[Fact], subject: Subject, where: Where, strict: bool, lang: str
) -> tuple[list[Fact], str]:
    """The related facts that count, and a note for the message when a conflict decided.

    `strict`: an object counts only if every definition weighed satisfies `where` (a step
    that requires some related object); otherwise one is enough (a step that requires none).
    """
    groups: dict[Key, list[Fact]] = {}
    for fact in candidates:
        groups.setdefault(key(fact), []).append(fact)
    kept: list[Fact] = []
    note = ""
    for group in groups.values():
        near = [f for f in group if f.scope == subject.scope] if len(group) > 1 else group
        weighed = near or group
        passing = list(where(weighed))
        counts = len(passing) == len(weighed) if strict else bool(passing)
        if counts and passing:
            kept.append(passing[0])
        if len(group) > 1 and not note:
            note = _note(group, subject, "near" if len(near) == 1 else "strictest", lang)
    return kept, note


def _note(group: list[Fact], subject: Subject, which: str, lang: str) -> str:
    places = ", ".join(sorted({fact.scope or "." for fact in group}))
    template = _NOTES.get(lang, _NOTES["en"])[which]
    return template.format(
        ref=group[0].ref,
        count=len(group),
        places=places,
        scope=subject.scope or ".",
        kind=subject.kind,
        name=subject.name,
    )
