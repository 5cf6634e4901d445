"""Shared helpers: run the real CLI, find fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = Path(os.environ.get("KINSPECT_CORPUS", ROOT.parent / "shared" / "corpus"))
"""Real manifests of public projects (../shared/corpus); corpus-wide tests skip without it."""

# A server the developer runs (`kinspect server start`) must not answer the tests' commands:
# they look for one in a directory that does not exist. tests/server/test_server.py starts its own.
os.environ["KINSPECT_SERVER_DIR"] = str(ROOT / ".no-kinspect-server")
# Run by pre-commit, kinspect writes no report files (kinspect/confine.py): the tests that
# write them must not inherit the variable; tests/test_untrusted_config.py sets it itself.
os.environ.pop("PRE_COMMIT", None)


def run_cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m kinspect ARGS` as a user would, capturing output."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kinspect", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=300,
    )


def lint_json(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """`kinspect lint --format json ARGS`, parsed."""
    proc = run_cli("lint", "--format", "json", *args, stdin=stdin, cwd=cwd, env=env)
    assert proc.returncode in (0, 1, 2), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


@pytest.fixture
def cli() -> Any:
    return run_cli
