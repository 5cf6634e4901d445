"""kustomize: build kustomizations and place findings in the files resources came from.

The build goes through a temporary overlay that only adds `buildMetadata:
[originAnnotations]`, so the user's files are never touched. Each built resource then carries
`config.kubernetes.io/origin` (its file), which is read and removed before the checks run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from kinspect.errors import KinspectError
from kinspect.inputs.bounded import run_bounded
from kinspect.inputs.kinds import FILE, KUSTOMIZATION, Source
from kinspect.inputs.kustomization_files import read_kustomization, referenced
from kinspect.inputs.kustomize_map import KustomizeMapper
from kinspect.parse.limits import Limits

if TYPE_CHECKING:
    from kinspect.inputs.streams import InputState, Stream

BUILD_TIMEOUT_SECONDS = 300
_KLOG_BLOCK = re.compile(r"err=<\n(.*?)\n >$", re.DOTALL | re.MULTILINE)
_KLOG_QUOTED = re.compile(r' err="(.*)"\s*$', re.MULTILINE)


def build(source: Source, command: str | None, run: InputState) -> Stream:
    """Build a kustomization directory with origin annotations."""
    from kinspect.inputs.streams import Stream

    assert source.path is not None
    prefix = build_command(command)
    target = source.path.resolve()
    with tempfile.TemporaryDirectory(prefix="kinspect-kustomize-") as temporary:
        overlay = Path(temporary)
        relative = os.path.relpath(target, overlay).replace(os.sep, "/")
        (overlay / "kustomization.yaml").write_text(
            f"resources:\n- {json.dumps(relative)}\nbuildMetadata: [originAnnotations]\n",
            encoding="utf-8",
        )
        text = _run([*prefix, str(overlay)], relative, source.name, run.limits)
    relative_names = not Path(source.name).is_absolute()
    mapper = KustomizeMapper(overlay, relative_names, run, target)
    return Stream(source.name, text, mapper, build=source.name)


def build_command(command: str | None) -> list[str]:
    """`--kustomize-cmd`, else `kustomize build`, else `kubectl kustomize`."""
    if command:
        try:
            words = shlex.split(command)
        except ValueError as exc:
            raise KinspectError(f"cannot parse --kustomize-cmd: {exc}") from None
        if words:
            return words
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    raise KinspectError(
        "cannot build the kustomization: neither kustomize nor kubectl is on PATH",
        hint="install kubectl (it includes kustomize), or name a command with --kustomize-cmd",
    )


def _run(command: list[str], relative: str, name: str, limits: Limits) -> str:
    done = run_bounded(command, limits, BUILD_TIMEOUT_SECONDS, "kustomize build")
    if done.returncode != 0:
        message = build_error(done.stderr).replace(relative, name)
        raise KinspectError(f"kustomize build failed: {message}")
    return done.stdout


def build_error(stderr: str) -> str:
    """kustomize's message on one line, from kubectl's or kustomize's own error output."""
    block = _KLOG_BLOCK.search(stderr)  # kubectl's klog form: err=<\n\t...\n >
    if block is not None:
        return _one_line(block.group(1))
    quoted = _KLOG_QUOTED.search(stderr)  # ... err="..."
    if quoted is not None:
        return quoted.group(1).replace('\\"', '"')
    for prefix in ("Error: ", "error: "):
        if prefix in stderr:
            return _one_line(stderr[stderr.index(prefix) + len(prefix) :])
    return _one_line(stderr) or "no message"


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def drop_claimed(sources: list[Source]) -> list[Source]:
    """Leave out what a kustomization of the list already builds: its files and its bases."""
    directories = {s.path.resolve() for s in sources if s.kind == KUSTOMIZATION and s.path}
    used_files: set[Path] = set()
    used_directories: set[Path] = set()
    for directory in directories:
        for target in referenced(directory):
            if target.is_dir():
                used_directories.add(target)
            elif target.is_file():
                used_files.add(target)
    kept = []
    for source in sources:
        path = source.path.resolve() if source.path is not None else None
        if path is not None and _claimed(
            source.kind, path, directories, used_directories | used_files
        ):
            continue
        kept.append(source)
    return kept


def _claimed(kind: str, path: Path, directories: set[Path], used: set[Path]) -> bool:
    if kind == KUSTOMIZATION:
        # A base is built by what uses it; a component only ever as part of a kustomization.
        return path in used or read_kustomization(path).get("kind") == "Component"
    return kind == FILE and (path.parent in directories or path in used)
