"""`--changed-dirs`: changed files → the kustomize/Helm directories to build, each once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kinspect.inputs.changed import project_dir, project_dirs
from tests.conftest import FIXTURES, run_cli

BAD = (FIXTURES / "hostNetworkSet" / "fail-pod.yaml").read_text(encoding="utf-8")
TREE = {
    "plain/pod.yaml": BAD,
    "apps/base/kustomization.yaml": "resources: [pod.yaml]\n",
    "apps/base/pod.yaml": BAD,
    "apps/base/patches/more.yaml": "kind: Pod\n",
    "apps/overlays/prod/kustomization.yml": "resources: [../../base]\n",
    "apps/overlays/prod/config/app.env": "A=1\n",
    "apps/legacy/Kustomization": "resources: []\n",
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "replicas: 1\n",
    "charts/web/templates/deployment.yaml": "kind: Deployment\n{{ .Values.x }}\n",
    "charts/web/charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    "charts/web/charts/db/templates/sts.yaml": "kind: StatefulSet\n",
    "vendor/charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    "vendor/charts/db/values.yaml": "{}\n",
    "sub/.git/HEAD": "ref: refs/heads/main\n",
    "sub/deploy/pod.yaml": BAD,
    "kustomization.yaml": "resources: [plain/pod.yaml]\n",
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("changed", "built"),
    [
        ("apps/base/pod.yaml", "apps/base"),
        ("apps/base/patches/more.yaml", "apps/base"),  # nearest kustomization above
        ("apps/overlays/prod/config/app.env", "apps/overlays/prod"),  # any file, .yml name
        ("apps/legacy/Kustomization", "apps/legacy"),
        ("charts/web/values.yaml", "charts/web"),
        ("charts/web/templates/deployment.yaml", "charts/web"),
        ("charts/web/charts/db/templates/sts.yaml", "charts/web"),  # a subchart: its parent
        ("vendor/charts/db/values.yaml", "vendor/charts/db"),  # `charts/` but no parent chart
        ("plain/pod.yaml", "."),  # the repository root is a kustomization
        ("apps/base", "apps/base"),  # a directory names itself
        ("apps/overlays/prod/deleted.yaml", "apps/overlays/prod"),  # deleted files count too
    ],
)
def test_nearest_directory(tree: Path, changed: str, built: str) -> None:
    assert project_dir(changed) == built
    assert project_dir(str(tree / changed)) == str(tree / built).removesuffix("/.")


def test_search_stops_at_the_repository_root(tree: Path) -> None:
    assert project_dir("sub/deploy/pod.yaml") is None  # sub/ is its own repository
    (tree / "kustomization.yaml").unlink()
    assert project_dir("plain/pod.yaml") is None


def test_each_directory_once_and_sorted(tree: Path) -> None:
    changed = ["charts/web/values.yaml", "apps/base/pod.yaml", "charts/web/Chart.yaml"]
    changed += ["apps/base/kustomization.yaml", "sub/deploy/pod.yaml"]
    assert project_dirs(changed) == ["apps/base", "charts/web"]


def test_cli_builds_each_directory_once(tree: Path) -> None:
    (tree / "kustomization.yaml").unlink()
    changed = ["apps/base/pod.yaml", "apps/base/kustomization.yaml", "apps/base/patches/more.yaml"]
    proc = run_cli("lint", "--changed-dirs", "--checks", "hostNetworkSet", *changed, cwd=tree)
    assert proc.returncode == 1, proc.stderr
    assert re.findall(r"^(\S+):7:3: DANGER hostNetworkSet", proc.stdout, re.MULTILINE) == [
        "apps/base/pod.yaml"
    ]


def test_cli_with_nothing_to_build_is_silent(tree: Path) -> None:
    (tree / "kustomization.yaml").unlink()
    proc = run_cli("lint", "--changed-dirs", "plain/pod.yaml", "README.md", cwd=tree)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_cli_renders_a_touched_chart_once(tmp_path: Path) -> None:
    """A values file and two templates changed: the chart is rendered once, as `lint CHART`."""
    shutil.copytree(FIXTURES / "helm" / "webapp", tmp_path / "charts" / "webapp")
    chart = "charts/webapp"
    whole = run_cli("lint", "--quiet", chart, cwd=tmp_path)
    assert whole.returncode == 1 and f"{chart}/templates/" in whole.stdout, whole.stderr
    templates = sorted(p.name for p in (tmp_path / chart / "templates").glob("*.yaml"))
    changed = [f"{chart}/values.yaml", *(f"{chart}/templates/{name}" for name in templates[:2])]
    proc = run_cli("lint", "--quiet", "--changed-dirs", *changed, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (whole.returncode, whole.stdout)
