"""Findings → document operations: what each failing target's declared fix asks for.

Paths are taken from the target (`*` expanded) and mapped into the document: a container's
securityContext field that it inherits lives in the pod spec. Values are filled from the
target; a placeholder without a value, or a TODO in a JSON file, means no fix (and why).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from kinspect.check.evaluate import evaluate
from kinspect.engine.run import Settings
from kinspect.fix import texts as fixtexts
from kinspect.fix.apply import DocOp, missing, value_at
from kinspect.kube.paths import Path
from kinspect.kube.targets import INHERITED_SECURITY_FIELDS, Target, resources_of, targets_of
from kinspect.model import Result
from kinspect.parse.loader import Document
from kinspect.ruleset.fixspec import FixOp, Unavailable, expand, fill_value
from kinspect.ruleset.model import Rule
from kinspect.ruleset.schema import CompiledSchema, compiled


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
    return None if schema is None else compiled(schema)


def failures(
    name: str, document: Document, settings: Settings
) -> Iterator[tuple[Rule, Target, Result]]:
    """Each failing (rule, target) of a document, evaluated as the engine does."""
    scopes = frozenset(rule.scope for rule in settings.rules)
    for resource in resources_of(document.data):
        for target in targets_of(resource, scopes):
            # The engine's own choice of rules per target: fix sees what lint sees.
            for rule in settings.rules_for(target, resource):
                result = evaluate(rule, target, document.root, name, settings.lang)
                if not result.passed:
                    yield rule, target, result


def finding_key(result: Result) -> tuple[Any, ...]:
    """A finding at its place (for matching the engine's results on the same text)."""
    return (result.check, result.line, result.column, result.path, *identity(result)[1:])


def identity(result: Result) -> tuple[Any, ...]:
    """A finding by what it is about, stable when lines move."""
    where = (result.kind, result.namespace, result.name, result.container_type, result.container)
    return (result.check, *where)


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
