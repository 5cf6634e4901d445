"""The check catalog as users meet it: ids, defaults, configurable parameters, replacements."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, lint_json, run_cli

RULES = {rule.id: rule for rule in load_rules()}

# The ids the catalog promises (Polaris's names where Polaris has the check).
CATALOG = [
    "hostPathSet",
    "hostProcess",
    "procMount",
    "insecureCapabilities",
    "linuxHardening",
    "seccompProfileMissing",
    "automountServiceAccountToken",
    "sensitiveContainerEnvVar",
    "runAsUserLow",
    "pullPolicyNotAlways",
    "deploymentMissingReplicas",
    "priorityClassNotSet",
    "topologySpreadConstraint",
    "metadataAndInstanceMismatched",
    "startupProbeMissing",
    "sensitiveConfigmapContent",
    "tlsSettingsMissing",
    "exposedService",
    "deprecatedApiVersion",
    "clusterrolePodExecAttach",
    "rolePodExecAttach",
    "clusterrolebindingPodExecAttach",
    "rolebindingClusterRolePodExecAttach",
    "rolebindingRolePodExecAttach",
    "clusterrolebindingClusterAdmin",
    "rolebindingClusterAdminClusterRole",
    "rolebindingClusterAdminRole",
    "missingNetworkPolicy",
    "missingPodDisruptionBudget",
    "pdbDisruptionsIsZero",
    "pdbMinAvailableGreaterThanHPAMinReplicas",
    "hpaMinAvailability",
    "hpaMaxAvailability",
    "serviceSelectorMatchesNothing",
]
OFF_BY_DEFAULT = {
    "runAsUserLow", "pullPolicyNotAlways", "priorityClassNotSet", "startupProbeMissing",
    "exposedService", "missingPodDisruptionBudget",
}  # fmt: skip


def test_catalog_is_complete() -> None:
    assert set(CATALOG) <= set(RULES)


def test_off_by_default_rules_are_listed_as_off() -> None:
    assert {rule_id for rule_id in CATALOG if not RULES[rule_id].enabled} == OFF_BY_DEFAULT
    listing = run_cli("rules").stdout.splitlines()
    states = {line.split()[0]: line for line in listing}
    for rule_id in CATALOG:
        assert ("  off  " in states[rule_id]) == (rule_id in OFF_BY_DEFAULT), states[rule_id]


POD_LOW_UID = FIXTURES / "runAsUserLow" / "fail-low-uid.yaml"


def test_off_by_default_rule_runs_when_the_config_turns_it_on(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(POD_LOW_UID.read_text())
    assert "runAsUserLow" not in {
        r["check"] for r in lint_json(str(manifest), cwd=tmp_path)["results"]
    }
    (tmp_path / ".kinspect.yaml").write_text("checks:\n  runAsUserLow: danger\n")
    report = lint_json(str(manifest), cwd=tmp_path)
    failed = [r for r in report["results"] if r["check"] == "runAsUserLow" and not r["passed"]]
    marked = [
        n for n, line in enumerate(POD_LOW_UID.read_text().splitlines(), 1) if "expect" in line
    ]
    assert [(r["line"], r["severity"]) for r in failed] == [(marked[0], "danger")]


def test_parameters_are_configurable(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(POD_LOW_UID.read_text())  # UIDs 1000 (container) and 20000 (pod)
    config = tmp_path / ".kinspect.yaml"
    config.write_text("parameters:\n  runAsUserLow: {minUserId: 500}\n")
    report = lint_json("--checks", "runAsUserLow", str(manifest), cwd=tmp_path)
    assert [r["passed"] for r in report["results"]] == [True, True]
    config.write_text("parameters:\n  runAsUserLow: {minUserId: 30000}\n")
    report = lint_json("--checks", "runAsUserLow", str(manifest), cwd=tmp_path)
    assert [r["passed"] for r in report["results"]] == [False, False]
    capabilities = (
        "parameters:\n  insecureCapabilities: {safeCapabilities: [NET_BIND_SERVICE, SYS_TIME]}\n"
    )
    config.write_text(capabilities)
    fixture = FIXTURES / "insecureCapabilities" / "fail-unsafe-add.yaml"
    report = lint_json("--checks", "insecureCapabilities", str(fixture), cwd=tmp_path)
    failed = [r["message"] for r in report["results"] if not r["passed"]]
    assert len(failed) == 1 and "CHOWN" in failed[0]  # SYS_TIME is now safe, CHOWN still not


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "parameters:\n  runAsUserLow:\n    minUid: 5\n",
            "3:5: runAsUserLow has no parameter 'minUid' (hint: its parameters: minUserId)",
        ),
        (
            "parameters:\n  runAsUserLow:\n    minUserId: high\n",
            "3:5: runAsUserLow.minUserId must be a number, not a string",
        ),
        (
            "parameters:\n  runAsUserLoww: {minUserId: 5}\n",
            "2:3: parameters.runAsUserLoww: unknown check id",
        ),
    ],
)
def test_bad_parameters_are_usage_errors(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / ".kinspect.yaml").write_text(config)
    (tmp_path / "pod.yaml").write_text(POD_LOW_UID.read_text())
    proc = run_cli("lint", "pod.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_removed_api_versions_name_their_replacement(lang: str) -> None:
    fixtures = sorted((FIXTURES / "deprecatedApiVersion").glob("fail-*.yaml"))
    report = lint_json("--lang", lang, "--checks", "deprecatedApiVersion", *map(str, fixtures))
    fixes = {(r["resource"]["kind"], r["fix"]) for r in report["results"] if not r["passed"]}
    wanted = {
        "Deployment": "apps/v1",
        "Ingress": "networking.k8s.io/v1",
        "CronJob": "batch/v1",
        "PodDisruptionBudget": "policy/v1",
        "ClusterRole": "rbac.authorization.k8s.io/v1",
    }
    assert {kind for kind, _ in fixes} == set(wanted)
    for kind, fix in fixes:
        assert wanted[kind] in fix, (kind, fix)
    explained = run_cli("explain", "runAsUserLow").stdout
    assert "minUserId: 10000" in explained


@pytest.mark.parametrize(
    ("fixture", "messages"),
    [
        (
            "insecureCapabilities/fail-missing-drop.yaml",
            ["container api does not drop ALL", "container worker does not drop ALL"],
        ),
        (
            "insecureCapabilities/fail-unsafe-add.yaml",
            [
                "container ntp adds the capability SYS_TIME",
                "container setup adds the capability CHOWN",
            ],
        ),
        (
            "seccompProfileMissing/fail-unset.yaml",
            ["container api sets no seccomp", "container sidecar sets no seccomp"],
        ),
        (
            "seccompProfileMissing/fail-unconfined.yaml",
            ["runs with seccompProfile type Unconfined"] * 2,
        ),
        ("pdbDisruptionsIsZero/fail-min-equals-replicas.yaml", ["but Deployment/api runs no more"]),
        ("hostPathSet/fail-daemonset.yaml", ["mounts the node path /var/log"]),
    ],
)
def test_failure_messages_fit_the_case(fixture: str, messages: list[str]) -> None:
    rule_id = fixture.split("/")[0]
    report = lint_json("--checks", rule_id, str(FIXTURES / fixture))
    found = sorted(r["message"] for r in report["results"] if not r["passed"])
    assert len(found) == len(messages)
    for message in messages:
        assert any(message in text for text in found), (message, found)
