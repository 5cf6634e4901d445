"""The paths a configuration file names, checked against its repository
(kinspect.report.confine)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kinspect.report.confine import path_problem, repository_root


def path_problems(data: dict[str, Any], file: Path) -> Iterator[tuple[list[str | int], str]]:
    """(where, why) of each path of a configuration file that may not be used."""
    base = Path(os.path.realpath(file.parent))
    root = repository_root(base)
    for at, value in _paths(data):
        problem = path_problem(value, base, root)
        if problem is not None:
            yield at, problem


def _paths(data: dict[str, Any]) -> Iterator[tuple[list[str | int], str]]:
    """(where, path) of every file or directory a configuration file names."""
    formats = data.get("format", [])
    for index, value in enumerate([formats] if isinstance(formats, str) else formats):
        at: list[str | int] = ["format"] if isinstance(formats, str) else ["format", index]
        _, equals, path = str(value).partition("=")
        if equals and path:
            yield at, path
    for index, value in enumerate(data.get("rules-dirs", [])):
        yield ["rules-dirs", index], str(value)
    for key in ("baseline", "polaris-config"):
        if key in data:
            yield [key], str(data[key])
