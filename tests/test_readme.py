"""The README's ways to run kinspect: each snippet is what a test runs or compares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.readme import snippet, snippets

EXERCISED = {
    "install": "tests/integration/conftest.py",
    "completion": "tests/test_readme.py",
    "pre-commit-config": "tests/integration/test_precommit.py",
    "github-workflow": "tests/integration/test_github_action.py",
    "gitlab-ci": "tests/report/test_gitlab.py",
    "python-api": "tests/test_api.py",
}


def test_every_snippet_is_exercised() -> None:
    assert set(snippets()) == set(EXERCISED)
    for name, test in EXERCISED.items():
        assert f'snippet("{name}")' in (ROOT / test).read_text(encoding="utf-8"), (name, test)


@pytest.mark.parametrize(
    ("name", "file"),
    [("github-workflow", "docs/ci/github-workflow.yml"), ("gitlab-ci", "docs/ci/gitlab-ci.yml")],
)
def test_ci_snippets_match_the_example_files(name: str, file: str) -> None:
    text = (ROOT / file).read_text(encoding="utf-8")
    without_comments = "".join(line for line in text.splitlines(True) if not line.startswith("# "))
    assert snippet(name) == without_comments


def test_bash_completion_completes_commands(tmp_path: Path) -> None:
    commands = [line for line in snippet("completion").splitlines() if "--show-completion" in line]
    assert commands, "the README shows how to print the completion script"
    show = commands[0].split("#")[0].strip()
    assert show == "kinspect --show-completion bash"
    script = (
        f"source <({show})\n"
        "COMP_WORDS=(kinspect li); COMP_CWORD=1; _kinspect_completion kinspect\n"
        'echo "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(kinspect lint --fail); COMP_CWORD=2; _kinspect_completion kinspect\n"
        'echo "${COMPREPLY[@]}"\n'
    )
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PATH": path},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["lint", "--fail-on"]
