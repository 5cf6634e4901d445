"""The fast paths change nothing: the same report as a plain reference run, on the corpus.

Fast: documents no rule reads left unbuilt (kinspect/engine/prefilter.py), files spread over worker
processes (kinspect/engine/parallel.py), the compiled jsonschema-rs backend. Reference: every
document built, one process, the pure-Python jsonschema backend. Different hash seeds in the
two runs also catch output that depends on set or dict ordering.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, ROOT


def _lint(env: dict[str, str], checks: str) -> bytes:
    command = [sys.executable, "-m", "kinspect", "lint", "--no-render", "--format", "json"]
    command += ["--fail-on", "never", "--checks", checks, str(CORPUS)]
    proc = subprocess.run(
        command, capture_output=True, cwd=ROOT, env={**os.environ, **env}, timeout=900
    )
    assert proc.returncode in (0, 2), proc.stderr.decode()[-2000:]
    assert b"Traceback" not in proc.stderr
    return proc.stdout


def test_fast_and_reference_runs_give_identical_reports() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    from kinspect.ruleset.rules import load_rules

    every = ",".join(rule.id for rule in load_rules())  # off-by-default rules too
    fast = _lint({"PYTHONHASHSEED": "1", "KINSPECT_JOBS": "2"}, every)
    reference = _lint(
        {"PYTHONHASHSEED": "2", "KINSPECT_REFERENCE": "1", "KINSPECT_SCHEMA_BACKEND": "python"},
        every,
    )
    summary = json.loads(fast)["summary"]
    assert summary["resources"] > 5000 and summary["results"] > 40000  # a real run
    assert fast == reference
