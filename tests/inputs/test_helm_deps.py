"""Chart dependencies: listed ones missing from charts/ are an input error, as Helm makes them."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

from kinspect.inputs.helm_deps import present_charts
from tests.conftest import FIXTURES, run_cli

MISSING = "tests/fixtures/helm/missing-deps"


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("kinspect: note")]


def _package(directory: Path, archive: str, name: str, top: str) -> None:
    """A packaged chart `name` under charts/, its top folder `top` (Helm reads the name inside)."""
    meta = f"apiVersion: v2\nname: {name}\nversion: 1.0.0\n".encode()
    with tarfile.open(directory / "charts" / archive, "w:gz") as tar:
        info = tarfile.TarInfo(f"{top}/Chart.yaml")
        info.size = len(meta)
        tar.addfile(info, io.BytesIO(meta))


def test_missing_dependencies_are_named_with_the_fix_and_the_rest_is_inspected() -> None:
    proc = run_cli("lint", "--format", "json", MISSING, "tests/fixtures/helm/webapp")
    assert proc.returncode == 2
    (error,) = _errors(proc.stderr)
    assert error.startswith(f"kinspect: {MISSING}: chart dependencies collector, jaeger ")
    assert "missing from charts/" in error and "present" not in error.split("(hint")[0]
    assert f"(hint: run helm dependency build {MISSING}" in error
    report = json.loads(proc.stdout)
    assert [e["file"] for e in report["errors"]] == [MISSING]
    assert {r["file"].split("/templates/")[0] for r in report["results"]} == {
        "tests/fixtures/helm/webapp",
        "tests/fixtures/helm/webapp/charts/cache",
    }


def test_packaged_dependencies_count_by_the_name_inside(tmp_path: Path) -> None:
    chart = tmp_path / "shop"
    shutil.copytree(FIXTURES / "helm" / "missing-deps", chart)
    _package(chart, "otel-collector-0.90.0.tgz", "collector", "collector")
    _package(chart, "jaeger.tgz", "not-jaeger", "jaeger")  # the file name does not count
    assert present_charts(chart / "charts") == {"present", "collector", "not-jaeger"}
    proc = run_cli("lint", "shop", cwd=tmp_path)
    (error,) = _errors(proc.stderr)
    assert "chart dependency jaeger listed in Chart.yaml" in error
    (chart / "charts" / "jaeger.tgz").unlink()
    _package(chart, "jaeger-3.0.0.tgz", "jaeger", "jaeger")
    proc = run_cli("lint", "shop", cwd=tmp_path)
    assert proc.returncode == 0 and not _errors(proc.stderr), proc.stderr


def test_requirements_yaml_of_an_apiversion_v1_chart(tmp_path: Path) -> None:
    chart = tmp_path / "old"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v1\nname: old\nversion: 0.1.0\n")
    (chart / "requirements.yaml").write_text("dependencies:\n  - name: redis\n    version: 1\n")
    proc = run_cli("lint", "old", cwd=tmp_path)
    assert proc.returncode == 2
    (error,) = _errors(proc.stderr)
    assert "chart dependency redis listed in requirements.yaml but missing" in error


def test_a_missing_named_template_names_chart_template_and_definition() -> None:
    proc = run_cli("lint", "tests/fixtures/helm/no-library")
    assert proc.returncode == 2
    (error,) = _errors(proc.stderr)
    assert "chart store, template templates/service.yaml:4:11:" in error
    assert 'no template "common.names.fullname"' in error
    assert "helm dependency build tests/fixtures/helm/no-library" in error
