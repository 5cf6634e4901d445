"""What one input is: a file (or stdin), a Helm chart to render, a kustomization to build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
FILE, CHART, KUSTOMIZATION, CLUSTER = "file", "chart", "kustomization", "cluster"


@dataclass(frozen=True, slots=True)
class Source:
    """One input: `name` is the path as the user gave it, `/`-separated (`-` for stdin).

    `kind` says how to read it: a file (or stdin), a Helm chart directory to render, or a
    kustomization directory to build.
    """

    name: str
    path: Path | None
    kind: str = FILE
