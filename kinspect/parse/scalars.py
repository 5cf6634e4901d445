"""Scalar resolution as Kubernetes' YAML decoder does it: YAML 1.1 booleans, octal, null.

Plain scalars resolve by their text (`yes` and `on` are true, `0755` is octal); quoted ones
are strings; an explicit standard tag (`!!int`) wins. Other tags never build objects: their
value stays plain data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import BaseResolver

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"
_NUMBER_START = frozenset("0123456789+-.")
_UNTAGGED = BaseResolver.DEFAULT_SCALAR_TAG


def resolve_scalar(node: ScalarNode) -> Any:
    """Plain scalars resolve as Kubernetes' decoder does; quoted ones are strings."""
    value: str = node.value
    if node.ctag is _UNTAGGED:  # the composer's default tag: no explicit tag was written
        return value if node.style else implicit_value(value)
    tag: str = node.tag or ""
    if tag.startswith(_TAG) and tag != _TAG + "str":
        return _explicit(tag[len(_TAG) :], value)
    if node.style:
        return value
    return implicit_value(value)


def implicit_value(value: str) -> Any:
    """A plain scalar resolved as Kubernetes' YAML decoder does (YAML 1.1 booleans, octal)."""
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value[0] not in _NUMBER_START:
        return value
    try:
        if _INT.fullmatch(value):
            return _to_int(value)
        if _FLOAT.fullmatch(value):
            return _to_float(value)
    except ValueError:  # `0x_`, or more digits than Python converts (4300): keep the text
        pass
    return value


def _explicit(kind: str, value: str) -> Any:
    try:
        if kind == "int":
            return _to_int(value)
        if kind == "float":
            return _to_float(value)
        if kind == "bool":
            return value in _TRUE
        if kind == "null":
            return None
    except ValueError:
        pass
    return value


def _to_int(value: str) -> int:
    digits = value.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits.startswith(("0x", "0o", "0b")):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _to_float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value.replace("_", ""))


def key_text(key: Any) -> str:
    """A mapping key as the API server sees it after YAML-to-JSON: `1` is "1", `yes` "true"."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key)
