"""Temporary git repositories for the integration tests (pre-commit, packaging)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

# Commits in temporary repositories must not depend on the machine's git configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "kinspect tests",
    "GIT_AUTHOR_EMAIL": "tests@kinspect.invalid",
    "GIT_COMMITTER_NAME": "kinspect tests",
    "GIT_COMMITTER_EMAIL": "tests@kinspect.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def run(
    *cmd: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing stdout and stderr together."""
    return subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **GIT_ENV, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(*args: str, cwd: Path) -> str:
    """Run git, fail loudly, return its output."""
    proc = run("git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def init_repo(path: Path) -> Path:
    """An empty git repository at `path`."""
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=path)
    return path


def snapshot_checkout(dest: Path) -> tuple[Path, str]:
    """Commit this checkout's working tree (tracked and untracked, not ignored) to a new repo.

    `pre-commit try-repo` would miss untracked files, and during development the hook
    manifest and new modules are untracked: a snapshot tests exactly what is on disk.
    """
    listing = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    init_repo(dest)
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=dest)
    return dest, git("rev-parse", "HEAD", cwd=dest).strip()
