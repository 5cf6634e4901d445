"""The `duplicateKeys` analysis: a key written twice in one mapping of a resource.

YAML forbids it, yet the API server's decoder keeps the last value, so `hostNetwork: false`
followed by `hostNetwork: true` hides a risk from a reviewer who reads the first line. The
loader records every duplicate (the checks already see the last value); this turns each one
into a finding at the second key, and each resource without one into a pass.
"""

from __future__ import annotations

from typing import Any

from kinspect.check.evaluate import render_value
from kinspect.kube.paths import dotted, get_path
from kinspect.kube.targets import Resource
from kinspect.model import Result
from kinspect.parse.loader import Document, DuplicateKey
from kinspect.parse.locate import locate
from kinspect.ruleset.model import Rule

ANALYSIS = "duplicateKeys"


def duplicate_key_results(
    document: Document, resources: list[Resource], file: str, rules: tuple[Rule, ...], lang: str
) -> list[Result]:
    """One failure per duplicate key of the document's resources, a pass for each clean one."""
    results: list[Result] = []
    for rule in rules:
        if rule.analysis != ANALYSIS:
            continue
        chosen = [r for r in resources if rule.applies_to_kind(r.kind)]
        for resource in chosen:
            found = [d for d in document.duplicates if _owner(d, resources) is resource]
            if not found:
                (line, column), _ = locate(document.root, resource.path)
                results.append(_result(rule, resource, file, (line, column), lang, None, document))
            for duplicate in found:
                position = (duplicate.line, duplicate.column)
                results.append(_result(rule, resource, file, position, lang, duplicate, document))
    return results


def _owner(duplicate: DuplicateKey, resources: list[Resource]) -> Resource | None:
    """The resource a duplicate is inside (the first one for a `List`'s own keys)."""
    inside = [r for r in resources if duplicate.path[: len(r.path)] == r.path]
    if inside:
        return max(inside, key=lambda r: len(r.path))
    return resources[0] if resources else None


def _result(
    rule: Rule,
    resource: Resource,
    file: str,
    position: tuple[int, int],
    lang: str,
    duplicate: DuplicateKey | None,
    document: Document,
) -> Result:
    texts = rule.text(lang)
    if duplicate is None:
        message, path = texts.title, resource.path
    else:
        path = (*duplicate.path, duplicate.key)
        message = texts.message.format_map(_fields(resource, duplicate, document.data))
    return rule.result(
        file=file,
        position=position,
        passed=duplicate is None,
        message=message,
        lang=lang,
        resource=(resource.kind, resource.namespace, resource.name),
        path=dotted(path),
    )


def _fields(resource: Resource, duplicate: DuplicateKey, data: Any) -> dict[str, str]:
    parent = get_path(data, duplicate.path)
    value = None
    if isinstance(parent, dict):  # keys such as `on` resolve to booleans: match by text too
        value = next((v for k, v in parent.items() if k == duplicate.key), None)
        if value is None:
            value = next((v for k, v in parent.items() if str(k) == duplicate.key), None)
    return {
        "kind": resource.kind,
        "name": resource.name,
        "namespace": resource.namespace or "",
        "container": "",
        "key": duplicate.key,
        "first_line": str(duplicate.first_line),
        "line": str(duplicate.line),
        "path": dotted((*duplicate.path, duplicate.key)),
        "value": render_value(value),
    }
