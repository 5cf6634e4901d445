"""`kinspect lint --pod-security` and namespace labels, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, run_cli

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
"""


def _write(tmp_path: Path, namespace: str = "prod", labels: bool = True) -> Path:
    if labels:
        (tmp_path / "namespace.yaml").write_text(NAMESPACE, encoding="utf-8")
    (tmp_path / "web.yaml").write_text(DEPLOYMENT.format(namespace=namespace), encoding="utf-8")
    return tmp_path


def _lint(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    proc = run_cli("lint", "--format", "json", "--no-progress", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _pss(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["check"].startswith("pss") and not r["passed"]]


def test_off_without_flag_or_labels(tmp_path: Path) -> None:
    _, report = _lint(str(_write(tmp_path, labels=False)))
    assert _pss(report) == []
    assert "pod_security" not in report


def test_the_flag_judges_namespaces_without_labels(tmp_path: Path) -> None:
    code, report = _lint("--pod-security", "baseline:v1.20", str(_write(tmp_path, labels=False)))
    failures = _pss(report)
    assert code == 1
    assert [(r["check"], r["severity"], r["line"]) for r in failures] == [
        ("pssHostNamespaces", "danger", 9)
    ]
    assert '"baseline:v1.20"' in failures[0]["message"]
    assert "--pod-security" in failures[0]["message"]
    [summary] = report["pod_security"]
    assert summary["namespace"] == "prod" and summary["source"] == "default"
    assert (summary["enforce"], summary["workloads"], summary["rejected"]) == (
        "baseline:v1.20",
        1,
        1,
    )


def test_privileged_turns_the_checks_off(tmp_path: Path) -> None:
    _, report = _lint("--pod-security", "privileged", str(_write(tmp_path, labels=False)))
    assert _pss(report) == []


def test_namespace_labels_decide_enforce_then_warn(tmp_path: Path) -> None:
    _, report = _lint(str(_write(tmp_path)))
    by_check = {r["check"]: r for r in _pss(report)}
    assert by_check["pssHostNamespaces"]["severity"] == "danger"  # enforce baseline
    assert "pod-security.kubernetes.io/enforce=baseline" in by_check["pssHostNamespaces"]["message"]
    warned = by_check["pssRunAsNonRoot"]  # only the warn level (restricted) has it
    assert warned["severity"] == "warning"
    assert "would violate" in warned["message"] and "warn=restricted" in warned["message"]
    [summary] = report["pod_security"]
    assert summary["source"] == "labels"
    assert (summary["enforce"], summary["warn"], summary["rejected"]) == (
        "baseline:v1.30",
        "restricted:latest",
        1,
    )


def test_labels_win_over_the_flag(tmp_path: Path) -> None:
    _, report = _lint("--pod-security", "restricted", str(_write(tmp_path)))
    enforced = {r["check"] for r in _pss(report) if r["severity"] == "danger"}
    assert enforced == {"pssHostNamespaces"}


def test_an_invalid_enforce_label_fails_closed(tmp_path: Path) -> None:
    text = NAMESPACE.replace("enforce: baseline", "enforce: Baseline")
    (tmp_path / "namespace.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "web.yaml").write_text(DEPLOYMENT.format(namespace="prod"), encoding="utf-8")
    _, report = _lint(str(tmp_path))
    enforced = {r["check"] for r in _pss(report) if r["severity"] == "danger"}
    assert "pssRunAsNonRoot" in enforced  # restricted, the fail-closed level
    [summary] = report["pod_security"]
    assert summary["enforce"] == "restricted:v1.30" and summary["errors"]


def test_an_invalid_flag_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("lint", "--pod-security", "restricted:1.30", str(_write(tmp_path)))
    assert proc.returncode == 2
    assert proc.stderr.startswith("kinspect: ") and "hint:" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_configuration_sets_the_level(tmp_path: Path) -> None:
    _write(tmp_path, labels=False)
    (tmp_path / ".kinspect.yaml").write_text("pod-security: baseline:v1.0\n", encoding="utf-8")
    _, report = _lint(".", cwd=tmp_path)
    assert [r["check"] for r in _pss(report)] == ["pssHostNamespaces"]
    (tmp_path / ".kinspect.yaml").write_text("pod-security: strict\n", encoding="utf-8")
    proc = run_cli("lint", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "pod-security" in proc.stderr


def test_sarif_and_html_show_the_namespaces(tmp_path: Path) -> None:
    target = str(_write(tmp_path))
    sarif = json.loads(run_cli("lint", "--format", "sarif", target).stdout)
    [entry] = sarif["runs"][0]["properties"]["podSecurity"]
    assert entry["namespace"] == "prod" and entry["rejected"] == 1
    html = run_cli("lint", "--format", "html", target).stdout
    assert 'id="pod-security"' in html and "baseline:v1.30" in html
    text = run_cli("lint", "--lang", "zh", target).stdout
    assert "Pod 安全标准" in text


def test_explain_a_pod_security_check() -> None:
    proc = run_cli("explain", "pssRunAsNonRoot")
    assert proc.returncode == 0
    assert "runAsNonRoot" in proc.stdout and "Fix" in proc.stdout


KUSTOMIZATION = "namespace: shop\nresources: [namespace.yaml, web.yaml]\n"


def test_findings_point_into_the_kustomize_base(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "namespace.yaml").write_text(
        NAMESPACE.replace("name: prod", "name: shop"), encoding="utf-8"
    )
    (base / "web.yaml").write_text(DEPLOYMENT.format(namespace="x"), encoding="utf-8")
    (base / "kustomization.yaml").write_text(KUSTOMIZATION, encoding="utf-8")
    other = tmp_path / "pod.yaml"  # a second input: with two jobs, workers place the results
    other.write_text(DEPLOYMENT.format(namespace="shop").replace("web", "api"), encoding="utf-8")
    for jobs in ("1", "2"):
        proc = run_cli(
            "lint", "--format", "json", str(base), str(other), env={"KINSPECT_JOBS": jobs}
        )
        found = {
            (Path(r["file"]).name, r["line"], r["resource"]["namespace"])
            for r in json.loads(proc.stdout)["results"]
            if r["check"] == "pssHostNamespaces" and not r["passed"]
        }
        assert found == {("web.yaml", 9, "shop"), ("pod.yaml", 9, "shop")}, jobs


def test_an_ignore_comment_suppresses_and_is_not_judged_without_a_policy(tmp_path: Path) -> None:
    text = DEPLOYMENT.format(namespace="prod").replace(
        "hostNetwork: true", "hostNetwork: true  # kinspect: ignore[pssHostNamespaces] CNI agent"
    )
    (tmp_path / "web.yaml").write_text(text, encoding="utf-8")
    _, report = _lint("--pod-security", "baseline", str(tmp_path))
    [result] = [r for r in report["results"] if r["check"] == "pssHostNamespaces"]
    assert result["suppressed"] and not result["passed"]
    _, report = _lint(str(tmp_path))
    assert not [r for r in report["results"] if r["check"] == "unusedIgnore" and not r["passed"]]


OWNED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod, uid: d-1}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: app, image: registry.example.com/app:1.0.0}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8
  namespace: prod
  uid: r-1
  ownerReferences:
    - {apiVersion: apps/v1, kind: Deployment, name: web, uid: d-1, controller: true}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: app, image: registry.example.com/app:1.0.0}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8-x
  namespace: prod
  ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8, uid: r-1, controller: true}
spec:
  containers: [{name: app, image: registry.example.com/app:1.0.0}]
"""


def test_the_summary_counts_the_workloads_the_report_shows(tmp_path: Path) -> None:
    """An export's ReplicaSet and Pod are reported through their Deployment: one workload
    judged and rejected, not three judged and two rejected."""
    (tmp_path / "export.yaml").write_text(OWNED, encoding="utf-8")
    _, report = _lint("--pod-security", "baseline", "export.yaml", cwd=tmp_path)
    [summary] = report["pod_security"]
    assert (summary["workloads"], summary["rejected"]) == (1, 1)
    _, report = _lint("--pod-security", "baseline", "--include-owned", "export.yaml", cwd=tmp_path)
    [summary] = report["pod_security"]
    assert (summary["workloads"], summary["rejected"]) == (3, 2)


def test_findings_point_into_helm_templates() -> None:
    """A rendered chart's Pod Security failures land on the template line that printed them,
    with values files applied (the Helm SDK of the `helm` extra renders the chart)."""
    chart = FIXTURES / "helm" / "webapp"
    _, report = _lint(
        "--pod-security", "baseline", "--helm-values", str(chart / "values-prod.yaml"), str(chart)
    )
    found = {(r["check"], Path(r["file"]).relative_to(chart).as_posix()) for r in _pss(report)}
    assert ("pssPrivileged", "charts/cache/templates/statefulset.yaml") in found
    assert ("pssHostNamespaces", "templates/deployment.yaml") in found
    lines = {r["check"]: (r["line"], r["approximate"]) for r in _pss(report)}
    template = (chart / "templates" / "deployment.yaml").read_text().splitlines()
    assert template[lines["pssHostNamespaces"][0] - 1].strip().startswith("hostNetwork:")
    assert lines["pssHostNamespaces"][1] is False
