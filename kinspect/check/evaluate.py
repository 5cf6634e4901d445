"""Rule × target → result. No I/O: positions come from the document's node tree."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache, partial
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
from kinspect.ruleset.template import FIELD, compiled_fill, keys_in, lookup_in, uses_fields

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
    errors = partial(validator.error_paths, target.instance)
    message, fix = _message(rule, target, instance_path, lang, errors)
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
        trimmed = [path[offset:] for path in paths]  # this part's failing paths, from it
        errors: Callable[[], list[Path]] = partial(list, trimmed)
        message, fix = _message(rule, part, instance_path, lang, errors)
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
        present = cache(partial(keys_in, instance))  # walked only for keys that need it
        return compiled_fill(schema, FIELD, lookup_in(instance), present)
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
    validator = validator or rule.validator
    if _larger_than(target.instance, LARGE_TARGET) and not uses_fields(rule.schema):
        paths = _failing_paths(rule.schema, target.instance, ())
    else:
        paths = validator.error_paths(target.instance) or [()]

    def rank(path: Path) -> tuple[int, int, int]:
        (line, column), depth = locate(root, target.document_path(path))
        return -depth, line, column

    return min(paths, key=rank)


def _message(
    rule: Rule, target: Target, path: Path, lang: str, errors: Callable[[], list[Path]]
) -> tuple[str, str]:
    """The failure's message and fix; `errors` gives every failing path of the target, for
    messages that name every place (`{values}`, `{names}`, `{paths}`)."""
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
    if _EVERY.search(template):  # every failing place, not only the one the finding points at
        fields.update(_every(target.instance, errors(), path))
    return template.format_map(fields), fix


_EVERY = re.compile(r"\{(values|names|paths)\}")


def _every(instance: Any, paths: list[Path], located: Path) -> dict[str, str]:
    """`{values}`, `{names}` and `{paths}`: the scalar values at every failing path, the `name`
    of the list item holding each (an env var, a container port), and the paths, in order."""
    ordered = sorted(dict.fromkeys([located, *paths]), key=_order)
    found = [_value_at(instance, p) for p in ordered]
    # Scalars only: a mapping that fails as a whole (no `drop` in capabilities) is no value.
    values = [
        render_value(v) for v in found if not isinstance(v, dict | list) and v is not _MISSING
    ]
    names = [name for p in ordered if (name := _item_name(instance, p)) is not None]
    joined = {
        "values": values,
        "names": names,
        "paths": [dotted(p) for p in ordered],
    }
    return {key: ", ".join(dict.fromkeys(items)) for key, items in joined.items()}


def _order(path: Path) -> list[tuple[int, int | str]]:
    return [(0, part) if isinstance(part, int) else (1, part) for part in path]


def _item_name(instance: Any, path: Path) -> str | None:
    """The `name` of the innermost list item on `path` (env.3.value → env[3].name)."""
    for end in range(len(path), 0, -1):
        if isinstance(path[end - 1], int):
            item = get_path(instance, path[:end])
            name = item.get("name") if isinstance(item, dict) else None
            return name if isinstance(name, str) else None
    return None


MAX_VALUE_TEXT = 120
"""A message quotes at most this many characters of a value (a whole mapping can be long)."""


def render_value(value: Any, limit: int | None = MAX_VALUE_TEXT) -> str:
    """A manifest value as it would read in YAML: true, null, 80, text; cut with … past `limit`."""
    if value == "":
        return '""'  # an empty string named as one (`adds ""`), not as nothing
    text = value if isinstance(value, str) else _json_prefix(value, limit)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_WHOLE = 64
"""Nodes up to which a value is encoded whole, by the C encoder; a larger one is encoded
lazily, only as far as the message quotes it."""


def _json_prefix(value: Any, limit: int | None) -> str:
    """JSON of `value`, or enough of its beginning to pass `limit`: a value that aliases
    expand to a million nodes is not written out whole to quote 120 characters of it."""
    if limit is None or not _more_nodes_than(value, _WHOLE):
        return _ENCODER.encode(value)
    pieces: list[str] = []
    size = 0
    for piece in _ENCODER.iterencode(value):  # the pure-Python encoder: lazy
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return "".join(pieces)


LARGE_TARGET = 20_000
"""Nodes (aliases expanded) past which a failure is located with `is_valid` alone.

jsonschema-rs copies the whole instance for each error list it builds; on a target that
anchors expand to a million nodes that costs a second per failing rule. Real targets are far
smaller (the largest document of the corpus has 46,000 nodes).
"""


def _more_nodes_than(value: Any, limit: int) -> bool:
    """Whether `value` has more than `limit` nodes, counted until the limit is passed."""
    stack, count = [value], 0
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count > limit


def _larger_than(value: Any, limit: int) -> bool:
    """Whether `value` has more than `limit` nodes, counted until the limit is passed."""
    seen = _SIZES.get(id(value))
    if seen is not None and seen[0] is value:
        return bool(seen[1])
    larger = _more_nodes_than(value, limit)
    if len(_SIZES) >= 16:
        _SIZES.clear()
    _SIZES[id(value)] = (value, larger)
    return larger


# The targets measured last (kept alive, so an id is not reused): their rules ask in turn.
_SIZES: dict[int, tuple[Any, bool]] = {}


def _failing_paths(schema: Any, instance: Any, path: Path) -> list[Path]:
    """The deepest failing properties and items under `path`, found with `is_valid`, which
    reads the instance where it lies; at a `$ref` (a subschema cannot compile alone) it stops."""
    if not isinstance(schema, dict) or _refers(schema):
        return [path]
    found: list[Path] = []
    for sub in schema.get("allOf", []):
        if not compiled(sub).is_valid(instance):
            found += _failing_paths(sub, instance, path)
    if isinstance(instance, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in instance and not compiled(sub).is_valid(instance[key]):
                found += _failing_paths(sub, instance[key], (*path, key))
    items = schema.get("items")
    if isinstance(instance, list) and isinstance(items, dict):
        for index, item in enumerate(instance):
            if not compiled(items).is_valid(item):  # the first failing item is enough
                found += _failing_paths(items, item, (*path, index))
                break
    return found or [path]


def _refers(schema: dict[str, Any]) -> bool:
    text = json.dumps(schema)
    return '"$ref"' in text or '"$dynamicRef"' in text


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
