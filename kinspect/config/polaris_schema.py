"""A Polaris custom check's schema in kinspect's terms: Go templates and quantity keywords.

Polaris renders a check's schema as a Go template of the object before validating, and adds
`resourceMinimum`/`resourceMaximum` for Kubernetes quantities. Both become placeholders that
kinspect fills for each target (kinspect/ruleset/resource_fill.py); what cannot be expressed
that way is reported as unsupported instead of being run wrongly.
"""

from __future__ import annotations

import re
from typing import Any

from kinspect.ruleset.resource_fill import ACTION, QUANTITY, RESOURCE, TEMPLATE

MINIMUM = ("resourceMinimum", "minimumResource")
MAXIMUM = ("resourceMaximum", "maximumResource")
_TOKEN = "kinspectTemplate{}x"
_TOKEN_RE = re.compile(r"kinspectTemplate(\d+)x")
# Keywords whose subschemas apply to the same instance: a quantity keyword may sit under them.
_SAME_INSTANCE = ("allOf", "anyOf", "oneOf")
_SAME_INSTANCE_ONE = ("not", "if", "then", "else")


class Unsupported(Exception):
    """What kinspect cannot run faithfully in a custom check."""


def tokenized(text: str) -> tuple[str, list[str]]:
    """A schema text with each `{{ .a.b }}` action replaced by a plain token (YAML parses it
    quoted or not), and the actions; any other template syntax is unsupported."""
    actions: list[str] = []

    def token(match: re.Match[str]) -> str:
        actions.append(match.group(0))
        return _TOKEN.format(len(actions) - 1)

    replaced = ACTION.sub(token, text)
    if "{{" in replaced:
        raise Unsupported("Go template actions other than {{ .field.path }} are not supported")
    return replaced, actions


def templated(schema: Any, actions: list[str] | None = None) -> Any:
    """The schema with Go-template strings (or tokens of `actions`) as placeholders."""
    if isinstance(schema, dict):
        if any(isinstance(k, str) and ("{{" in k or _TOKEN_RE.search(k)) for k in schema):
            raise Unsupported("Go templates in property names are not supported")
        return {key: templated(value, actions) for key, value in schema.items()}
    if isinstance(schema, list):
        return [templated(value, actions) for value in schema]
    if not isinstance(schema, str):
        return schema
    text = schema
    if actions is not None:
        text = _TOKEN_RE.sub(lambda m: actions[int(m.group(1))], text)
    if "{{" not in text:
        return text
    whole = ACTION.fullmatch(text)
    if whole is not None:
        return {RESOURCE: whole.group(1)}
    if ACTION.sub("", text).count("{{"):
        raise Unsupported("Go template actions other than {{ .field.path }} are not supported")
    return {TEMPLATE: text}


def with_quantities(schema: Any, path: tuple[str, ...] = ()) -> Any:
    """`resourceMinimum`/`resourceMaximum` as `$quantity` placeholders at their instance path
    (reached through `properties` and the combinators only)."""
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    bounds: dict[str, Any] = {}
    for key, value in schema.items():
        if key in MINIMUM or key in MAXIMUM:
            bounds["minimum" if key in MINIMUM else "maximum"] = value
        elif key == "properties" and isinstance(value, dict):
            converted[key] = {n: with_quantities(s, (*path, n)) for n, s in value.items()}
        elif key in _SAME_INSTANCE and isinstance(value, list):
            converted[key] = [with_quantities(s, path) for s in value]
        elif key in _SAME_INSTANCE_ONE:
            converted[key] = with_quantities(value, path)
        elif uses_quantities(value):
            raise Unsupported(f"{'/'.join(MINIMUM[:1] + MAXIMUM[:1])} under `{key}`")
        else:
            converted[key] = value
    if bounds:
        check = {QUANTITY: ".".join(path), **bounds}
        converted["allOf"] = [*converted.get("allOf", []), check]
    return converted


def uses_quantities(schema: Any) -> bool:
    """Whether a schema holds a quantity keyword anywhere."""
    if isinstance(schema, dict):
        keys = set(schema) & {*MINIMUM, *MAXIMUM}
        return bool(keys) or any(uses_quantities(v) for v in schema.values())
    if isinstance(schema, list):
        return any(uses_quantities(v) for v in schema)
    return False
