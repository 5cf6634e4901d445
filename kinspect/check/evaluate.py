"""Rule × target → result. No I/O: positions come from the document's node tree."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ruamel.yaml.nodes import Node

from kinspect.kube.paths import Path, dotted, get_path
from kinspect.kube.subjects import SUBJECTS, subject_names
from kinspect.kube.targets import CONTAINER_TYPES, Container, Target
from kinspect.model import Result
from kinspect.parse.locate import locate
from kinspect.ruleset.model import Rule
from kinspect.ruleset.resource_fill import fill_resource, uses_resource
from kinspect.ruleset.schema import CompiledSchema, compiled
from kinspect.ruleset.template import FIELD, compiled_fill, lookup_in, uses_fields

_MISSING = object()


def evaluate(
    rule: Rule,
    target: Target,
    root: Node,
    file: str,
    lang: str,
    position: tuple[int, int] | None = None,
) -> Result:
    """Evaluate one rule on one target and place the result in the file.

    `position`: where the target is (`locate(root, target.path)`), when already known.
    """
    validator = validator_for(rule, target.instance, target.resource.data)
    if validator.is_valid(target.instance):
        position = position or locate(root, target.path)[0]
        return _result(rule, target, file, position, True, rule.text(lang).title, lang)
    instance_path = failure_path(rule, target, root, validator)
    document_path = target.document_path(instance_path)
    (line, column), _ = locate(root, document_path)
    message, fix = _message(rule, target, instance_path, lang)
    return _result(rule, target, file, (line, column), False, message, lang, document_path, fix)


def evaluate_each(
    rule: Rule, target: Target, root: Node, file: str, lang: str, position: tuple[int, int]
) -> list[Result]:
    """A podTemplate rule on one pod: a pass, else one failure per failing container (and one
    for the pod's own fields), each pointing at its deepest offending field."""
    validator = validator_for(rule, target.instance, target.resource.data)
    if validator.is_valid(target.instance):
        return [_result(rule, target, file, position, True, rule.text(lang).title, lang)]
    groups: dict[tuple[str, int] | None, list[Path]] = {}
    for path in validator.error_paths(target.instance) or [()]:
        groups.setdefault(_container_of(path), []).append(path)
    results = []
    for group, paths in groups.items():
        part, offset = target, 0
        if group is not None:
            item = target.instance["spec"][group[0]][group[1]]
            name = item.get("name") if isinstance(item, dict) else None
            info = Container(group[0], group[1], str(name) if name not in (None, "") else None)
            part = replace(
                target, instance=item, container=info, path=(*target.path, "spec", *group)
            )
            offset = 3

        def rank(path: Path) -> tuple[int, int, int]:
            (line, column), depth = locate(root, (*target.path, *path))
            return -depth, line, column

        instance_path = min(paths, key=rank)[offset:]
        document_path = (*part.path, *instance_path)
        (line, column), _ = locate(root, document_path)
        message, fix = _message(rule, part, instance_path, lang)
        results.append(
            _result(rule, part, file, (line, column), False, message, lang, document_path, fix)
        )
    return results


def _container_of(path: Path) -> tuple[str, int] | None:
    """(type, index) when an error path of a pod runs through one of its containers."""
    if len(path) >= 3 and path[0] == "spec" and path[1] in CONTAINER_TYPES:
        index = path[2]
        return (str(path[1]), index) if isinstance(index, int) else None
    return None


def validator_for(rule: Rule, instance: Any, resource: Any = None) -> CompiledSchema:
    """The rule's compiled schema; with `$field` placeholders, filled from `instance` (and
    Polaris's templates and quantities from the target's `resource`)."""
    schema = rule.schema
    if uses_resource(schema):
        schema = fill_resource(schema, instance, instance if resource is None else resource)
        return compiled_fill(schema, FIELD, lookup_in(instance))
    if uses_fields(schema):
        return compiled_fill(schema, FIELD, lookup_in(instance))
    return rule.validator


def failure_path(
    rule: Rule, target: Target, root: Node, validator: CompiledSchema | None = None
) -> Path:
    """Where a failure points, inside the instance: a matching hint, else the deepest error."""
    for hint in rule.locate:
        value = _value_at(target.instance, hint.path)
        if value is _MISSING:
            continue
        if hint.when is None or compiled(hint.when).is_valid(value):
            return hint.path
    paths = (validator or rule.validator).error_paths(target.instance) or [()]

    def rank(path: Path) -> tuple[int, int, int]:
        (line, column), depth = locate(root, target.document_path(path))
        return -depth, line, column

    return min(paths, key=rank)


def _message(rule: Rule, target: Target, path: Path, lang: str) -> tuple[str, str]:
    template = rule.text(lang).message
    fix = rule.text(lang).fix
    for case in rule.messages:
        if compiled(case.when).is_valid(target.instance):
            template = case.texts.get(lang, case.texts["en"])
            fix = case.fix.get(lang, case.fix["en"]) if case.fix else fix
            break
    value = _value_at(target.instance, path)
    resource = target.resource
    fields = {
        "kind": resource.kind,
        "name": resource.name,
        "namespace": resource.namespace or "",
        "container": target.container.label if target.container else "",
        "value": "" if value is _MISSING else render_value(value),
        "path": dotted(path),
    }
    if "{" + SUBJECTS + "}" in template:  # a binding's subjects: named only when asked for
        fields[SUBJECTS] = subject_names(get_path(resource.data, (SUBJECTS,)))
    return template.format_map(fields), fix


MAX_VALUE_TEXT = 120
"""A message quotes at most this many characters of a value (a whole mapping can be long)."""


def render_value(value: Any, limit: int | None = MAX_VALUE_TEXT) -> str:
    """A manifest value as it would read in YAML: true, null, 80, text; cut with … past `limit`."""
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _value_at(instance: Any, path: Path) -> Any:
    if not path:
        return instance
    parent = get_path(instance, path[:-1])
    key = path[-1]
    if isinstance(parent, dict) and key in parent:
        return parent[key]
    if isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
        return parent[key]
    return _MISSING


def _result(
    rule: Rule,
    target: Target,
    file: str,
    position: tuple[int, int],
    passed: bool,
    message: str,
    lang: str,
    path: Path | None = None,
    fix: str | None = None,
) -> Result:
    resource = target.resource
    container = target.container
    return rule.result(
        file=file,
        position=position,
        passed=passed,
        message=message,
        lang=lang,
        resource=(resource.kind, resource.namespace, resource.name),
        path=dotted(target.path if path is None else path),
        container=(container.label, container.type) if container else (None, None),
        fix=fix,
    )
