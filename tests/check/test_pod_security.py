"""The Pod Security rules against an independent reading of PSS.md (tests/support/pss_oracle.py),
on many pods, at every level and every version from v1.0 to past the newest definition."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from kinspect.check.pod_security import decide
from kinspect.engine.run import Settings, inspect_text
from kinspect.kube.pod_security import Policy
from kinspect.ruleset.rules import load_rules
from tests.support.pss_oracle import CONTROLS, failing

RULES = tuple(rule for rule in load_rules() if rule.versions)
VERSIONS = [*(f"v1.{n}" for n in range(0, 40)), "latest"]

# Pod-level pieces and container pieces, combined at random (seeded) into pods.
POD_PIECES: list[dict[str, Any]] = [
    {},
    {"hostNetwork": True},
    {"hostPID": False, "hostIPC": None},
    {"hostUsers": False},
    {"hostUsers": True},
    {"os": {"name": "windows"}},
    {"os": {"name": "Windows"}},
    {"securityContext": {"runAsNonRoot": True}},
    {"securityContext": {"runAsNonRoot": False}},
    {"securityContext": {"runAsUser": 0}},
    {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
    {"securityContext": {"seccompProfile": {"type": "Unconfined"}}},
    {"securityContext": {"seccompProfile": {}}},
    {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}},
    {"securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}},
    {"securityContext": {"seLinuxOptions": {"user": "system_u"}}},
    {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}},
    {"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports"}]}},
    {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time"}]}},
    {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat"}]}},
    {"securityContext": {"sysctls": [{"value": "1"}]}},
    {"securityContext": {"windowsOptions": {"hostProcess": True}}},
    {"volumes": [{"name": "a", "hostPath": {"path": "/"}}]},
    {"volumes": [{"name": "a", "hostPath": None, "emptyDir": {}}]},
    {"volumes": [{"name": "a", "emptyDir": None}]},
    {"volumes": [{"name": "a", "nfs": {"server": "x", "path": "/"}}]},
    {"volumes": [{"name": "a", "image": {"reference": "x"}}, {"name": "b", "secret": {}}]},
    # Nulls, as Go decodes them: a null field is unset, a null item the item's zero value.
    {"securityContext": None},
    {"hostNetwork": None, "hostUsers": None, "os": None},
    {"securityContext": {"runAsNonRoot": None, "seccompProfile": None, "seLinuxOptions": None}},
    {"securityContext": {"sysctls": [None]}},
    {"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced"}, None]}},
    {"volumes": [None]},
    {"volumes": [{"name": "a", "secret": {}}, None]},
    {"volumes": None},
]
CONTAINER_PIECES: list[dict[str, Any]] = [
    {},
    {"securityContext": {}},
    {"securityContext": {"privileged": True}},
    {"securityContext": {"privileged": False, "allowPrivilegeEscalation": False}},
    {"securityContext": {"allowPrivilegeEscalation": True}},
    {"securityContext": {"runAsNonRoot": True}},
    {"securityContext": {"runAsNonRoot": False}},
    {"securityContext": {"runAsNonRoot": None}},
    {"securityContext": {"runAsUser": 0}},
    {"securityContext": {"runAsUser": 1000}},
    {"securityContext": {"capabilities": {"drop": ["ALL"]}}},
    {"securityContext": {"capabilities": {"drop": ["all"]}}},
    {"securityContext": {"capabilities": {}}},
    {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}},
    {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}},
    {"securityContext": {"capabilities": {"add": ["NET_RAW"]}}},
    {"securityContext": {"seccompProfile": {"type": "Localhost"}}},
    {"securityContext": {"seccompProfile": {"type": "Unconfined"}}},
    {"securityContext": {"appArmorProfile": {}}},
    {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}},
    {"securityContext": {"seLinuxOptions": {"type": "container_kvm_t", "level": "s0"}}},
    {"securityContext": {"seLinuxOptions": {"role": "r"}}},
    {"securityContext": {"procMount": "Unmasked"}},
    {"securityContext": {"procMount": "Default"}},
    {"securityContext": {"windowsOptions": {"hostProcess": True}}},
    {"ports": [{"containerPort": 80, "hostPort": 8080}]},
    {"ports": [{"containerPort": 80, "hostPort": 0}]},
    {"livenessProbe": {"httpGet": {"host": "localhost", "port": 80}}},
    {"lifecycle": {"preStop": {"tcpSocket": {"host": "", "port": 80}}}},
    {"readinessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 80}}},
    {"securityContext": None},
    {"securityContext": {"privileged": None, "allowPrivilegeEscalation": None, "procMount": None}},
    {"securityContext": {"runAsUser": None, "seccompProfile": None, "appArmorProfile": None}},
    {"securityContext": {"capabilities": None}},
    {"securityContext": {"capabilities": {"add": [None]}}},
    {"securityContext": {"capabilities": {"drop": ["ALL", None], "add": [None]}}},
    {"securityContext": {"capabilities": {"drop": ["ALL"], "add": None}}},
    {"ports": [None]},
    {"ports": [{"containerPort": 80, "hostPort": None}, None]},
    {"name": None},
]
ANNOTATION_PIECES: list[dict[str, str | None]] = [
    {},
    {"container.apparmor.security.beta.kubernetes.io/c0": "unconfined"},
    {"container.apparmor.security.beta.kubernetes.io/": "localhost/x"},
    {"container.apparmor.security.beta.kubernetes.io/c0": None},
    {"seccomp.security.alpha.kubernetes.io/pod": "docker/default"},
    {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"},
    {"seccomp.security.alpha.kubernetes.io/pod": ""},
    {"seccomp.security.alpha.kubernetes.io/pod": None},
    # c0 is the init container, c1 the container, c2 the ephemeral one (each may be absent or
    # unnamed); the library reads only the annotations of the pod's containers, by name.
    {"container.seccomp.security.alpha.kubernetes.io/c1": "RuntimeDefault"},
    {"container.seccomp.security.alpha.kubernetes.io/c1": "localhost/p"},
    {"container.seccomp.security.alpha.kubernetes.io/c1": None},
    {"container.seccomp.security.alpha.kubernetes.io/c0": "unconfined"},
    {"container.seccomp.security.alpha.kubernetes.io/c2": ""},
    {"container.seccomp.security.alpha.kubernetes.io/c9": "unconfined"},
    {"container.seccomp.security.alpha.kubernetes.io/": "unconfined"},
    {
        "container.seccomp.security.alpha.kubernetes.io/c1": "docker/default",
        "container.seccomp.security.alpha.kubernetes.io/c.": "unconfined",
    },
]


def _merge(into: dict[str, Any], piece: dict[str, Any]) -> None:
    for key, value in piece.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def _pods(count: int, seed: int) -> list[dict[str, Any]]:
    chance = random.Random(seed)
    pods = []
    for index in range(count):
        spec: dict[str, Any] = {}
        for piece in chance.sample(POD_PIECES, chance.randint(0, 3)):
            _merge(spec, piece)
        for n, kind in enumerate(("initContainers", "containers", "ephemeralContainers")):
            if kind != "containers" and chance.random() < 0.6:
                continue
            container: dict[str, Any] = {"name": f"c{n}", "image": "registry.example.com/x:1"}
            for piece in chance.sample(CONTAINER_PIECES, chance.randint(0, 4)):
                _merge(container, piece)
            spec[kind] = [container]
            if chance.random() < 0.15:  # a null item: a container with every field unset
                spec[kind].insert(chance.randint(0, 1), None)
        metadata: dict[str, Any] = {"name": f"pod{index}"}
        annotations: dict[str, str | None] = {}
        for piece in chance.sample(ANNOTATION_PIECES, chance.randint(0, 2)):
            annotations.update(piece)
        if annotations:
            metadata["annotations"] = annotations
        pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
    return pods


def _verdicts(pod: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """The failing controls of one pod at every level and version, as kinspect decides."""
    settings = Settings(RULES)
    pending = inspect_text("pod.json", json.dumps(pod), settings)
    assert not pending.problems
    found = {}
    for level in ("baseline", "restricted"):
        for version in VERSIONS:
            results, _ = decide(pending.candidates, [], RULES, Policy(level, version), "en")
            found[level, version] = {r.check for r in results if not r.passed}
    return found


def test_the_oracle_covers_every_rule() -> None:
    assert set(CONTROLS) == {rule.id for rule in RULES}


@pytest.mark.parametrize("seed", range(4))
def test_rules_match_the_admission_library(seed: int) -> None:
    for pod in _pods(60, seed):
        for (level, version), got in _verdicts(pod).items():
            minor = None if version == "latest" else int(version[3:])
            expected = failing(pod, level, minor)
            assert got == expected, (level, version, json.dumps(pod))


_WINDOWS = {
    "os": {"name": "windows"},
    "securityContext": {"seccompProfile": {"type": "Unconfined"}},
    "containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}],
}
_SYS_ADMIN = {"containers": _WINDOWS["containers"]}
_UNSET = {"pssRunAsNonRoot", "pssAllowPrivilegeEscalation", "pssSeccompProfileRestricted"}


@pytest.mark.parametrize(
    ("pod_spec", "level", "version", "expected"),
    [
        # Windows pods at restricted from v1.25: no capability and no seccomp rule at all.
        (_WINDOWS, "restricted", "v1.25", {"pssRunAsNonRoot"}),
        (_WINDOWS, "baseline", "v1.25", {"pssSeccompProfileBaseline", "pssCapabilitiesBaseline"}),
        (_WINDOWS, "restricted", "v1.24", {"pssCapabilitiesRestricted", *_UNSET}),
        # restricted v1.21 runs the baseline capability list, v1.22 the drop-ALL rule.
        (_SYS_ADMIN, "restricted", "v1.21", {"pssCapabilitiesBaseline", *_UNSET}),
        (_SYS_ADMIN, "restricted", "v1.22", {"pssCapabilitiesRestricted", *_UNSET}),
        (_SYS_ADMIN, "restricted", "v1.7", {"pssCapabilitiesBaseline", "pssRunAsNonRoot"}),
    ],
)
def test_examples_of_the_facts_sheet(
    pod_spec: dict[str, Any], level: str, version: str, expected: set[str]
) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec}
    assert _verdicts(pod)[level, version] == expected
