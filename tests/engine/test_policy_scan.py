"""The Pod Security rules are skipped when no policy can apply, and the report is the same."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kinspect.engine.parallel import MIN_FILES
from kinspect.engine.policy_scan import policy_possible
from kinspect.inputs.kinds import CHART, FILE, Source
from kinspect.parse.limits import DEFAULT_LIMITS
from tests.conftest import lint_json, run_cli

POD = """apiVersion: v1
kind: Pod
metadata:
  name: pod{n}
  namespace: shop
spec:
  hostNetwork: true
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
"""
NAMESPACE = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: {level}
    pod-security.kubernetes.io/enforce-version: v1.30
"""


def _inputs(directory: Path, level: str) -> Path:
    """Enough pod files for the workers, and the Namespace in the last file they read."""
    directory.mkdir()
    for n in range(MIN_FILES + 4):
        (directory / f"pod{n:03}.yaml").write_text(POD.format(n=n))
    (directory / "zz-namespace.yaml").write_text(NAMESPACE.format(level=level))
    return directory


def _pss(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (r["check"], r["resource"]["name"])
        for r in report["results"]
        if r["check"].startswith("pss") and not r["passed"]
    }


def test_a_label_in_another_file_reaches_every_worker(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "shop", "baseline")
    report = lint_json(str(inputs), env={"KINSPECT_JOBS": "2"})
    assert _pss(report) == {("pssHostNamespaces", f"pod{n}") for n in range(MIN_FILES + 4)}
    assert policy_possible([Source("ns", inputs / "zz-namespace.yaml")], DEFAULT_LIMITS)


def test_skipped_rules_change_nothing_in_the_report(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "shop", "privileged")
    (inputs / "ignored.yaml").write_text(
        POD.format(n="x") + "# kinspect: ignore pssHostNamespaces\n"
    )
    sources = [Source(p.name, p) for p in sorted(inputs.iterdir())]
    assert not policy_possible(sources, DEFAULT_LIMITS)
    args = ("lint", "--format", "json", "--fail-on", "never", str(inputs))
    skipped = run_cli(*args, env={"KINSPECT_JOBS": "2"})
    # The reference path always evaluates the Pod Security rules.
    evaluated = run_cli(*args, env={"KINSPECT_JOBS": "2", "KINSPECT_REFERENCE": "1"})
    assert skipped.stdout == evaluated.stdout
    assert skipped.stderr == evaluated.stderr
    assert '"pssHostNamespaces"' not in skipped.stdout


def test_inputs_read_only_during_the_run_may_hold_any_label(tmp_path: Path) -> None:
    chart = Source("chart", tmp_path, CHART)
    stdin = Source("-", None, FILE)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # never opened: reading it would take what the run must read
    for source in (chart, stdin, Source("pipe.yaml", fifo)):
        assert policy_possible([source], DEFAULT_LIMITS)
    wide = tmp_path / "wide.yaml"
    wide.write_text(NAMESPACE.format(level="restricted"), encoding="utf-16")
    assert policy_possible([Source("wide.yaml", wide)], DEFAULT_LIMITS)
    plain = tmp_path / "plain.yaml"
    plain.write_text(NAMESPACE.format(level="privileged"))
    assert not policy_possible([Source("plain.yaml", plain)], DEFAULT_LIMITS)
