"""Documents to targets: each resource, its pod spec and its containers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kinspect.kube.apparmor import apparmor_annotations, with_apparmor
from kinspect.kube.paths import Path, get_path

CONTAINER_TYPES = ("containers", "initContainers", "ephemeralContainers")
_TEMPLATE_SPEC: Path = ("spec", "template", "spec")
POD_SPEC_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Deployment": _TEMPLATE_SPEC,
    "StatefulSet": _TEMPLATE_SPEC,
    "DaemonSet": _TEMPLATE_SPEC,
    "ReplicaSet": _TEMPLATE_SPEC,
    "ReplicationController": _TEMPLATE_SPEC,
    "Job": _TEMPLATE_SPEC,
}
# Built-in kinds whose schema has no pod template anywhere (a CRD's `spec` describes types).
PODLESS_KINDS = frozenset(
    {
        "APIService",
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "CustomResourceDefinition",
        "Endpoints",
        "HorizontalPodAutoscaler",
        "Ingress",
        "IngressClass",
        "LimitRange",
        "MutatingWebhookConfiguration",
        "Namespace",
        "NetworkPolicy",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "PodDisruptionBudget",
        "PriorityClass",
        "ResourceQuota",
        "Role",
        "RoleBinding",
        "Secret",
        "Service",
        "ServiceAccount",
        "StorageClass",
        "ValidatingWebhookConfiguration",
    }
)
# Pod-level securityContext fields that containers inherit unless they set their own.
INHERITED_SECURITY_FIELDS = (
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
)


@dataclass(frozen=True, slots=True)
class Resource:
    """One Kubernetes object; `path` is where it sits in its document (List items)."""

    kind: str
    name: str
    namespace: str | None
    data: dict[str, Any]
    path: Path


@dataclass(frozen=True, slots=True)
class Container:
    """Which container a target is: its type, index and (possibly missing) name."""

    type: str
    index: int
    name: str | None

    @property
    def label(self) -> str:
        """The name, or `initContainers[2]` for an unnamed one."""
        return self.name if self.name else f"{self.type}[{self.index}]"


@dataclass(frozen=True, slots=True)
class Target:
    """What a rule is evaluated on, and where it sits in the document."""

    scope: str
    resource: Resource
    instance: Any
    path: Path
    container: Container | None = None
    pod_spec_path: Path | None = None
    inherited: frozenset[str] = frozenset()

    def document_path(self, instance_path: Path) -> Path:
        """Map a path inside the instance to a path in the document."""
        if (
            self.pod_spec_path is not None
            and len(instance_path) >= 2
            and instance_path[0] == "securityContext"
            and instance_path[1] in self.inherited
        ):
            return (*self.pod_spec_path, *instance_path)
        return (*self.path, *instance_path)


def resources_of(data: Any, path: Path = ()) -> Iterator[Resource]:
    """The Kubernetes objects of a document; `*List` documents yield their items."""
    if not is_kubernetes_object(data):
        return
    kind = data["kind"]
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for index, item in enumerate(items):
            yield from resources_of(item, (*path, "items", index))
        return
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or "<unnamed>"
    namespace = metadata.get("namespace")
    yield Resource(kind, str(name), str(namespace) if namespace else None, data, path)


def is_kubernetes_object(data: Any) -> bool:
    """A mapping with string `apiVersion` and `kind`."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
        and bool(data["kind"])
    )


def pod_spec_path(resource: Resource) -> Path | None:
    """Where the pod spec of a workload is, or None for kinds that have none."""
    if resource.kind in PODLESS_KINDS:
        return None
    known = POD_SPEC_PATHS.get(resource.kind)
    if known is not None:
        return known if isinstance(get_path(resource.data, known), dict) else None
    spec = get_path(resource.data, _TEMPLATE_SPEC)
    if isinstance(spec, dict) and isinstance(spec.get("containers"), list):
        return _TEMPLATE_SPEC
    return None


def targets_of(resource: Resource, scopes: frozenset[str]) -> Iterator[Target]:
    """Targets of the scopes asked for: the resource, its pod spec, its containers."""
    if "resource" in scopes:
        yield Target("resource", resource, resource.data, resource.path)
    spec_path = pod_spec_path(resource)
    if spec_path is None:
        return
    spec = get_path(resource.data, spec_path)
    full_spec_path = (*resource.path, *spec_path)
    if "podTemplate" in scopes:  # metadata and spec: the Pod itself for a Pod
        template_path = spec_path[:-1]
        template = get_path(resource.data, template_path)
        yield Target("podTemplate", resource, template, (*resource.path, *template_path))
    if "podSpec" in scopes:
        yield Target("podSpec", resource, spec, full_spec_path)
    if "container" in scopes:
        annotations = get_path(resource.data, (*spec_path[:-1], "metadata", "annotations"))
        apparmor = apparmor_annotations(annotations)
        yield from _containers(resource, spec, full_spec_path, apparmor)


def _containers(
    resource: Resource, spec: dict[str, Any], spec_path: Path, apparmor: dict[str, Any]
) -> Iterator[Target]:
    pod_context = spec.get("securityContext")
    inheritable = (
        {k: v for k, v in pod_context.items() if k in INHERITED_SECURITY_FIELDS}
        if isinstance(pod_context, dict)
        else {}
    )
    for container_type in CONTAINER_TYPES:
        items = spec.get(container_type)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            info = Container(container_type, index, str(name) if name not in (None, "") else None)
            instance, inherited = _effective(item, inheritable)
            if info.name in apparmor:
                instance, inherited = with_apparmor(item, instance, inherited, apparmor[info.name])
            yield Target(
                "container",
                resource,
                instance,
                (*spec_path, container_type, index),
                info,
                spec_path,
                inherited,
            )


def _effective(
    container: dict[str, Any], inheritable: dict[str, Any]
) -> tuple[dict[str, Any], frozenset[str]]:
    """The container with its effective securityContext, and the fields taken from the pod."""
    own = container.get("securityContext")
    if not inheritable or (own is not None and not isinstance(own, dict)):
        return container, frozenset()
    own = own or {}
    inherited = frozenset(k for k in inheritable if k not in own)
    if not inherited:
        return container, frozenset()
    merged = {**{k: v for k, v in inheritable.items() if k in inherited}, **own}
    return {**container, "securityContext": merged}, inherited
