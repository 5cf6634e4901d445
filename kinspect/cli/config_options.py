"""Command-line options about configuration, suppression and baselines (typer types only)."""

from __future__ import annotations

from typing import Annotated

import typer

ConfigFile = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file (default: .kinspect.yaml in the working directory or a "
        "parent, up to the repository root).",
    ),
]
RulesDirs = Annotated[
    list[str] | None,
    typer.Option(
        "--rules-dir",
        metavar="DIR",
        help="Directory of custom rule files (repeatable; replaces the config's rules-dirs).",
    ),
]
PolarisConfig = Annotated[
    str | None,
    typer.Option(
        "--polaris-config",
        metavar="FILE",
        help="Apply a Polaris config.yaml: severities, exemptions and custom checks.",
    ),
]
Baseline = Annotated[
    str | None,
    typer.Option(
        "--baseline", metavar="FILE", help="Report only failures that are not in this baseline."
    ),
]
WriteBaseline = Annotated[
    str | None,
    typer.Option(
        "--write-baseline",
        metavar="FILE",
        help="Record the current failures in FILE (they are then reported as suppressed).",
    ),
]
ShowSuppressed = Annotated[
    bool,
    typer.Option(
        "--show-suppressed", help="List suppressed and exempted results with their reason (text)."
    ),
]
PodSecurity = Annotated[
    str | None,
    typer.Option(
        "--pod-security",
        metavar="LEVEL[:VERSION]",
        help="Judge pods by the Pod Security Standards: baseline, restricted or privileged "
        "(off), at VERSION (latest, or v1.N) in namespaces without pod-security labels.",
    ),
]
