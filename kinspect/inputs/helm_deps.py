"""Chart dependencies: the ones Chart.yaml (or requirements.yaml) lists must be in charts/.

Helm refuses to render a chart whose listed dependencies are not in its `charts/` directory,
whether or not their `condition` enables them ("found in Chart.yaml, but missing in charts/
directory"); a linter that rendered the rest would report on a chart Helm cannot install.
A render that still fails on a missing named template gets the same hint.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Any

from kinspect.errors import KinspectError
from kinspect.parse.limits import DEFAULT_LIMITS
from kinspect.parse.loader import load_documents

_MAX_META_BYTES = 1 << 20  # a Chart.yaml is a few hundred bytes
_MAX_MEMBERS = 10_000  # an archive whose Chart.yaml is not near the start is not a chart
_NO_TEMPLATE = re.compile(
    r"""^(?P<template>[^\s:]+):(?P<line>\d+):(?P<column>\d+).*?no template "(?P<name>[^"]+)\""""
)


def check_dependencies(chart: Path, shown: str) -> None:
    """Refuse a chart whose listed dependencies are not all in its charts/ directory."""
    listed = listed_dependencies(chart)
    if not listed:
        return
    present = present_charts(chart / "charts")
    missing = [name for name in listed if name not in present]
    if missing:
        names = ", ".join(missing)
        raise KinspectError(
            f"chart dependenc{'ies' if len(missing) > 1 else 'y'} {names} listed in "
            f"{_listing(chart)} but missing from charts/ (Helm does not render the chart "
            "without them)",
            hint=f"run helm dependency build {shown}: it fetches them into charts/",
        )


def render_error(message: str, shown: str) -> KinspectError:
    """A render failure; a missing named template names where it is used and the fix."""
    match = _NO_TEMPLATE.search(message)
    if match is None:
        return KinspectError(f"helm template failed: {message}")
    head, _, rest = match.group("template").rpartition("/templates/")
    chart = head.rsplit("/", 1)[-1]
    where = f"templates/{rest}:{match.group('line')}:{match.group('column')}"
    return KinspectError(
        f"helm template failed: chart {chart}, template {where}: no template "
        f'"{match.group("name")}" is defined in the chart or its dependencies',
        hint=f"list the chart that defines it in Chart.yaml and run helm dependency build {shown}",
    )


def listed_dependencies(chart: Path) -> list[str]:
    """The names of the dependencies in Chart.yaml, else in requirements.yaml."""
    for name in ("Chart.yaml", "requirements.yaml"):
        data = _yaml(chart / name)
        entries = data.get("dependencies") if isinstance(data, dict) else None
        if isinstance(entries, list) and entries:
            return [str(e["name"]) for e in entries if isinstance(e, dict) and e.get("name")]
    return []


def _listing(chart: Path) -> str:
    return "Chart.yaml" if _yaml(chart / "Chart.yaml").get("dependencies") else "requirements.yaml"


def present_charts(directory: Path) -> set[str]:
    """Names (from their Chart.yaml) of the charts in a charts/ directory, unpacked or .tgz."""
    names: set[str] = set()
    if not directory.is_dir():
        return names
    for entry in directory.iterdir():
        if entry.is_dir():
            name = _yaml(entry / "Chart.yaml").get("name")
        elif entry.name.endswith((".tgz", ".tar.gz")):
            name = _archived_name(entry)
        else:
            continue
        if name:
            names.add(str(name))
    return names


def _archived_name(archive: Path) -> Any:
    """The `name` in a packaged chart's top-level Chart.yaml (read, never extracted)."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for count, member in enumerate(tar):
                if count > _MAX_MEMBERS:
                    return None
                parts = member.name.strip("/").split("/")
                if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile():
                    if member.size > _MAX_META_BYTES:
                        return None
                    read = tar.extractfile(member)
                    text = read.read().decode("utf-8") if read else ""
                    return _parsed(text).get("name")
    except (OSError, tarfile.TarError, EOFError, UnicodeDecodeError):
        return None
    return None


def _yaml(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > _MAX_META_BYTES:
            return {}
        return _parsed(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}


def _parsed(text: str) -> dict[str, Any]:
    try:
        documents = list(load_documents(text, DEFAULT_LIMITS))
    except KinspectError:
        return {}
    data = documents[0].data if documents else None
    return data if isinstance(data, dict) else {}
