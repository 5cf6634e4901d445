"""An independent reading of ../shared/PSS.md in plain Python: which Pod Security controls a
pod fails at a level and version. The tests compare the declarative rules with it.

The pod is read as Go decodes it: a null field is unset, and a null list item is the item's
zero value (an empty container, volume, port or sysctl; the capability "")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

CAP = 37
Pod = dict[str, Any]
BASE_CAPS = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}  # fmt: skip
SYSCTLS = [
    (0, {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
         "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}),
    (27, {"net.ipv4.ip_local_reserved_ports"}),
    (29, {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}),
    (32, {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}),
    (37, {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}),
]  # fmt: skip
VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
    "persistentVolumeClaim", "projected", "secret",
}  # fmt: skip
PROFILE_TYPES = {"RuntimeDefault", "Localhost"}


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _objects(items: Any) -> list[dict[str, Any]]:
    """The items of a list of objects; a null item is an object with every field unset."""
    return [item if isinstance(item, dict) else {} for item in items or []]


def containers(pod: Pod) -> Iterator[dict[str, Any]]:
    """Init, regular, then ephemeral containers."""
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        yield from _objects(_get(pod, "spec", kind))


def _csc(c: dict[str, Any], *keys: str) -> Any:
    return _get(c, "securityContext", *keys)


def _psc(pod: Pod, *keys: str) -> Any:
    return _get(pod, "spec", "securityContext", *keys)


def _windows(pod: Pod, minor: int) -> bool:
    return minor >= 25 and _get(pod, "spec", "os", "name") == "windows"


def _userns(pod: Pod, minor: int) -> bool:
    return minor >= 35 and _get(pod, "spec", "hostUsers") is False


def host_namespaces(pod: Pod, minor: int) -> bool:
    return any(_get(pod, "spec", k) is True for k in ("hostNetwork", "hostPID", "hostIPC"))


def privileged(pod: Pod, minor: int) -> bool:
    return any(_csc(c, "privileged") is True for c in containers(pod))


def capabilities_baseline(pod: Pod, minor: int) -> bool:
    added = [a or "" for c in containers(pod) for a in _csc(c, "capabilities", "add") or []]
    return any(a not in BASE_CAPS for a in added)


def host_path(pod: Pod, minor: int) -> bool:
    return any(v.get("hostPath") is not None for v in _objects(_get(pod, "spec", "volumes")))


def host_ports(pod: Pod, minor: int) -> bool:
    ports = [p for c in containers(pod) for p in _objects(c.get("ports"))]
    return any((p.get("hostPort") or 0) != 0 for p in ports)


def _bad_profile(profile: Any) -> bool:
    return profile is not None and profile.get("type") not in PROFILE_TYPES


def app_armor(pod: Pod, minor: int) -> bool:
    if _bad_profile(_psc(pod, "appArmorProfile")):
        return True
    if any(_bad_profile(_csc(c, "appArmorProfile")) for c in containers(pod)):
        return True
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    for key, value in (_get(pod, "metadata", "annotations") or {}).items():
        value = value or ""
        allowed = value in ("", "runtime/default") or value.startswith("localhost/")
        if key.startswith(prefix) and not allowed:
            return True
    return False


def se_linux(pod: Pod, minor: int) -> bool:
    types = {"", "container_t", "container_init_t", "container_kvm_t"}
    if minor >= 31:
        types.add("container_engine_t")
    setters = [_psc(pod, "seLinuxOptions"), *(_csc(c, "seLinuxOptions") for c in containers(pod))]
    for opts in setters:
        if opts is None:
            continue
        if (opts.get("type") or "") not in types or opts.get("user") or opts.get("role"):
            return True
    return False


def _proc_mount_bad(pod: Pod) -> bool:
    return any(_csc(c, "procMount") not in (None, "Default") for c in containers(pod))


def proc_mount(pod: Pod, minor: int) -> bool:
    return not _userns(pod, minor) and _proc_mount_bad(pod)


def proc_mount_restricted(pod: Pod, minor: int) -> bool:
    return _proc_mount_bad(pod)


def seccomp_baseline(pod: Pod, minor: int) -> bool:
    if minor < 19:
        annotations = _get(pod, "metadata", "annotations") or {}
        keys = ["seccomp.security.alpha.kubernetes.io/pod"]
        keys += [
            f"container.seccomp.security.alpha.kubernetes.io/{c.get('name') or ''}"
            for c in containers(pod)
        ]
        for key in keys:
            if key in annotations:
                value = annotations[key] or ""
                if value not in ("runtime/default", "docker/default") and not value.startswith(
                    "localhost/"
                ):
                    return True
        return False
    setters = [_psc(pod, "seccompProfile"), *(_csc(c, "seccompProfile") for c in containers(pod))]
    return any(_bad_profile(p) for p in setters)


def sysctls(pod: Pod, minor: int) -> bool:
    allowed = set().union(*(names for since, names in SYSCTLS if since <= minor))
    return any((s.get("name") or "") not in allowed for s in _objects(_psc(pod, "sysctls")))


def host_process(pod: Pod, minor: int) -> bool:
    if _psc(pod, "windowsOptions", "hostProcess") is True:
        return True
    return any(_csc(c, "windowsOptions", "hostProcess") is True for c in containers(pod))


def probes(pod: Pod, minor: int) -> bool:
    for c in containers(pod):
        handlers = [c.get(p) for p in ("livenessProbe", "readinessProbe", "startupProbe")]
        handlers += [_get(c, "lifecycle", h) for h in ("postStart", "preStop")]
        for handler in handlers:
            for kind in ("httpGet", "tcpSocket"):
                if _get(handler, kind, "host"):
                    return True
    return False


def restricted_volumes(pod: Pod, minor: int) -> bool:
    for volume in _objects(_get(pod, "spec", "volumes")):
        if not any(volume.get(source) is not None for source in VOLUMES):
            return True
    return False


def run_as_non_root(pod: Pod, minor: int) -> bool:
    if _userns(pod, minor):
        return False
    pod_value = _psc(pod, "runAsNonRoot")
    if pod_value is False:
        return True
    for c in containers(pod):
        own = _csc(c, "runAsNonRoot")
        if own is False or (own is None and pod_value is not True):
            return True
    return False


def allow_privilege_escalation(pod: Pod, minor: int) -> bool:
    if _windows(pod, minor):
        return False
    return any(_csc(c, "allowPrivilegeEscalation") is not False for c in containers(pod))


def seccomp_restricted(pod: Pod, minor: int) -> bool:
    if _windows(pod, minor):
        return False
    pod_profile = _psc(pod, "seccompProfile")
    if _bad_profile(pod_profile):
        return True
    for c in containers(pod):
        own = _csc(c, "seccompProfile")
        if _bad_profile(own) or (own is None and pod_profile is None):
            return True
    return False


def capabilities_restricted(pod: Pod, minor: int) -> bool:
    if _windows(pod, minor):
        return False
    for c in containers(pod):
        caps = _csc(c, "capabilities")
        if caps is None or "ALL" not in (caps.get("drop") or []):
            return True
        if any((a or "") != "NET_BIND_SERVICE" for a in caps.get("add") or []):
            return True
    return False


def run_as_user(pod: Pod, minor: int) -> bool:
    if _userns(pod, minor):
        return False
    if _psc(pod, "runAsUser") == 0:
        return True
    return any(_csc(c, "runAsUser") == 0 for c in containers(pod))


Check = Callable[[Pod, int], bool]
# id: (level, first version, check, restricted overrides it from this version)
CONTROLS: dict[str, tuple[str, int, Check, int | None]] = {
    "pssAppArmorProfile": ("baseline", 0, app_armor, None),
    "pssCapabilitiesBaseline": ("baseline", 0, capabilities_baseline, 22),
    "pssHostNamespaces": ("baseline", 0, host_namespaces, None),
    "pssHostPathVolumes": ("baseline", 0, host_path, 0),
    "pssHostPorts": ("baseline", 0, host_ports, None),
    "pssHostProbesAndHostLifecycle": ("baseline", 34, probes, None),
    "pssPrivileged": ("baseline", 0, privileged, None),
    "pssProcMount": ("baseline", 0, proc_mount, 35),
    "pssSeLinuxOptions": ("baseline", 0, se_linux, None),
    "pssSeccompProfileBaseline": ("baseline", 0, seccomp_baseline, 19),
    "pssSysctls": ("baseline", 0, sysctls, None),
    "pssWindowsHostProcess": ("baseline", 0, host_process, None),
    "pssAllowPrivilegeEscalation": ("restricted", 8, allow_privilege_escalation, None),
    "pssCapabilitiesRestricted": ("restricted", 22, capabilities_restricted, None),
    "pssProcMountRestricted": ("restricted", 35, proc_mount_restricted, None),
    "pssRestrictedVolumes": ("restricted", 0, restricted_volumes, None),
    "pssRunAsNonRoot": ("restricted", 0, run_as_non_root, None),
    "pssRunAsUser": ("restricted", 23, run_as_user, None),
    "pssSeccompProfileRestricted": ("restricted", 19, seccomp_restricted, None),
}


def failing(pod: Pod, level: str, minor: int | None) -> set[str]:
    """The controls `pod` fails at `level` and `v1.<minor>` (None: latest)."""
    minor = CAP if minor is None else min(minor, CAP)
    found = set()
    for rule_id, (rule_level, since, check, overridden) in CONTROLS.items():
        if level == "privileged" or minor < since:
            continue
        if rule_level == "restricted" and level != "restricted":
            continue
        if level == "restricted" and overridden is not None and minor >= overridden:
            continue
        if check(pod, minor):
            found.add(rule_id)
    return found
