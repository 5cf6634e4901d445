"""The kinspect-fix hook of .pre-commit-hooks.yaml, run by the real pre-commit on a commit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.support.gitrepo import git, init_repo, run, snapshot_checkout

BAD = (FIXTURES / "fix" / "hostNetworkSet" / "fail-block-comments.yaml").read_text(encoding="utf-8")
FIXED = (FIXTURES / "fix" / "hostNetworkSet" / "fixed-block-comments.yaml").read_text(
    encoding="utf-8"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A user's repository with the kinspect-fix hook installed through pre-commit."""
    hook_repo, rev = snapshot_checkout(tmp_path_factory.mktemp("hook-repo") / "kinspect")
    env = {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("home")), "PRE_COMMIT_COLOR": "never"}
    path = init_repo(tmp_path_factory.mktemp("project") / "project")
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: kinspect-fix\n        args: [--checks=hostNetworkSet]\n",
        encoding="utf-8",
    )
    git("add", ".pre-commit-config.yaml", cwd=path)
    git("commit", "-q", "--no-verify", "-m", "config", cwd=path)
    proc = run(sys.executable, "-m", "pre_commit", "install", cwd=path, env=env)
    assert proc.returncode == 0, proc.stdout
    return path, env


def test_the_hook_fixes_and_fails_then_the_fixed_file_commits(
    project: tuple[Path, dict[str, str]],
) -> None:
    path, env = project
    (path / "agent.yaml").write_text(BAD, encoding="utf-8")
    git("add", "agent.yaml", cwd=path)
    first = run("git", "commit", "-m", "agent", cwd=path, env=env)
    assert first.returncode != 0, first.stdout
    assert "files were modified by this hook" in first.stdout
    assert "agent.yaml: fixed 1 finding(s): hostNetworkSet" in first.stdout
    assert (path / "agent.yaml").read_text(encoding="utf-8") == FIXED

    git("add", "agent.yaml", cwd=path)
    second = run("git", "commit", "-m", "agent", cwd=path, env=env)
    assert second.returncode == 0, second.stdout
    assert "kinspect fix" in second.stdout and "Passed" in second.stdout
