"""Live clusters and their exports: `kubectl get` for every workload kind, owned objects.

A cluster export lists a Deployment, its ReplicaSets and their Pods. Only the controller is
reported (as the console does): an object whose controlling owner is also in the input is
dropped at the end of the run, unless `--include-owned` asks for it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinspect.errors import InputProblem, KinspectError
from kinspect.extract import Resource
from kinspect.model import Outcome

if TYPE_CHECKING:
    from kinspect.inputs import ClusterOptions, Stream

WORKLOAD_RESOURCES = (
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "replicationcontrollers",
    "jobs",
    "cronjobs",
    "pods",
)
KUBECTL_TIMEOUT_SECONDS = 120
_KLOG = re.compile(r"^[IWEF]\d{4} \d")
_ERROR_PREFIX = re.compile(r"^(?:error|Error): ")
CLUSTER_NAME = "cluster"


Key = tuple[str, str, str | None, str]


class Owners:
    """Which inspected objects are owned by a controller that was inspected too."""

    def __init__(self) -> None:
        self.present: set[str] = set()
        self.owned: list[tuple[frozenset[str], Key]] = []

    def observe(self, file: str, resource: Resource) -> None:
        """Remember an inspected resource: its identity and, if owned, its owners."""
        metadata = resource.data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        self.present.add(_key(resource.kind, resource.namespace, resource.name))
        if isinstance(metadata.get("uid"), str):
            self.present.add(metadata["uid"])
        owners = controller_keys(metadata.get("ownerReferences"), resource.namespace)
        if owners:
            key = (file, resource.kind, resource.namespace, resource.name)
            self.owned.append((owners, key))

    def drop_owned(self, outcome: Outcome) -> None:
        """Remove the results and counts of objects whose controller was inspected."""
        dropped = {key for owners, key in self.owned if owners & self.present}
        if not dropped:
            return
        outcome.results[:] = [
            r for r in outcome.results if (r.file, r.kind, r.namespace, r.name) not in dropped
        ]
        outcome.inspected[:] = [
            r for r in outcome.inspected if (r.file, r.kind, r.namespace, r.name) not in dropped
        ]
        for _, kind, _, _ in dropped:
            outcome.resources[kind] -= 1
            if outcome.resources[kind] <= 0:
                del outcome.resources[kind]
        kinds = sorted({kind for _, kind, _, _ in dropped})
        files = sorted({file for file, _, _, _ in dropped})
        outcome.notes.append(
            InputProblem(
                ", ".join(files[:3]) + (", ..." if len(files) > 3 else ""),
                f"{len(dropped)} owned object(s) ({', '.join(kinds)}) not reported on their own:"
                " their controller is in the input and is reported instead",
                hint="--include-owned reports them too",
            )
        )


def controller_keys(references: Any, namespace: str | None) -> frozenset[str]:
    """Owner identities: the controlling reference, else every reference (uid, or kind/name)."""
    if not isinstance(references, list):
        return frozenset()
    valid = [r for r in references if isinstance(r, dict) and isinstance(r.get("kind"), str)]
    controllers = [r for r in valid if r.get("controller") is True] or valid
    keys = set()
    for reference in controllers:
        uid = reference.get("uid")
        if isinstance(uid, str) and uid:
            keys.add(uid)
        else:
            keys.add(_key(reference["kind"], namespace, str(reference.get("name", ""))))
    return frozenset(keys)


def _key(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace or ''}/{name}"


def kubectl_command(
    kubectl: str,
    *,
    context: str | None = None,
    namespace: str | None = None,
    all_namespaces: bool = False,
    kubeconfig: str | None = None,
) -> list[str]:
    """The `kubectl get` that lists every workload kind as one YAML List."""
    command = [kubectl, "get", ",".join(WORKLOAD_RESOURCES), "--output", "yaml"]
    if kubeconfig:
        command += ["--kubeconfig", kubeconfig]
    if context:
        command += ["--context", context]
    if all_namespaces:
        command.append("--all-namespaces")
    elif namespace:
        command += ["--namespace", namespace]
    return [*command, "--request-timeout", "30s"]


def fetch(options: ClusterOptions) -> Stream:
    """A stream of the cluster's workloads, read with `kubectl get`."""
    from kinspect.inputs import Stream

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise KinspectError(
            "kubectl not found on PATH",
            hint="kinspect cluster runs `kubectl get`; install kubectl or add it to PATH",
        )
    command = kubectl_command(
        kubectl,
        context=options.context,
        namespace=options.namespace,
        all_namespaces=options.all_namespaces,
        kubeconfig=options.kubeconfig,
    )
    text = _run(command)
    name = f"{CLUSTER_NAME}:{options.context}" if options.context else CLUSTER_NAME
    if options.save:
        try:
            Path(options.save).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise KinspectError(
                f"cannot save the export to {options.save}: {exc.strerror}"
            ) from None
        name = options.save
    return Stream(name, text)


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=KUBECTL_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise KinspectError(
            f"kubectl get did not answer within {KUBECTL_TIMEOUT_SECONDS} s",
            hint="check that the API server is reachable",
        ) from None
    except OSError as exc:
        raise KinspectError(f"cannot run kubectl: {exc.strerror}") from None
    if done.returncode != 0:
        raise KinspectError(
            f"cannot read the cluster: {_last_error(done.stderr)}",
            hint="check the kubeconfig, --context and that the API server is reachable",
        )
    return done.stdout


def _last_error(stderr: str) -> str:
    """kubectl's own last message, on one line (klog's `E1129 ...` log lines are skipped)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    plain = [line for line in lines if not _KLOG.match(line)]
    message = (plain or lines or ["kubectl failed without a message"])[-1]
    return _ERROR_PREFIX.sub("", message)
