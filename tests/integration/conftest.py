"""Integration tests build virtual environments: the costly ones are shared by the session."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.gitrepo import run
from tests.support.readme import snippet


class Venv:
    """A virtual environment made with the running Python."""

    def __init__(self, path: Path) -> None:
        proc = run(sys.executable, "-m", "venv", path, cwd=path.parent)
        assert proc.returncode == 0, proc.stdout
        self.path = path
        self.bin = path / "bin"

    def pip(self, *args: str) -> None:
        """`pip ARGS` in the checkout, as the README says to run it."""
        proc = run(self.bin / "python", "-m", "pip", "--quiet", *args, cwd=ROOT)
        assert proc.returncode == 0, proc.stdout

    def python(self, code: str, cwd: Path) -> str:
        proc = run(self.bin / "python", "-c", code, cwd=cwd)
        assert proc.returncode == 0, proc.stdout
        return proc.stdout.strip()


def readme_pip(option: str | None) -> list[str]:
    """The arguments of the README's `pip install` line, with `-e` or without."""
    for line in snippet("install").splitlines():
        words = shlex.split(line, comments=True)
        if words[:2] == ["pip", "install"] and (option in words if option else len(words) == 3):
            return words[1:]
    raise AssertionError(f"the README's install snippet has no `pip install {option or ''}` line")


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A clean venv where the README's `pip install .` was run in the checkout.

    It sits where the GitHub action keeps its venv ($RUNNER_TEMP/kinspect-venv), so the
    action's install step, run over it, only has to reinstall kinspect itself.
    """
    venv = Venv(tmp_path_factory.mktemp("runner-temp") / "kinspect-venv")
    venv.pip(*readme_pip(None))
    return venv
