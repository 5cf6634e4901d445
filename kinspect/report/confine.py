"""Paths named by a repository's own files stay inside it; hook runs write no reports.

A `.kinspect.yaml` (or the Polaris config it names) comes with the repository being inspected,
so it is as untrusted as the manifests: its paths may not be absolute, may not use `..`, and
must still be inside the repository once every symbolic link is resolved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePath

HOOK_VARIABLE = "PRE_COMMIT"
"""Set to `1` by pre-commit (and tools compatible with it) for every hook it runs."""


def repository_root(directory: Path) -> Path:
    """The nearest directory at or above `directory` holding `.git`, else `directory`."""
    start = Path(os.path.realpath(directory))
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def path_problem(value: str, base: Path, root: Path) -> str | None:
    """Why `value` (relative to `base`) may not be used, or None when it stays in `root`."""
    pure = PurePath(value)
    if pure.is_absolute():
        return f"{value!r} is an absolute path"
    if ".." in pure.parts:
        return f"{value!r} goes up with '..'"
    if not inside(base / value, root):
        if in_git(base / value, root):
            return f"{value!r} is inside .git (its hooks run as programs)"
        return f"{value!r} leads outside the repository through a symbolic link"
    return None


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, every symbolic link resolved (also a dangling last one), is in `root`
    and not in its `.git` (where a written hook would run at the next commit)."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    if real != top and top not in real.parents:
        return False
    return not in_git(path, root)


def in_git(path: Path, root: Path) -> bool:
    """Whether `path` (links resolved) is in a `.git` directory below `root`."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    relative = real.parts[len(top.parts) :] if top in real.parents else ()
    return any(part.casefold() == ".git" for part in relative)


def hook_run(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process runs as a pre-commit hook (pre-commit sets PRE_COMMIT=1)."""
    return environ.get(HOOK_VARIABLE, "") not in ("", "0")
