"""Changed files → the kustomize and Helm directories that must be built to inspect them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"


def is_kustomization(directory: Path) -> bool:
    """Whether `directory` holds a kustomization file."""
    return any((directory / name).is_file() for name in KUSTOMIZATION_FILES)


def is_chart(directory: Path) -> bool:
    """Whether `directory` is a Helm chart."""
    return (directory / CHART_FILE).is_file()


def project_dirs(files: Iterable[str]) -> list[str]:
    """The kustomize/Helm directories containing `files`, each once, sorted.

    A file belongs to the nearest enclosing directory with a kustomization or a Chart.yaml; a
    subchart (`<chart>/charts/<sub>`) belongs to its parent chart, since Helm renders it with
    the parent's values. The search stops at the repository root. Files outside any such
    directory are left out.
    """
    found = {found for file in files if (found := project_dir(file)) is not None}
    return sorted(found)


def project_dir(file: str) -> str | None:
    """The directory that must be built to inspect `file` (None: a plain file)."""
    path = Path(file)
    candidates = [path] if path.is_dir() else []
    for directory in [*candidates, *path.parents]:
        if is_kustomization(directory):
            return _name(directory)
        if is_chart(directory):
            return _name(_outermost_chart(directory))
        if (directory / ".git").exists():
            return None
    return None


def _outermost_chart(chart: Path) -> Path:
    # Helm keeps subcharts in `charts/` of the parent chart.
    while chart.parent.name == "charts" and is_chart(chart.parent.parent):
        chart = chart.parent.parent
    return chart


def _name(directory: Path) -> str:
    """The directory as the user named it, `/`-separated (`.` for the working directory)."""
    return str(directory).replace(os.sep, "/") or "."
