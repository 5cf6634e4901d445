"""Helm: charts rendered with the real SDK, rendered streams mapped back to their templates."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from kinspect.inputs.helm import binary_command, render_with_sdk
from kinspect.inputs.streams import HelmOptions
from tests.conftest import CORPUS, FIXTURES, ROOT, lint_json, run_cli

CHART = FIXTURES / "helm" / "webapp"
CHART_NAME = "tests/fixtures/helm/webapp"


def failures(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["check"] == check and not r["passed"]]


def line_of(path: Path, text: str, after: int = 0) -> int:
    """1-based number of the first line (after line `after`) containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_chart_directory_findings_point_at_the_template_line() -> None:
    report = lint_json(CHART_NAME, "--helm-values", f"{CHART_NAME}/values-prod.yaml")
    template = CHART / "templates" / "deployment.yaml"
    (host,) = failures(report, "hostNetworkSet")
    assert host["file"] == host["source_file"] == f"{CHART_NAME}/templates/deployment.yaml"
    assert host["line"] == host["source_line"] == line_of(template, "hostNetwork:")
    assert host["column"] == 7
    # privileged comes from values through toYaml: the line of the toYaml printed it.
    web = [r for r in failures(report, "runAsPrivileged") if r["resource"]["kind"] == "Deployment"]
    printed = line_of(template, "toYaml .Values.securityContext")
    assert [(r["line"], r["column"], r["approximate"]) for r in web] == [(printed, 13, False)]
    assert web[0]["file"] == f"{CHART_NAME}/templates/deployment.yaml"


def test_subchart_and_ranged_templates() -> None:
    report = lint_json(CHART_NAME)
    (cache,) = failures(report, "runAsPrivileged")
    statefulset = CHART / "charts" / "cache" / "templates" / "statefulset.yaml"
    assert cache["source_file"] == f"{CHART_NAME}/charts/cache/templates/statefulset.yaml"
    assert cache["source_line"] == line_of(statefulset, "privileged:")
    # Both CronJobs come from one `range`: both point at the same template lines.
    workers = CHART / "templates" / "workers.yaml"
    cron = {
        r["resource"]["name"]: r
        for r in report["results"]
        if r["resource"]["kind"] == "CronJob" and r["check"] == "linuxHardening"
    }
    assert set(cron) == {"release-name-webapp-mailer", "release-name-webapp-reports"}
    assert {r["source_line"] for r in cron.values()} == {line_of(workers, "securityContext:", 18)}


def test_test_hooks_notes_and_partials_are_left_out_unless_asked() -> None:
    names = {r["resource"]["name"] for r in lint_json(CHART_NAME)["results"]}
    assert "release-name-webapp-test-connection" not in names
    report = lint_json(CHART_NAME, "--helm-include-tests")
    tested = [r for r in report["results"] if r["resource"]["name"].endswith("test-connection")]
    assert tested and {r["file"] for r in tested} == {
        f"{CHART_NAME}/templates/tests/test-connection.yaml"
    }
    assert not report["errors"]


def test_render_options_reach_the_templates() -> None:
    report = lint_json(
        CHART_NAME,
        "--helm-release-name",
        "prod",
        "--helm-namespace",
        "shop",
        "--helm-kube-version",
        "1.24.0",
        "--helm-set",
        "hostNetwork=true",
    )
    names = {(r["resource"]["namespace"], r["resource"]["name"]) for r in report["results"]}
    assert ("shop", "prod-webapp") in names
    assert (None, "prod-webapp-legacy-proxy") in names  # rendered only before Kubernetes 1.25
    assert [r["resource"]["name"] for r in failures(report, "hostNetworkSet")] == ["prod-webapp"]
    default = lint_json(CHART_NAME)
    assert "Deployment" in default["summary"]["resources_by_kind"]
    assert not any(r["resource"]["name"].endswith("legacy-proxy") for r in default["results"])


def test_rendering_error_is_one_line_with_the_chart_message(tmp_path: Path) -> None:
    chart = tmp_path / "strict"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: strict\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        '  name: {{ required "set .Values.name" .Values.name }}\n'
    )
    proc = run_cli("lint", "strict", cwd=tmp_path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("kinspect: note")]
    assert len(errors) == 1
    assert errors[0].startswith("kinspect: strict: helm template failed:")
    assert "set .Values.name" in errors[0]


def test_without_helm_or_the_extra_the_message_says_how_to_get_one(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['helm_python'] = None; "  # as if the extra were not installed
        f"sys.argv = ['kinspect', 'lint', {str(CHART)!r}]; "
        "from kinspect.cli.main import main; main()"
    )
    import subprocess

    empty = tmp_path / "bin"
    empty.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": str(empty), "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "neither the helm binary nor the kinspect[helm] extra" in proc.stderr
    assert "pip install 'kinspect[helm]'" in proc.stderr


def test_rendered_stream_on_stdin_keeps_rendered_lines_and_adds_the_template() -> None:
    rendered = render_with_sdk(CHART, HelmOptions(set_values=("hostNetwork=true",)))
    proc = run_cli("lint", "--format", "json", "-", "--helm-chart-root", CHART_NAME, stdin=rendered)
    (host,) = failures(json.loads(proc.stdout), "hostNetworkSet")
    assert host["file"] == "-"
    assert "hostNetwork:" in rendered.splitlines()[host["line"] - 1]
    assert host["source_file"] == f"{CHART_NAME}/templates/deployment.yaml"
    assert host["source_line"] == line_of(CHART / "templates" / "deployment.yaml", "hostNetwork:")
    text = run_cli("lint", "-", "--helm-chart-root", CHART_NAME, stdin=rendered).stdout
    assert f"source: {CHART_NAME}/templates/deployment.yaml:{host['source_line']}" in text


def test_saved_render_finds_its_chart_on_its_own(tmp_path: Path) -> None:
    shutil.copytree(CHART, tmp_path / "webapp")
    rendered = render_with_sdk(CHART, HelmOptions(values=(str(CHART / "values-prod.yaml"),)))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "all.yaml").write_text(rendered)
    report = lint_json("out/all.yaml", cwd=tmp_path)
    (host,) = failures(report, "hostNetworkSet")
    assert host["file"] == "out/all.yaml"
    assert host["source_file"] == "webapp/templates/deployment.yaml"
    assert host["source_line"] == line_of(CHART / "templates" / "deployment.yaml", "hostNetwork:")


def test_render_without_its_chart_names_the_template_only() -> None:
    stream = CORPUS / "ingress-nginx-2022-helm/deploy/static/provider/cloud/deploy.yaml"
    if not stream.exists():
        pytest.skip("shared corpus not present")
    report = lint_json(str(stream))
    sources = {r["source_file"] for r in report["results"]}
    assert "ingress-nginx/templates/controller-deployment.yaml" in sources
    assert {r["source_line"] for r in report["results"]} == {None}
    assert all(r["file"] == str(stream) for r in report["results"])


def test_template_files_met_alone_give_one_note_not_yaml_errors() -> None:
    report = lint_json(f"{CHART_NAME}/templates")
    assert report["errors"] == []
    (note,) = report["notes"]
    assert note["file"] == f"{CHART_NAME}/templates"
    assert "Helm template" in note["message"] and f"kinspect lint {CHART_NAME}" in note["hint"]
    proc = run_cli("lint", f"{CHART_NAME}/templates/service.yaml")
    assert proc.returncode == 0
    assert proc.stderr.count("\n") == 1 and "note:" in proc.stderr


def test_real_chart_from_the_corpus(tmp_path: Path) -> None:
    chart = CORPUS / "microservices-demo/helm-chart"
    if not chart.exists():
        pytest.skip("shared corpus not present")
    shutil.copytree(chart, tmp_path / "boutique")
    report = lint_json("boutique", cwd=tmp_path)
    assert report["errors"] == []
    assert report["summary"]["resources_by_kind"]["Deployment"] >= 10
    for result in report["results"]:
        assert result["file"].startswith("boutique/templates/")
        assert not result["approximate"]
        # At the column: a key of the path (its deepest existing one), a list item or an action.
        line = (tmp_path / result["file"]).read_text().splitlines()[result["line"] - 1]
        at = line[result["column"] - 1 :]
        keys = result["path"].split(".")
        assert any(at.startswith(key) for key in keys) or keys[-1].isdigit() or at[:2] == "{{"


def test_binary_command_line() -> None:
    options = HelmOptions(
        values=("a.yaml", "b.yaml"),
        set_values=("x=1",),
        release_name="rel",
        namespace="ns",
        kube_version="1.29.0",
    )
    assert binary_command("helm", Path("chart"), options) == [
        "helm",
        "template",
        "rel",
        "chart",
        "--namespace",
        "ns",
        "--values",
        "a.yaml",
        "--values",
        "b.yaml",
        "--set",
        "x=1",
        "--kube-version",
        "1.29.0",
        "--skip-tests",
    ]
    assert "--skip-tests" not in binary_command("helm", Path("c"), HelmOptions(include_tests=True))


def test_saved_renders_inspected_in_worker_processes_match_one_process(tmp_path: Path) -> None:
    """Workers place a render's results (cross-resource failures too) as the parent would."""
    shutil.copytree(CHART, tmp_path / "webapp")
    rendered = render_with_sdk(CHART, HelmOptions(values=(str(CHART / "values-prod.yaml"),)))
    out = tmp_path / "out"
    out.mkdir()
    for index in range(3):
        (out / f"render-{index}.yaml").write_text(rendered, encoding="utf-8")
    for index in range(70):  # enough plain files for worker processes to start
        (out / f"cm-{index:02}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{index}\n", encoding="utf-8"
        )
    checks = "missingPodDisruptionBudget,missingNetworkPolicy,hostNetworkSet"
    command = ("lint", "--format", "json", "--fail-on", "never", "--checks", checks, "out")
    workers = run_cli(*command, cwd=tmp_path, env={"KINSPECT_JOBS": "2"})
    single = run_cli(*command, cwd=tmp_path, env={"KINSPECT_JOBS": "1"})
    assert workers.returncode == single.returncode == 0, workers.stderr + single.stderr
    assert workers.stdout == single.stdout
    results = json.loads(workers.stdout)["results"]
    late = failures({"results": results}, "missingNetworkPolicy")  # decided at the end
    assert {r["file"] for r in late} == {f"out/render-{index}.yaml" for index in range(3)}
    templates = {"webapp/templates/workers.yaml", "webapp/charts/cache/templates/statefulset.yaml"}
    assert {r["source_file"] for r in late} == templates
    assert all(r["source_line"] for r in late)
    deployment = CHART / "templates" / "deployment.yaml"
    (host, *_) = failures({"results": results}, "hostNetworkSet")
    assert host["source_line"] == line_of(deployment, "hostNetwork:")
    # A cross-resource failure placed where it points (pod labels), not where its target is.
    pdb = failures({"results": results}, "missingPodDisruptionBudget")
    labels = line_of(deployment, "labels:", after=line_of(deployment, "template:"))
    assert labels in {
        r["source_line"] for r in pdb if r["source_file"].endswith("/deployment.yaml")
    }
