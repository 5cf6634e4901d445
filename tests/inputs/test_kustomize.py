"""kustomize: real builds (kubectl kustomize), findings placed in the files resources came from."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from kinspect.inputs.kinds import KUSTOMIZATION, Source
from kinspect.inputs.kustomize import build
from kinspect.inputs.kustomize_map import ORIGIN
from kinspect.inputs.streams import InputState
from kinspect.kube.targets import resources_of
from kinspect.parse.loader import load_documents
from tests.conftest import CORPUS, FIXTURES, lint_json, run_cli

SHOP = FIXTURES / "kustomize" / "shop"
SHOP_NAME = "tests/fixtures/kustomize/shop"


def failures(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["check"] == check and not r["passed"]]


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_overlay_findings_point_at_the_origin_files() -> None:
    before = tree_digest(SHOP)
    report = lint_json(f"{SHOP_NAME}/overlays/prod")
    assert tree_digest(SHOP) == before  # the temporary overlay lives elsewhere
    assert report["errors"] == []
    (privileged,) = failures(report, "runAsPrivileged")
    assert privileged["resource"] == {
        "kind": "Deployment",
        "namespace": "shop-prod",
        "name": "prod-web",
    }
    assert privileged["file"] == privileged["source_file"] == f"{SHOP_NAME}/base/web.yaml"
    assert (
        privileged["line"]
        == privileged["source_line"]
        == line_of(SHOP / "base/web.yaml", "privileged:")
    )
    # The prod patch set hostNetwork: the finding is on the patch's line.
    (host,) = failures(report, "hostNetworkSet")
    assert host["file"] == f"{SHOP_NAME}/overlays/prod/host-network.yaml"
    assert host["line"] == line_of(SHOP / "overlays/prod/host-network.yaml", "hostNetwork:")
    generated = {r["file"] for r in report["results"] if r["resource"]["kind"] == "ConfigMap"}
    assert generated <= {f"{SHOP_NAME}/overlays/prod/kustomization.yaml"}


def test_origin_annotation_is_read_and_removed() -> None:
    run = InputState()
    stream = build(
        Source(f"{SHOP_NAME}/overlays/prod", SHOP / "overlays/prod", KUSTOMIZATION), None, run
    )
    assert ORIGIN in stream.text
    assert stream.mapper is not None
    seen = 0
    for document in load_documents(stream.text):
        for resource in resources_of(document.data):
            assert stream.mapper.admit(document, resource)
            annotations = resource.data["metadata"].get("annotations", {})
            assert ORIGIN not in annotations
            seen += 1
    assert seen == 4


def test_walk_builds_overlays_not_their_base(tmp_path: Path) -> None:
    report = lint_json(SHOP_NAME)
    assert report["errors"] == []
    namespaces = {r["resource"]["namespace"] for r in report["results"]}
    assert namespaces == {"shop-prod", "shop-staging"}  # base/ alone (no namespace) is not built
    assert report["summary"]["resources_by_kind"]["Deployment"] == 4
    # Two overlays that build identical resources report them once.
    shutil.copytree(SHOP / "base", tmp_path / "base")
    for twin in ("a", "b"):
        (tmp_path / twin).mkdir()
        (tmp_path / twin / "kustomization.yaml").write_text("resources:\n  - ../base\n")
    twins = lint_json(".", cwd=tmp_path)
    assert twins["summary"]["resources_by_kind"] == {"Deployment": 2, "Service": 1}


def test_exclude_and_hidden_directories(tmp_path: Path) -> None:
    report = lint_json(SHOP_NAME, "--exclude", "staging")
    assert {r["resource"]["namespace"] for r in report["results"]} == {"shop-prod"}
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\n"
        "spec:\n  containers:\n    - name: a\n      image: a:1\n"
    )
    for directory in ("visible", ".hidden", ".git", "vendor"):
        (tmp_path / directory).mkdir()
        (tmp_path / directory / "pod.yaml").write_text(pod.format(directory.strip(".")))
    names = {
        r["resource"]["name"]
        for r in lint_json(".", "--exclude", "vendor", cwd=tmp_path)["results"]
    }
    assert names == {"visible"}


def test_build_errors_and_commands(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    proc = run_cli("lint", "broken", cwd=tmp_path)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kinspect: broken: kustomize build failed:")
    assert "missing.yaml" in line and "kinspect-kustomize-" not in line
    proc = run_cli(
        "lint", f"{SHOP_NAME}/overlays/prod", "--kustomize-cmd", "no-such-kustomize build"
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"kinspect: {SHOP_NAME}/overlays/prod: "
        "cannot run no-such-kustomize: No such file or directory"
    ]
    explicit = lint_json(f"{SHOP_NAME}/overlays/prod", "--kustomize-cmd", "kubectl kustomize")
    assert explicit["summary"]["resources"] == 4


def test_microservices_demo(tmp_path: Path) -> None:
    source = CORPUS / "microservices-demo"
    if not source.exists():
        pytest.skip("shared corpus not present")
    shutil.copytree(source / "kustomize", tmp_path / "kustomize")
    report = lint_json("kustomize", cwd=tmp_path)
    assert report["errors"] == []  # components are not built on their own
    assert report["summary"]["resources_by_kind"]["Deployment"] >= 11
    files = {r["file"] for r in report["results"]}
    assert "kustomize/base/frontend.yaml" in files
    assert not any(f.startswith("kustomize/tests/") for f in files)  # all placed in origin files
    pointed = 0
    for result in report["results"]:
        keys = [key for key in result["path"].split(".") if key.isalpha()]
        lines = (tmp_path / result["file"]).read_text().splitlines()
        assert 1 <= result["line"] <= len(lines)
        assert result["source_line"] == result["line"]
        text = lines[result["line"] - 1].strip()
        if not text.startswith(("apiVersion:", "kind:", "- ")):
            # The line of the deepest field of the path that the origin file has.
            assert text.split(":")[0] in keys, (result["check"], result["path"], text)
            pointed += 1
    assert pointed > 50


def test_build_errors_become_one_line_in_every_kubectl_form() -> None:
    from kinspect.inputs.kustomize import build_error

    klog_block = (
        'E1129 run.go:72] "command failed" err=<\n\tmissing.yaml: no such file\n\t: exit 1\n >\n'
    )
    assert build_error(klog_block) == "missing.yaml: no such file : exit 1"
    klog_quoted = 'E1129 run.go:72] "command failed" err="no \\"base\\" found"\n'
    assert build_error(klog_quoted) == 'no "base" found'
    plain = "Error: accumulating resources: bad\n: exit status 128\n"
    assert build_error(plain) == "accumulating resources: bad : exit status 128"
