"""deploy/: the scheduled `kinspect cluster` CronJob and its read-only RBAC pass kinspect itself."""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT, lint_json, run_cli


def kinds(report: dict[str, Any]) -> dict[str, int]:
    return dict(report["summary"]["resources_by_kind"])


def test_deploy_manifests_pass_every_default_check() -> None:
    report = lint_json("deploy")
    assert report["errors"] == []
    assert {"CronJob", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} <= set(kinds(report))
    failed = [f"{r['file']}:{r['line']} {r['check']}" for r in report["results"] if not r["passed"]]
    assert failed == []
    assert run_cli("lint", "deploy", "--fail-on", "warning").returncode == 0


def test_cronjob_runs_kinspect_cluster_with_reports_and_read_only_rights() -> None:
    from kinspect.parse.loader import load_documents

    documents = [d.data for d in load_documents((ROOT / "deploy" / "cronjob.yaml").read_text())]
    (cronjob,) = [d for d in documents if d["kind"] == "CronJob"]
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][0] == "cluster"
    assert {"--format=json=/reports/kinspect.json", "--format=html=/reports/kinspect.html"} <= set(
        container["args"]
    )
    rbac = [d.data for d in load_documents((ROOT / "deploy" / "rbac.yaml").read_text())]
    (role,) = [d for d in rbac if d["kind"] == "ClusterRole"]
    assert {verb for rule in role["rules"] for verb in rule["verbs"]} == {"get", "list"}
    granted = {
        (g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]
    }
    from kinspect.inputs.cluster_kinds import api_resources, kinds_read
    from kinspect.ruleset.rules import load_rules

    # Exactly what `kinspect cluster` lists with every check on (--checks may turn on any).
    every = {(r.group, r.resource) for r in api_resources(kinds_read(load_rules()))}
    assert granted == every
    default = kinds_read(rule for rule in load_rules() if rule.enabled)
    assert {(r.group, r.resource) for r in api_resources(default)} <= granted
    assert not {r for _, r in granted if r == "secrets" or r.startswith("secrets/")}
