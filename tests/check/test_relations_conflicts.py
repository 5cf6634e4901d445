"""A related object defined several times with different content (same namespace and name).

The definition from the workload's own directory (or build) is preferred; otherwise the
strictest decides, and the message says so. In one process and across workers alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: runner
  namespace: ci
spec:
  selector:
    matchLabels: {app: runner}
  template:
    metadata:
      labels: {app: runner}
    spec:
      serviceAccountName: runner
      containers:
        - name: runner
          image: example/runner:1.0
"""
ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: ci\n"
STRICT = ACCOUNT + "automountServiceAccountToken: false\n"


def automount(tmp_path: Path, files: dict[str, str], jobs: str) -> list[dict[str, Any]]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    proc = run_cli("lint", ".", "--format", "json", cwd=tmp_path, env={"KINSPECT_JOBS": jobs})
    results = json.loads(proc.stdout)["results"]
    return [r for r in results if r["check"] == "automountServiceAccountToken"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_definition_beside_the_workload_is_preferred(tmp_path: Path, jobs: str) -> None:
    strict_here = {"app/deploy.yaml": DEPLOYMENT, "app/sa.yaml": STRICT, "other/sa.yaml": ACCOUNT}
    (result,) = automount(tmp_path / "a", strict_here, jobs)
    assert result["passed"]
    lenient_here = {"app/deploy.yaml": DEPLOYMENT, "app/sa.yaml": ACCOUNT, "other/sa.yaml": STRICT}
    (result,) = automount(tmp_path / "b", lenient_here, jobs)
    assert not result["passed"]
    assert result["message"].endswith(
        "; ServiceAccount/runner is defined 2 times with different content (app, other): "
        "the definition from app, where Deployment runner is, was used"
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_otherwise_the_strictest_decides(tmp_path: Path, jobs: str) -> None:
    files = {"app/deploy.yaml": DEPLOYMENT, "one/sa.yaml": STRICT, "two/sa.yaml": ACCOUNT}
    (result,) = automount(tmp_path, files, jobs)
    assert not result["passed"]
    assert result["file"] == "app/deploy.yaml"
    assert "(one, two): judged by the strictest definition" in result["message"]


def test_identical_definitions_are_no_conflict(tmp_path: Path) -> None:
    files = {"app/deploy.yaml": DEPLOYMENT, "one/sa.yaml": STRICT, "two/sa.yaml": STRICT}
    (result,) = automount(tmp_path, files, "1")
    assert result["passed"]


def test_chinese_note(tmp_path: Path) -> None:
    files = {"app/deploy.yaml": DEPLOYMENT, "one/sa.yaml": STRICT, "two/sa.yaml": ACCOUNT}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    proc = run_cli("lint", ".", "--format", "json", "--lang", "zh", cwd=tmp_path)
    (result,) = [
        r
        for r in json.loads(proc.stdout)["results"]
        if r["check"] == "automountServiceAccountToken"
    ]
    assert "按最严格的定义判断" in result["message"]


def test_the_definition_from_the_same_build_is_preferred(tmp_path: Path) -> None:
    files = {"base/deploy.yaml": DEPLOYMENT}
    files["base/kustomization.yaml"] = "resources: [deploy.yaml]\n"
    files["strict/sa.yaml"] = STRICT
    files["strict/kustomization.yaml"] = "resources: [../base, sa.yaml]\n"
    files["lenient/sa.yaml"] = ACCOUNT
    files["lenient/kustomization.yaml"] = (
        "resources: [../base, sa.yaml]\ncommonAnnotations: {team: b}\n"
    )
    results = automount(tmp_path, files, "1")
    verdicts = {(r["build"], r["passed"]) for r in results}
    assert verdicts == {("lenient", False), ("strict", True)}
    (failed,) = [r for r in results if not r["passed"]]
    assert "the definition from lenient, where Deployment runner is, was used" in failed["message"]
