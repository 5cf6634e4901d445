"""A related resource as a step's `where` sees it: its `fields`, percentages made integers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def project(values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The related resource as `where` sees it: only `fields`, nested as in the resource."""
    data: dict[str, Any] = {}
    kept: list[str] = []
    for path in sorted(fields):
        value = values.get(path)
        if value is None or any(path.startswith(k + ".") for k in kept):
            continue
        kept.append(path)
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return data


def scaled(
    data: dict[str, Any],
    percent_of: tuple[tuple[str, str, int], ...],
    subject: Mapping[str, Any],
) -> dict[str, Any]:
    """`data` with each percentage at a `percentOf` path replaced by the integer it stands for:
    that share of the subject's value, rounded up as Kubernetes rounds a minAvailable."""
    for path, subject_path, default in percent_of:
        whole = subject.get(subject_path)
        whole = default if whole is None else whole
        if isinstance(whole, int) and not isinstance(whole, bool):
            data = _replaced(data, path.split("."), whole)
    return data


def _replaced(data: Any, keys: list[str], whole: int) -> Any:
    """A copy of `data` along `keys` (facts are shared: never changed in place)."""
    if not isinstance(data, dict) or keys[0] not in data:
        return data
    if len(keys) > 1:
        return {**data, keys[0]: _replaced(data[keys[0]], keys[1:], whole)}
    percent = _percentage(data[keys[0]])
    if percent is None:
        return data
    return {**data, keys[0]: -(-percent * whole // 100)}  # the ceiling, in integers


def _percentage(value: Any) -> int | None:
    """The number of an IntOrString percentage such as "50%", else None."""
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None
