"""Reporters: pure functions from a report to text, one module `<name>_format` per format.

Formats are discovered from the module names, so adding a format is adding a module; a
reporter module is imported only when its format is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from kinspect.report.model import Report

Reporter = Callable[["Report"], str]
Writer = Callable[["Report", TextIO], None]
_SUFFIX = "_format.py"


@cache
def format_names() -> tuple[str, ...]:
    """Every format name, sorted."""
    here = Path(__file__).parent
    return tuple(sorted(p.name[: -len(_SUFFIX)] for p in here.glob(f"*{_SUFFIX}")))


def get_reporter(name: str) -> Reporter:
    """The `render` function of `kinspect.report.formats.<name>_format`."""
    if name not in format_names():
        raise ValueError(f"unknown format {name!r} (valid: {', '.join(format_names())})")
    module = import_module(f"kinspect.report.formats.{name}_format")
    render: Reporter = module.render
    return render


def get_writer(name: str) -> Writer:
    """Write a report of format `name` to a stream: the module's own `write` when it streams
    (large runs never hold the whole text), else its `render`."""
    render = get_reporter(name)
    module = import_module(f"kinspect.report.formats.{name}_format")
    streaming: Writer | None = getattr(module, "write", None)
    if streaming is not None:
        return streaming

    def write_rendered(report: Report, stream: TextIO) -> None:
        stream.write(render(report))

    return write_rendered
