"""Reporters: pure functions from a report to text, found by format name."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from kinspect.report import Report

Reporter = Callable[[Report], str]
FORMATS = ("text", "json")


def get_reporter(name: str) -> Reporter:
    """The `render` function of `kinspect.reporters.<name>`."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (valid: {', '.join(FORMATS)})")
    module = import_module(f"kinspect.reporters.{name}_format")
    render: Reporter = module.render
    return render
