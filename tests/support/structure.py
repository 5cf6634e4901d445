"""Helpers shared by the structural validation tests."""

from __future__ import annotations

from typing import Any

from kinspect.structure import apischema as kubeschema


def lenient(value: Any) -> bool:
    """Whether the walk deliberately accepts something in `value` that the schema refuses:
    unrendered template placeholders and strategic-merge-patch directives (`$patch`)."""
    if kubeschema.is_placeholder(value):
        return True
    if isinstance(value, dict):
        if any(isinstance(k, str) and k.startswith("$") for k in value):
            return True
        return any(lenient(v) for v in value.values())
    return isinstance(value, list) and any(lenient(v) for v in value)
