"""Live clusters: `kubectl get` for every kind the rules read (owned objects: owners.py).

Which kinds are read is derived from the rules (cluster_kinds.py). A kind the cluster does not
serve (absent from its API list, or a 404), or that the credentials may not list (403), is
noted and the run goes on without it; any other kubectl failure is a one-line error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kinspect.errors import InputProblem, KinspectError
from kinspect.inputs.cluster_kinds import API_RESOURCES, UNREAD, api_resources
from kinspect.inputs.tools import run_tool

if TYPE_CHECKING:
    from kinspect.inputs.streams import ClusterOptions, Stream

KUBECTL_TIMEOUT_SECONDS = 120
_KLOG = re.compile(r"^[IWEF]\d{4} \d")
_ERROR_PREFIX = re.compile(r"^(?:error|Error): ")
_REFUSED = re.compile(r"^Error from server \((?P<reason>NotFound|Forbidden)\): (?P<message>.+)$")
_UNABLE_TO_LIST = re.compile(
    r'Unable to list "(?P<group>[^/",]*)/[^",]*, Resource=(?P<resource>[^"]+)"'
)
_CANNOT_LIST = re.compile(
    r'cannot list resource "(?P<resource>[^"]+)" in API group "(?P<group>[^"]*)"'
)
CLUSTER_NAME = "cluster"


def kubectl_command(
    kubectl: str,
    *,
    context: str | None = None,
    namespace: str | None = None,
    all_namespaces: bool = False,
    kubeconfig: str | None = None,
    resources: Sequence[str] | None = None,
) -> list[str]:
    """The `kubectl get` that lists `resources` (default: every kind kinspect reads) as one List."""
    names = resources if resources is not None else [r.name for r in api_resources(None)]
    command = [kubectl, "get", ",".join(names), "--output", "yaml"]
    command += _connection(kubeconfig, context)
    if all_namespaces:
        command.append("--all-namespaces")
    elif namespace:
        command += ["--namespace", namespace]
    return [*command, "--request-timeout", "30s"]


def served_command(
    kubectl: str, *, context: str | None = None, kubeconfig: str | None = None
) -> list[str]:
    """The `kubectl api-resources` that names every listable resource the cluster serves."""
    command = [kubectl, "api-resources", "--verbs", "list", "--output", "name"]
    return [*command, *_connection(kubeconfig, context), "--request-timeout", "30s"]


def _connection(kubeconfig: str | None, context: str | None) -> list[str]:
    return [
        *(["--kubeconfig", kubeconfig] if kubeconfig else []),
        *(["--context", context] if context else []),
    ]


def fetch(options: ClusterOptions, notes: list[InputProblem] | None = None) -> Stream:
    """A stream of the cluster's objects of every kind the rules read, from `kubectl get`.

    Kinds the cluster does not serve, or that may not be listed, are left out with a note.
    """
    from kinspect.inputs.streams import Stream

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise KinspectError(
            "kubectl not found on PATH",
            hint="kinspect cluster runs `kubectl get`; install kubectl or add it to PATH",
        )
    name = f"{CLUSTER_NAME}:{options.context}" if options.context else CLUSTER_NAME
    text = _read(kubectl, options, name, notes if notes is not None else [])
    if options.save:
        try:
            Path(options.save).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise KinspectError(
                f"cannot save the export to {options.save}: {exc.strerror}"
            ) from None
        name = options.save
    return Stream(name, text)


def _read(kubectl: str, options: ClusterOptions, where: str, notes: list[InputProblem]) -> str:
    """One `kubectl get` of the wanted kinds the cluster serves (asked first), as YAML."""
    asked = served_command(kubectl, context=options.context, kubeconfig=options.kubeconfig)
    served = _served(_call(asked), where, notes)
    wanted = [resource.name for resource in api_resources(options.kinds)]
    unserved = [resource for resource in wanted if resource not in served]
    listed = [resource for resource in wanted if resource in served]
    text = ""
    if listed:
        command = kubectl_command(
            kubectl,
            context=options.context,
            namespace=options.namespace,
            all_namespaces=options.all_namespaces,
            kubeconfig=options.kubeconfig,
            resources=listed,
        )
        text = _listing(_call(command), len(listed), where, notes, unserved)
    if unserved:
        notes.append(
            InputProblem(
                where,
                f"not read, the cluster does not serve them: {', '.join(sorted(unserved))}",
                hint="checks that read these kinds find none in the cluster",
            )
        )
    return text


def _served(
    done: subprocess.CompletedProcess[str], where: str, notes: list[InputProblem]
) -> set[str]:
    """Names of the served resources; a partial list (an API that failed) is used with a note."""
    names = {line.strip() for line in done.stdout.splitlines() if line.strip()}
    if done.returncode != 0:
        if not names:
            raise _cannot_read(done.stderr)
        notes.append(
            InputProblem(
                where,
                f"the cluster's list of APIs is incomplete: {_last_error(done.stderr)}",
                hint="kinds of the APIs it could not list are not read",
            )
        )
    return names


def _listing(
    done: subprocess.CompletedProcess[str],
    count: int,
    where: str,
    notes: list[InputProblem],
    unserved: list[str],
) -> str:
    """What kubectl listed; lists refused with 404 or 403 are left out (noted), not fatal."""
    if done.returncode == 0:
        return done.stdout
    messages = [m for m in _messages(done.stderr) if not m.startswith("Warning: ")]
    refused = [m for m in map(_REFUSED.match, messages) if m is not None]
    if not refused or len(refused) < len(messages) or len(refused) >= count:
        raise _cannot_read(done.stderr)
    for match in refused:
        if match["reason"] == "NotFound":
            unserved.append(_resource_of(match["message"]))
        else:
            notes.append(
                InputProblem(
                    where,
                    f"not read: {match['message']}",
                    hint="allow get and list on it (deploy/rbac.yaml lists what kinspect reads);"
                    f" {_unread(match['message'])}",
                )
            )
    return done.stdout


def _unread(message: str) -> str:
    """What the run misses without the resource a 403 message names."""
    found = _CANNOT_LIST.search(message)
    name = _name(found["group"], found["resource"]) if found else None
    known = {resource.name: resource for resource in API_RESOURCES.values()}
    return known[name].unread if name in known else UNREAD


def _name(group: str, resource: str) -> str:
    return f"{resource}.{group}" if group else resource


def _resource_of(message: str) -> str:
    """`services` or `ingresses.networking.k8s.io` from kubectl's 404 message, else the message."""
    found = _UNABLE_TO_LIST.search(message)
    if found is None:
        return message
    return _name(found["group"], found["resource"])


def _call(command: list[str]) -> subprocess.CompletedProcess[str]:
    hint = "check that the API server is reachable"
    what = f"kubectl {command[1]}"
    return run_tool(command, KUBECTL_TIMEOUT_SECONDS, what, name="kubectl", hint=hint)


def _cannot_read(stderr: str) -> KinspectError:
    return KinspectError(
        f"cannot read the cluster: {_last_error(stderr)}",
        hint="check the kubeconfig, --context and that the API server is reachable",
    )


def _messages(stderr: str) -> list[str]:
    """kubectl's own messages, one per line (klog's `E1129 ...` log lines are skipped)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return [line for line in lines if not _KLOG.match(line)]


def _last_error(stderr: str) -> str:
    """kubectl's own last message, on one line (else its last log line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    message = (_messages(stderr) or lines or ["kubectl failed without a message"])[-1]
    return _ERROR_PREFIX.sub("", message)
