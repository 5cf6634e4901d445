"""Which kinds `kinspect cluster` reads: those the selected rules target or relate to.

The kinds come from the rules (`target.kinds`, the kinds and `workloads` of their relations,
every workload kind for pod-spec and container rules, Namespaces for the Pod Security rules,
whose policy their labels set). Only where the API serves each kind is kept by hand, in
API_RESOURCES; a test checks that it covers every kind a bundled rule names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kinspect.kube.targets import POD_SPEC_PATHS

if TYPE_CHECKING:
    from kinspect.ruleset.model import Rule

WORKLOAD_KINDS = frozenset(POD_SPEC_PATHS)
NEVER_READ = frozenset({"Secret"})
UNREAD = "checks that read this kind find none in the cluster"
"""What a run misses when it may not list a kind (unless the kind says more)."""
"""Kinds never fetched whatever a rule says: a Secret's contents must not leave the cluster."""


@dataclass(frozen=True, slots=True)
class ApiResource:
    """Where the API serves a kind."""

    group: str
    resource: str
    namespaced: bool = True
    unread: str = UNREAD
    """What a run that may not list the kind misses."""

    @property
    def name(self) -> str:
        """`resource.group` as kubectl and `kubectl api-resources -o name` write it."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


_RBAC = "rbac.authorization.k8s.io"
# Facts about the Kubernetes API, in the order kubectl is asked for them (workloads first).
API_RESOURCES: dict[str, ApiResource] = {
    "Deployment": ApiResource("apps", "deployments"),
    "StatefulSet": ApiResource("apps", "statefulsets"),
    "DaemonSet": ApiResource("apps", "daemonsets"),
    "ReplicaSet": ApiResource("apps", "replicasets"),
    "ReplicationController": ApiResource("", "replicationcontrollers"),
    "Job": ApiResource("batch", "jobs"),
    "CronJob": ApiResource("batch", "cronjobs"),
    "Pod": ApiResource("", "pods"),
    "PodTemplate": ApiResource("", "podtemplates"),
    "Service": ApiResource("", "services"),
    "Ingress": ApiResource("networking.k8s.io", "ingresses"),
    "NetworkPolicy": ApiResource("networking.k8s.io", "networkpolicies"),
    "PodDisruptionBudget": ApiResource("policy", "poddisruptionbudgets"),
    "HorizontalPodAutoscaler": ApiResource("autoscaling", "horizontalpodautoscalers"),
    "ScaledObject": ApiResource("keda.sh", "scaledobjects"),
    "ConfigMap": ApiResource("", "configmaps"),
    "ServiceAccount": ApiResource("", "serviceaccounts"),
    "Role": ApiResource(_RBAC, "roles"),
    "RoleBinding": ApiResource(_RBAC, "rolebindings"),
    "ClusterRole": ApiResource(_RBAC, "clusterroles", namespaced=False),
    "ClusterRoleBinding": ApiResource(_RBAC, "clusterrolebindings", namespaced=False),
    "Namespace": ApiResource(
        "",
        "namespaces",
        namespaced=False,
        unread="every namespace is judged as if it had no pod-security.kubernetes.io labels",
    ),
}


def kinds_read(rules: Iterable[Rule]) -> frozenset[str]:
    """Kinds the rules inspect or relate to (rules on any kind, like unknownField, add none)."""
    kinds: set[str] = set()
    for rule in rules:
        if rule.kinds is not None:
            kinds |= rule.kinds - rule.exclude_kinds
        elif rule.scope != "resource":
            kinds |= WORKLOAD_KINDS - rule.exclude_kinds
        if rule.versions:  # judged by the policy of the namespace's labels
            kinds.add("Namespace")
        for step in rule.relations:
            kinds |= step.kinds or set()
            if step.workloads:
                kinds |= WORKLOAD_KINDS
    return frozenset(kinds - NEVER_READ)


def api_resources(kinds: Iterable[str] | None) -> list[ApiResource]:
    """The API resources of `kinds` (None: every kind in the table), in the table's order."""
    wanted = set(API_RESOURCES if kinds is None else kinds) - NEVER_READ
    return [resource for kind, resource in API_RESOURCES.items() if kind in wanted]


def cluster_scoped_kinds() -> frozenset[str]:
    """Kinds that belong to no namespace."""
    return frozenset(kind for kind, where in API_RESOURCES.items() if not where.namespaced)
