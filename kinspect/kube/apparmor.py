"""The per-container AppArmor annotations, as Kubernetes turns them into securityContext fields.

Before Kubernetes 1.30 AppArmor was set by the annotation
`container.apparmor.security.beta.kubernetes.io/<container name>`; the API server still copies
it into the container's unset `securityContext.appArmorProfile`.
"""

from __future__ import annotations

from typing import Any

APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def apparmor_annotations(annotations: Any) -> dict[str, dict[str, str]]:
    """Container name -> appArmorProfile, from the per-container AppArmor annotations."""
    if not isinstance(annotations, dict):
        return {}
    profiles: dict[str, dict[str, str]] = {}
    for key, value in annotations.items():
        if not (isinstance(key, str) and key.startswith(APPARMOR_PREFIX)):
            continue
        name = key[len(APPARMOR_PREFIX) :]
        if value == "runtime/default":
            profiles[name] = {"type": "RuntimeDefault"}
        elif value == "unconfined":
            profiles[name] = {"type": "Unconfined"}
        elif isinstance(value, str) and value.startswith("localhost/"):
            profiles[name] = {"type": "Localhost", "localhostProfile": value[len("localhost/") :]}
    return profiles


def with_apparmor(
    item: dict[str, Any], instance: dict[str, Any], inherited: frozenset[str], profile: Any
) -> tuple[dict[str, Any], frozenset[str]]:
    """The API server fills a container's unset appArmorProfile from its annotation, which
    wins over the pod's field: the effective context gets the annotation's profile."""
    own = item.get("securityContext")
    context = instance.get("securityContext")
    if (own is not None and not isinstance(own, dict)) or "appArmorProfile" in (own or {}):
        return instance, inherited
    context = {**(context or {}), "appArmorProfile": profile}
    return {**instance, "securityContext": context}, inherited - {"appArmorProfile"}
