"""Kustomize patches given on their own (a pre-commit run's changed files, an editor's buffer)
are partial objects: they are noted and inspected through their kustomization, never judged
alone (a patch has no selector, no image: every such finding would be false)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kinspect.inputs.kustomization_files import patch_user
from tests.conftest import FIXTURES, run_cli

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      hostPID: true
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The layers fixture (base, dev overlay with a strategic merge patch, prod with a JSON
    6902 one) in a repository of its own."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "kustomize" / "layers", root)
    (root / ".git").mkdir()
    return root


def lint(tree: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    proc = run_cli("lint", "--format", "json", *args, cwd=tree)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["results"], proc.stderr


def test_a_patch_alone_is_noted_with_its_kustomization(tree: Path) -> None:
    code, results, stderr = lint(tree, "overlays/dev/sidecar.yaml", "overlays/prod/ops.yaml")
    assert code == 0 and results == []
    assert "note: overlays/dev/sidecar.yaml: 1 kustomize patch file not inspected" in stderr
    assert "kinspect lint overlays/dev," in stderr and "kinspect lint overlays/prod," in stderr


def test_resources_and_unreferenced_files_beside_it_are_inspected(tree: Path) -> None:
    (tree / "overlays" / "dev" / "extra.yaml").write_text(PATCH)  # named by no kustomization
    _, results, stderr = lint(tree, "base/api.yaml", "overlays/dev/extra.yaml")
    files = {r["file"] for r in results if not r["passed"]}
    assert files == {"base/api.yaml", "overlays/dev/extra.yaml"}
    assert "patch" not in stderr


def test_a_patch_named_from_a_kustomization_above_it(tree: Path) -> None:
    (tree / "overlays" / "dev" / "patches").mkdir()
    (tree / "overlays" / "dev" / "patches" / "pid.yaml").write_text(PATCH.replace("PID", "IPC"))
    kustomization = tree / "overlays" / "dev" / "kustomization.yaml"
    text = kustomization.read_text().replace(
        "  - path: sidecar.yaml\n", "  - path: sidecar.yaml\n  - path: patches/pid.yaml\n"
    )
    kustomization.write_text(text)
    _, results, stderr = lint(tree, "overlays/dev/patches/pid.yaml")
    assert results == [] and "kinspect lint overlays/dev," in stderr
    built = {r["check"]: r["file"] for r in lint(tree, "overlays/dev")[1] if not r["passed"]}
    assert built["hostIPCSet"] == "overlays/dev/patches/pid.yaml"  # the build places it there


def test_no_render_reads_a_patch_as_plain_yaml(tree: Path) -> None:
    _, results, stderr = lint(tree, "--no-render", "overlays/dev/sidecar.yaml")
    assert "missingRequiredField" in {r["check"] for r in results if not r["passed"]}
    assert "patch" not in stderr


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    """A kustomization outside the repository does not decide what its files are."""
    (tmp_path / "kustomization.yaml").write_text("patches:\n  - path: repo/pid.yaml\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "pid.yaml").write_text(PATCH)
    assert patch_user(tmp_path / "repo" / "pid.yaml") is None
    (tmp_path / "repo" / ".git").rmdir()
    assert patch_user(tmp_path / "repo" / "pid.yaml") == tmp_path.resolve()


def test_fix_leaves_a_patch_to_its_build(tree: Path) -> None:
    patch = tree / "overlays" / "dev" / "sidecar.yaml"
    before = patch.read_text()
    proc = run_cli("fix", "overlays/dev/sidecar.yaml", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    assert "kustomize patch not fixed on its own" in proc.stderr
    assert "kinspect fix overlays/dev fixes it" in proc.stderr
    assert patch.read_text() == before
