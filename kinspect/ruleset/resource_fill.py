"""Placeholders filled per target from its resource: Polaris's Go templates and quantities.

A Polaris custom check may template its schema from the object (`{{ .metadata.name }}`) and
compare Kubernetes quantities (`resourceMinimum: 100Mi`). Its schema is converted once into
these placeholders (kinspect/config/project/polaris_schema.py), filled here for each target:

- `{"$resource": PATH}`: the value at PATH of the target's resource (`<no value>` when unset,
  as a Go template prints it);
- `{"$template": TEXT}`: TEXT with each `{{ .a.b }}` replaced by that value's text;
- `{"$quantity": PATH, "minimum": Q, "maximum": Q}`: `true` when the target's value at PATH is
  unset or a quantity within the bounds, else `false`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kinspect.kube.paths import get_path
from kinspect.kube.quantity import within

RESOURCE = "$resource"
TEMPLATE = "$template"
QUANTITY = "$quantity"
MARKERS = (RESOURCE, TEMPLATE, QUANTITY)
NO_VALUE = "<no value>"
# `{{ .a.b }}` (with Go's `-` trim markers); any other action is not supported.
ACTION = re.compile(
    r"\{\{-?\s*\.((?:[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*-?\}\}"
)


def uses_resource(schema: Any) -> bool:
    """Whether a schema holds one of these placeholders (cached per schema object)."""
    cached = _USES.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, _has_marker(schema))
        _USES[id(schema)] = cached
    return cached[1]


_USES: dict[int, tuple[Any, bool]] = {}


def _has_marker(schema: Any) -> bool:
    if isinstance(schema, dict):
        return any(m in schema for m in MARKERS) or any(_has_marker(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_marker(v) for v in schema)
    return False


def fill_resource(schema: Any, instance: Any, resource: Any) -> Any:
    """The schema with every placeholder filled for this target."""
    if isinstance(schema, dict):
        if RESOURCE in schema:
            value = _lookup(resource, schema[RESOURCE])
            return NO_VALUE if value is None else value
        if TEMPLATE in schema:
            return render(schema[TEMPLATE], resource)
        if QUANTITY in schema:
            value = _lookup(instance, schema[QUANTITY])
            return value is None or within(value, schema.get("minimum"), schema.get("maximum"))
        return {key: fill_resource(value, instance, resource) for key, value in schema.items()}
    if isinstance(schema, list):
        return [fill_resource(value, instance, resource) for value in schema]
    return schema


def render(text: str, data: Any) -> str:
    """A Go template of `{{ .a.b }}` actions, rendered from `data`."""
    return ACTION.sub(lambda match: _text(_lookup(data, match.group(1))), text)


def _text(value: Any) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _lookup(data: Any, path: str) -> Any:
    if not path:  # a quantity keyword at the top of the schema
        return data
    return get_path(data, tuple(int(p) if p.isdigit() else p for p in path.split(".")))
