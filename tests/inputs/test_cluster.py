"""`kinspect cluster` with the real kubectl against recorded API responses, and cluster exports."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kinspect.inputs.cluster_kinds import API_RESOURCES, WORKLOAD_KINDS, api_resources, kinds_read
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, lint_json, run_cli

API = FIXTURES / "cluster" / "api"


def discovery_file(path: str) -> Path | None:
    """The recorded answer to a discovery request: /version, /api, /apis, /api/v1, /apis/G/V."""
    parts = path.strip("/").split("/")
    top = {"version": 1, "api": 2, "apis": 3}.get(parts[0])
    if top is None or len(parts) > top:
        return None
    return API / ("-".join(parts) + ".json")


class Replay(BaseHTTPRequestHandler):
    """Answers kubectl's discovery and list requests from the recorded responses."""

    requests: list[str]
    refused: dict[str, int]
    """Lists (by resource) or discovery paths answered with this status instead."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.requests.append(path)
        if path in self.refused:  # an API group whose server is down (aggregated APIs)
            return self._send(self.refused[path], {"kind": "Status", "code": self.refused[path]})
        recorded = discovery_file(path)
        if recorded is not None:
            return self._send(200, json.loads(recorded.read_text()))
        parts = path.strip("/").split("/")
        # /api/v1/namespaces/shop/pods lists one namespace; /api/v1/namespaces lists Namespaces.
        inside = "namespaces" in parts[:-1]
        namespace = parts[parts.index("namespaces") + 1] if inside else None
        recorded = API / f"{parts[-1]}.json"
        status = self.refused.get(parts[-1], 200 if recorded.exists() else 404)
        if status != 200:
            return self._send(status, self._status(status, parts))
        listing = json.loads(recorded.read_text())
        if namespace is not None:
            listing["items"] = [
                i for i in listing["items"] if i["metadata"]["namespace"] == namespace
            ]
        return self._send(200, listing)

    @staticmethod
    def _status(code: int, parts: list[str]) -> dict[str, Any]:
        """The API server's Status body for a refused list (what kubectl prints from)."""
        group = parts[1] if parts[0] == "apis" else ""
        message = (
            "the server could not find the requested resource"
            if code == 404
            else f'{parts[-1]}{"." + group if group else ""} is forbidden: User "reader" cannot'
            f' list resource "{parts[-1]}" in API group "{group}" at the cluster scope'
        )
        reason = "NotFound" if code == 404 else "Forbidden"
        return {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "message": message, "reason": reason, "code": code}  # fmt: skip

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def refused() -> dict[str, int]:
    """Resource (or discovery path) → status the replay server refuses it with (tests fill it)."""
    return {}


@pytest.fixture
def server(refused: dict[str, int]) -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Handler", (Replay,), {"requests": requests, "refused": refused})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def kubeconfig(directory: Path, server: str) -> Path:
    """Two contexts on the replay server: `replay` (namespace shop) and `ops` (kube-system)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "replay", "cluster": {"server": server}}],
        "users": [{"name": "reader", "user": {}}],
        "contexts": [
            {
                "name": "replay",
                "context": {"cluster": "replay", "user": "reader", "namespace": "shop"},
            },
            {
                "name": "ops",
                "context": {"cluster": "replay", "user": "reader", "namespace": "kube-system"},
            },
        ],
        "current-context": "replay",
    }
    path = directory / "kubeconfig"
    path.write_text(json.dumps(config))
    return path


def cluster_json(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    # kubectl caches discovery under $HOME/.kube: keep it inside the test's directory.
    env = {"HOME": str(tmp_path), "KUBECONFIG": ""}
    proc = run_cli("cluster", "--format", "json", *args, cwd=tmp_path, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.stderr


def kinds(report: dict[str, Any]) -> dict[str, int]:
    return dict(report["summary"]["resources_by_kind"])


def workloads(report: dict[str, Any]) -> dict[str, int]:
    return {kind: n for kind, n in kinds(report).items() if kind in WORKLOAD_KINDS}


def failures(report: dict[str, Any], *checks: str) -> set[tuple[str, str]]:
    """(check, resource name) of the failing results of `checks`."""
    return {
        (r["check"], r["resource"]["name"])
        for r in report["results"]
        if r["check"] in checks and not r["passed"]
    }


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("kinspect: note: ")]


def test_current_context_namespace_and_owned_objects(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    config = str(kubeconfig(tmp_path, url))
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config)
    # The ReplicaSet and its two Pods belong to Deployment web: only web and the bare Pod count.
    assert workloads(report) == {"Deployment": 1, "Pod": 1, "StatefulSet": 1}
    assert "/apis/apps/v1/namespaces/shop/deployments" in requests
    assert "3 owned object(s) (Pod, ReplicaSet)" in stderr
    host = [r for r in report["results"] if r["check"] == "hostNetworkSet" and not r["passed"]]
    assert [r["resource"]["name"] for r in host] == ["debug"]
    assert {r["file"] for r in report["results"]} == {"cluster"}
    everything, _ = cluster_json(tmp_path, "--kubeconfig", config, "--include-owned")
    assert workloads(everything) == {"Deployment": 1, "Pod": 3, "ReplicaSet": 1, "StatefulSet": 1}


def test_namespaces_and_contexts(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, requests = server
    config = str(kubeconfig(tmp_path, url))
    every, _ = cluster_json(tmp_path, "--kubeconfig", config, "--all-namespaces")
    assert workloads(every) == {"DaemonSet": 1, "Deployment": 1, "Pod": 1, "StatefulSet": 1}
    assert "/apis/apps/v1/daemonsets" in requests
    system, _ = cluster_json(tmp_path, "--kubeconfig", config, "-n", "kube-system")
    assert workloads(system) == {"DaemonSet": 1}
    ops, _ = cluster_json(tmp_path, "--kubeconfig", config, "--context", "ops")
    assert workloads(ops) == {"DaemonSet": 1}
    assert {r["file"] for r in ops["results"]} == {"cluster:ops"}


RELATED = (
    "missingNetworkPolicy",
    "missingPodDisruptionBudget",  # off by default: asked for by name
    "automountServiceAccountToken",
    "serviceSelectorMatchesNothing",
    "pdbMinAvailableGreaterThanHPAMinReplicas",
    "rolebindingClusterRolePodExecAttach",
    "clusterrolebindingClusterAdmin",
    "deploymentMissingReplicas",  # reads KEDA ScaledObjects, which the replay cluster lacks
)


def test_objects_the_checks_relate_are_read_from_the_cluster(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    config = str(kubeconfig(tmp_path, url))
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config, "--checks", ",".join(RELATED))
    for path in (
        "/api/v1/namespaces/shop/services",
        "/api/v1/namespaces/shop/serviceaccounts",
        "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies",
        "/apis/policy/v1/namespaces/shop/poddisruptionbudgets",
        "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    ):
        assert path in requests
    assert not [path for path in requests if path.endswith("/secrets")]
    # web is covered by the NetworkPolicy and PodDisruptionBudget of namespace shop, cache is
    # not; shop's default ServiceAccount does not automount its token, so neither workload fails.
    assert failures(report, *RELATED) == {
        ("missingNetworkPolicy", "cache"),
        ("missingPodDisruptionBudget", "cache"),
        ("serviceSelectorMatchesNothing", "legacy-api"),
        ("rolebindingClusterRolePodExecAttach", "support-debug"),
    }
    passed = {(r["check"], r["resource"]["name"]) for r in report["results"] if r["passed"]}
    assert {("missingNetworkPolicy", "web"), ("missingPodDisruptionBudget", "web")} <= passed
    # ClusterRoles are read for shop's RoleBindings but are not shop's to report.
    assert "ClusterRoleBinding" not in kinds(report)
    assert any(
        "cluster-scoped object(s) (ClusterRole, ClusterRoleBinding)" in n for n in notes(stderr)
    )
    every, _ = cluster_json(tmp_path, "--kubeconfig", config, "-A", "--checks", ",".join(RELATED))
    assert failures(every, *RELATED) - failures(report, *RELATED) == {
        ("missingNetworkPolicy", "node-agent"),
        ("automountServiceAccountToken", "node-agent"),
        ("clusterrolebindingClusterAdmin", "ops-admin"),
    }


def test_only_the_kinds_the_checks_read_are_fetched(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    config = str(kubeconfig(tmp_path, url))
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config, "--checks", "hostNetworkSet")
    listed = {path.rsplit("/", 1)[1] for path in requests if discovery_file(path) is None}
    assert listed == {resource.resource for resource in api_resources(WORKLOAD_KINDS)}
    assert set(kinds(report)) <= WORKLOAD_KINDS
    assert notes(stderr) == [
        "kinspect: note: cluster: 3 owned object(s) (Pod, ReplicaSet) not reported on their own:"
        " their controller is in the input and is reported instead"
        " (hint: --include-owned reports them too)"
    ]


def pod_security(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Namespace → (enforce, warn) policies of the report's Pod Security summary."""
    return {e["namespace"]: (e["enforce"], e["warn"]) for e in report.get("pod_security", [])}


def pss_failures(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(check, resource name, severity) of the failing Pod Security results."""
    return {
        (r["check"], r["resource"]["name"], r["severity"])
        for r in report["results"]
        if r["check"].startswith("pss") and not r["passed"]
    }


def test_namespace_labels_set_the_pod_security_policy(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, requests = server
    config = str(kubeconfig(tmp_path, url))
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config)
    assert "/api/v1/namespaces" in requests
    # shop enforces baseline:v1.30 and warns at restricted: the bare Pod on the host network
    # and the privileged Deployment would be rejected, the StatefulSet only warned about.
    assert pod_security(report) == {"shop": ("baseline:v1.30", "restricted:latest")}
    found = pss_failures(report)
    assert {(check, name) for check, name, severity in found if severity == "danger"} == {
        ("pssHostNamespaces", "debug"),
        ("pssPrivileged", "web"),
    }
    assert ("pssRunAsNonRoot", "cache", "warning") in found
    assert {name for _, name, _ in found} == {"debug", "web", "cache"}
    (message,) = [
        r["message"]
        for r in report["results"]
        if r["check"] == "pssHostNamespaces" and not r["passed"]
    ]
    assert "pod-security.kubernetes.io/enforce=baseline" in message
    # The Namespaces are read for shop's workloads, not reported on their own.
    assert "Namespace" not in kinds(report)
    assert any("(ClusterRole, ClusterRoleBinding, Namespace)" in n for n in notes(stderr))
    # kube-system enforces privileged: its DaemonSet in the host PID namespace passes.
    every, _ = cluster_json(tmp_path, "--kubeconfig", config, "-A")
    assert kinds(every)["Namespace"] == 3
    assert pod_security(every) == pod_security(report)
    assert pss_failures(every) == found


def test_namespaces_that_may_not_be_listed_leave_pods_unjudged(
    tmp_path: Path, server: tuple[str, list[str]], refused: dict[str, int]
) -> None:
    url, _ = server
    config = str(kubeconfig(tmp_path, url))
    refused["namespaces"] = 403
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config)
    (note,) = [line for line in notes(stderr) if "forbidden" in line]
    assert note.startswith("kinspect: note: cluster: not read: namespaces is forbidden")
    assert "every namespace is judged as if it had no pod-security.kubernetes.io labels" in note
    assert "pod_security" not in report
    assert pss_failures(report) == set()
    # The rest is read and judged as before; --pod-security still sets a level for all.
    assert workloads(report) == {"Deployment": 1, "Pod": 1, "StatefulSet": 1}
    strict, _ = cluster_json(tmp_path, "--kubeconfig", config, "--pod-security", "baseline")
    assert pod_security(strict) == {"shop": ("baseline:latest", "privileged:latest")}
    assert {(c, n) for c, n, _ in pss_failures(strict)} == {
        ("pssHostNamespaces", "debug"),
        ("pssPrivileged", "web"),
    }


def test_kinds_the_cluster_refuses_are_noted_and_skipped(
    tmp_path: Path, server: tuple[str, list[str]], refused: dict[str, int]
) -> None:
    url, _ = server
    config = str(kubeconfig(tmp_path, url))
    # An old cluster (404), a narrow identity (403), an API group whose server is down (503).
    refused.update(networkpolicies=404, clusterroles=403)
    refused["/apis/autoscaling/v2"] = 503
    report, stderr = cluster_json(tmp_path, "--kubeconfig", config, "--checks", ",".join(RELATED))
    lines = notes(stderr)
    assert any(
        "list of APIs is incomplete: " in line and "autoscaling/v2" in line for line in lines
    )
    assert (
        "kinspect: note: cluster: not read, the cluster does not serve them:"
        " horizontalpodautoscalers.autoscaling, networkpolicies.networking.k8s.io,"
        " scaledobjects.keda.sh" in "\n".join(lines)
    )
    (forbidden,) = [line for line in lines if "forbidden" in line]
    assert "clusterroles.rbac.authorization.k8s.io is forbidden" in forbidden
    assert "(hint: allow get and list on it" in forbidden
    assert kinds(report)["Deployment"] == 1
    assert "NetworkPolicy" not in kinds(report)
    # With no NetworkPolicy read, nothing covers web any more; without ClusterRoles the
    # RoleBinding cannot be judged and passes.
    assert ("missingNetworkPolicy", "web") in failures(report, *RELATED)
    assert ("rolebindingClusterRolePodExecAttach", "support-debug") not in failures(
        report, *RELATED
    )


def test_a_cluster_that_refuses_every_list_is_one_error(
    tmp_path: Path, server: tuple[str, list[str]], refused: dict[str, int]
) -> None:
    url, _ = server
    config = str(kubeconfig(tmp_path, url))
    refused.update({resource.resource: 403 for resource in api_resources(None)})
    env = {"HOME": str(tmp_path), "KUBECONFIG": ""}
    proc = run_cli("cluster", "--kubeconfig", config, cwd=tmp_path, env=env)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kinspect: cluster: cannot read the cluster: ")
    assert "is forbidden" in line


def test_kinds_come_from_the_rules_and_never_include_secrets() -> None:
    rules = load_rules()
    read = kinds_read(rules)
    # Every kind a bundled rule targets or relates has a known place in the API.
    missing = sorted(read - set(API_RESOURCES))
    assert not missing, (
        f"add {missing} to kinspect/inputs/cluster_kinds.py API_RESOURCES (and deploy/rbac.yaml)"
    )
    assert {"Service", "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler"} <= read
    assert {"ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"} <= read
    assert {"Ingress", "ConfigMap"} | WORKLOAD_KINDS <= read
    (configmaps,) = [rule for rule in rules if rule.id == "sensitiveConfigmapContent"]
    secrets = replace(configmaps, kinds=frozenset({"Secret", "ConfigMap"}))
    assert kinds_read([secrets]) == {"ConfigMap"}
    assert "secrets" not in {resource.resource for resource in api_resources(["Secret"])}


def test_saved_export_is_what_findings_point_into(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    url, _ = server
    config = str(kubeconfig(tmp_path, url))
    report, _ = cluster_json(tmp_path, "--kubeconfig", config, "-A", "--save", "export.yaml")
    lines = (tmp_path / "export.yaml").read_text().splitlines()
    (host,) = [r for r in report["results"] if r["check"] == "hostNetworkSet" and not r["passed"]]
    assert host["file"] == "export.yaml"
    assert lines[host["line"] - 1].strip() == "hostNetwork: true"
    # The saved export is an ordinary input for lint: the same findings.
    again = lint_json("export.yaml", cwd=tmp_path)
    assert kinds(again) == kinds(report)
    assert sorted((r["check"], r["line"]) for r in again["results"]) == sorted(
        (r["check"], r["line"]) for r in report["results"]
    )


def test_exports_in_json_and_across_files(tmp_path: Path) -> None:
    export = FIXTURES / "cluster" / "shop-export.json"
    report = lint_json(str(export))
    assert kinds(report) == {"DaemonSet": 1, "Deployment": 1, "Pod": 1}
    # Owners in another file still hide what they own; without them the Pods count.
    listing = json.loads(export.read_text())
    pods = [item for item in listing["items"] if item["kind"] == "Pod"]
    (tmp_path / "pods.json").write_text(json.dumps({**listing, "items": pods}))
    others = [item for item in listing["items"] if item["kind"] != "Pod"]
    (tmp_path / "controllers.json").write_text(json.dumps({**listing, "items": others}))
    split = lint_json("controllers.json", "pods.json", cwd=tmp_path)
    assert kinds(split) == kinds(report)
    alone = lint_json("pods.json", cwd=tmp_path)
    assert kinds(alone) == {"Pod": 4}


def test_unreachable_cluster_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = str(kubeconfig(tmp_path, f"http://127.0.0.1:{port}"))
    proc = run_cli("cluster", "--kubeconfig", config, cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kinspect: cluster: cannot read the cluster:")
    assert f"127.0.0.1:{port}" in line and "hint:" in line


def test_missing_kubectl_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    env = {"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path)}
    proc = run_cli("cluster", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "kinspect: cluster: kubectl not found on PATH "
        "(hint: kinspect cluster runs `kubectl get`; install kubectl or add it to PATH)"
    ]


def test_setup_provides_kubectl() -> None:
    kubectl = shutil.which("kubectl", path=os.environ.get("PATH"))
    assert kubectl is not None
    import subprocess

    done = subprocess.run(
        [kubectl, "version", "--client"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "Kustomize Version" in done.stdout
