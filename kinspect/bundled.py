"""Where the bundled rule files and schemas live (installed wheel or source checkout)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`rules` or `schemas`: inside the package when installed, else at the checkout's top."""
    packaged = _PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def rules_dir() -> Path:
    """Directory of the built-in rule files."""
    return data_dir("rules")


def schema_path(name: str) -> Path:
    """Path of one bundled JSON Schema, e.g. `rule.schema.json`."""
    return data_dir("schemas") / name
