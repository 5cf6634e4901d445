"""A pod template as Kubernetes' Go types decode it, which is what Pod Security Admission judges.

Go has no "null": a null field is the field left unset, a null list item is the item's zero
value (`containers: [null]` is one container with every field unset, `add: [null]` adds the
capability ""), and a null annotation is the empty string. Nothing else changes, so every
path of the decoded pod is a path of the document (findings keep their lines).
"""

from __future__ import annotations

from typing import Any

# The lists whose items the Pod Security checks read, by key, and the zero value of an item.
_ITEM_ZERO: dict[str, Any] = {
    "initContainers": {},
    "containers": {},
    "ephemeralContainers": {},
    "volumes": {},
    "ports": {},
    "sysctls": {},
    "add": "",
    "drop": "",
}
_STRING_MAPS = frozenset({"annotations", "labels"})
"""Maps of strings (`metadata.annotations`): a null value is ""."""


def decoded(template: Any) -> Any:
    """`template` (a pod's metadata and spec) with nulls as Go decodes them; the same object
    when it holds no null."""
    return _value(template, "")


def _value(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return _mapping(value, key in _STRING_MAPS)
    if isinstance(value, list):
        return _items(value, key)
    return value


def _mapping(data: dict[Any, Any], strings: bool) -> dict[Any, Any]:
    result = {}
    for key, value in data.items():
        if value is not None:
            result[key] = _value(value, key)
        elif strings:
            result[key] = ""
    changed = len(result) != len(data) or any(result[k] is not data[k] for k in result)
    return result if changed else data


def _items(items: list[Any], key: str) -> list[Any]:
    zero = _ITEM_ZERO.get(key)
    result = [
        type(zero)() if item is None and zero is not None else _value(item, "") for item in items
    ]
    changed = any(new is not old for new, old in zip(result, items, strict=True))
    return result if changed else items
