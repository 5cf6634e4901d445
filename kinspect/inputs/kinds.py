"""What one input is: a file (or stdin), a Helm chart to render, a kustomization to build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
FILE, CHART, KUSTOMIZATION, CLUSTER = "file", "chart", "kustomization", "cluster"
PATCH = "patch"
"""A file that a kustomization uses as a patch: complete only once built, so noted, not read."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input: `name` is the path as the user gave it, `/`-separated (`-` for stdin).

    `kind` says how to read it: a file (or stdin), a Helm chart directory to render, a
    kustomization directory to build, or a kustomize patch (not read on its own).
    """

    name: str
    path: Path | None
    kind: str = FILE
