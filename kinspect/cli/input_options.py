"""Command-line options about inputs: walks, Helm, kustomize, clusters (typer types only)."""

from __future__ import annotations

from typing import Annotated

import typer

Excludes = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="GLOB",
        help="Skip files and directories matching GLOB in directory walks (repeatable; "
        "hidden directories and .git are always skipped).",
    ),
]
Render = Annotated[
    bool,
    typer.Option(
        "--render/--no-render",
        help="Render Helm chart directories and build kustomizations met in PATHS; with "
        "--no-render their files are read as plain YAML.",
    ),
]
HelmValues = Annotated[
    list[str] | None,
    typer.Option("--helm-values", metavar="FILE", help="Values file for Helm charts (repeatable)."),
]
HelmSet = Annotated[
    list[str] | None,
    typer.Option("--helm-set", metavar="KEY=VALUE", help="Helm --set value (repeatable)."),
]
HelmReleaseName = Annotated[
    str, typer.Option("--helm-release-name", help="Release name charts are rendered with.")
]
HelmNamespace = Annotated[
    str | None, typer.Option("--helm-namespace", help="Namespace charts are rendered for.")
]
HelmKubeVersion = Annotated[
    str | None,
    typer.Option("--helm-kube-version", help="Kubernetes version for .Capabilities, e.g. 1.30.0."),
]
HelmTests = Annotated[
    bool,
    typer.Option(
        "--helm-include-tests/--helm-skip-tests", help="Inspect the chart's test hooks too."
    ),
]
HelmChartRoot = Annotated[
    str | None,
    typer.Option(
        "--helm-chart-root",
        metavar="DIR",
        help="Chart directory of a rendered stream, to find lines in its templates "
        "(default: looked for next to the input and in the working directory).",
    ),
]
KustomizeCmd = Annotated[
    str | None,
    typer.Option(
        "--kustomize-cmd",
        metavar="COMMAND",
        help="Build command for kustomizations; the directory is appended "
        "(default: kustomize build, else kubectl kustomize).",
    ),
]
IncludeOwned = Annotated[
    bool,
    typer.Option(
        "--include-owned",
        help="Also report Pods/ReplicaSets/Jobs whose controller is in the input.",
    ),
]
Context = Annotated[str | None, typer.Option("--context", help="kubeconfig context to use.")]
Namespace = Annotated[
    str | None,
    typer.Option("--namespace", "-n", help="Only this namespace (default: kubeconfig's)."),
]
AllNamespaces = Annotated[bool, typer.Option("--all-namespaces", "-A", help="Every namespace.")]
Kubeconfig = Annotated[
    str | None, typer.Option("--kubeconfig", metavar="FILE", help="kubeconfig file.")
]
SaveExport = Annotated[
    str | None,
    typer.Option(
        "--save",
        metavar="FILE",
        help="Save what kubectl returned to FILE; findings then point at its lines.",
    ),
]
