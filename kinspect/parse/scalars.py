"""Scalar resolution as Kubernetes' YAML decoder (go-yaml v2) does it.

Plain scalars resolve by their text (`yes` and `on` are true, `0755` is octal); quoted ones
are strings. An explicit tag is read as Kubernetes reads it: `!!binary` is decoded,
`!!int`, `!!float`, `!!bool`, `!!null` and `!!timestamp` must fit their value (else the file
is refused, as kubectl refuses it), and every other tag (`!!str`, `!foo`,
`!!python/object:...`) leaves the text as a string. Tags never build objects.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from typing import Any

from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import BaseResolver

from kinspect.errors import KinspectError

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"
_NUMBER_START = frozenset("0123456789+-.")
UNTAGGED = BaseResolver.DEFAULT_SCALAR_TAG
BINARY, MERGE = _TAG + "binary", _TAG + "merge"
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?"
)
_TYPES: dict[str, tuple[type, ...]] = {"null": (type(None),), "bool": (bool,), "int": (int,)}
_TYPES |= {"float": (float,), "timestamp": ()}  # a timestamp is matched by its text


def _go_replace(error: UnicodeError) -> tuple[str, int]:
    """Go (and so Kubernetes' JSON) replaces each invalid byte with U+FFFD."""
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error("kinspect-go", _go_replace)


def resolve_scalar(node: ScalarNode) -> Any:
    """Plain scalars resolve as Kubernetes' decoder does; quoted ones are strings."""
    value: str = node.value
    if node.ctag is UNTAGGED:  # the composer's default tag: no explicit tag was written
        return value if node.style else implicit_value(value)
    return tagged_value(str(node.tag), node)


def is_merge_key(node: ScalarNode) -> bool:
    """`<<` plain and untagged, or tagged `!!merge`: a merge key (a quoted one is a key)."""
    if node.value != "<<":
        return False
    return (node.ctag is UNTAGGED and not node.style) or node.tag == MERGE


def tagged_value(tag: str, node: ScalarNode) -> Any:
    """An explicitly tagged scalar as go-yaml v2 reads it; a KinspectError where it fails."""
    value: str = node.value
    if tag == BINARY:
        return _binary(node)
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else ""
    if kind not in _TYPES:  # !!str and tags Kubernetes does not know: the text itself
        return value
    found: Any = implicit_value(value)  # the tag's type must be what the text reads as
    if kind == "timestamp" and _TIMESTAMP.fullmatch(value):
        return value  # Kubernetes keeps a timestamp's text
    if kind == "float" and type(found) is int:
        return float(found)
    if isinstance(found, _TYPES[kind]) and not (kind != "bool" and isinstance(found, bool)):
        return found
    raise _tag_error(node, f"cannot decode {_read_as(found, value)} `{value}` as a !!{kind}")


def _binary(node: ScalarNode) -> str:
    """Base64 decoded (line breaks ignored, as Go does) and read as UTF-8."""
    text = node.value.replace("\n", "").replace("\r", "")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, binascii.Error):
        raise _tag_error(node, "!!binary value contains invalid base64 data") from None
    return data.decode("utf-8", errors="kinspect-go")


def _read_as(found: Any, value: str) -> str:
    if isinstance(found, str):
        return "!!timestamp" if _TIMESTAMP.fullmatch(value) else "!!str"
    names = {type(None): "!!null", bool: "!!bool", int: "!!int", float: "!!float"}
    return names[type(found)]


def _tag_error(node: ScalarNode, message: str) -> KinspectError:
    mark = node.start_mark
    return KinspectError(
        message,
        line=mark.line + 1,
        column=mark.column + 1,
        hint="Kubernetes refuses this tag on this value: remove the tag or correct the value",
    )


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
