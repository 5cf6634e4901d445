"""Vendor the Kubernetes JSON Schemas that structural validation needs into schemas/kubernetes/.

Usage: python scripts/kubernetes_schemas.py [--upstream DIR] [--out DIR]

Reads the "local-strict" set (one `_definitions.json` plus thin per-kind root schemas, see
../shared/schemas/SOURCES.md) and writes:
- `_definitions.json`: the upstream file minus the definitions no covered kind reaches
  (serialised exactly as upstream: `json.dumps(indent=2)` reproduces the upstream bytes);
- one root schema per covered kind, built from its definition the way upstream builds them
  (byte-identical to the upstream root where upstream ships one; `--check` verifies that).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ROOT.parent / "shared" / "schemas" / "kubernetes" / "v1.36.0-local-strict"
OUT = ROOT / "schemas" / "kubernetes" / "v1.36.0-local-strict"
DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Definitions of the kinds that are validated (a root schema is written for each).
KINDS = (
    "io.k8s.api.core.v1.Pod",
    "io.k8s.api.core.v1.PodTemplate",
    "io.k8s.api.core.v1.ReplicationController",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.apps.v1.DaemonSet",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.batch.v1.Job",
    "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.networking.v1.Ingress",
    "io.k8s.api.networking.v1.IngressClass",
    "io.k8s.api.networking.v1.NetworkPolicy",
    "io.k8s.api.policy.v1.PodDisruptionBudget",
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.rbac.v1.Role",
    "io.k8s.api.rbac.v1.ClusterRole",
    "io.k8s.api.rbac.v1.RoleBinding",
    "io.k8s.api.rbac.v1.ClusterRoleBinding",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.PersistentVolumeClaim",
    "io.k8s.api.core.v1.PersistentVolume",
    "io.k8s.api.core.v1.LimitRange",
    "io.k8s.api.core.v1.ResourceQuota",
    "io.k8s.api.storage.v1.StorageClass",
    "io.k8s.api.scheduling.v1.PriorityClass",
    "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration",
    "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration",
)
_REF = re.compile(r'"\$ref": "#/\$defs/([^"]+)"')


def reachable(definitions: dict[str, Any], roots: tuple[str, ...]) -> set[str]:
    """Names of the definitions reachable by `$ref` from `roots`."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_REF.findall(json.dumps(definitions[name])))
    return seen


def root_schema(name: str, definition: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """File name and content of a kind's root schema, in upstream's layout."""
    (gvk,) = definition["x-kubernetes-group-version-kind"]
    group = gvk["group"].split(".")[0]
    parts = [gvk["kind"].lower(), *([group] if group else []), gvk["version"]]
    schema = _absolute_refs(definition)
    schema["type"] = "object"
    schema.pop("additionalProperties", None)
    schema["$schema"] = DRAFT
    schema["additionalProperties"] = False
    schema["$id"] = "https://kubernetes.io/api/" + "/".join(parts)
    return "-".join(parts) + ".json", schema


def _absolute_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: item.replace("#/$defs/", "/api/_definitions.json#/$defs/")
            if key == "$ref"
            else _absolute_refs(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_absolute_refs(item) for item in value]
    return value


def build(upstream: Path) -> dict[str, str]:
    """File name → text of every vendored file."""
    whole = json.loads((upstream / "_definitions.json").read_text(encoding="utf-8"))
    definitions = whole["$defs"]
    keep = reachable(definitions, KINDS)
    subset = {**whole, "$defs": {n: d for n, d in definitions.items() if n in keep}}
    files = {"_definitions.json": json.dumps(subset, indent=2)}
    for name in KINDS:
        file_name, schema = root_schema(name, definitions[name])
        files[file_name] = json.dumps(schema, indent=2)
    return files


def check(upstream: Path, files: dict[str, str]) -> list[str]:
    """Differences between the built roots and the roots upstream ships (should be none)."""
    problems = []
    for path in sorted(upstream.glob("*-*.json")):
        built = files.get(path.name)
        if built is None:
            problems.append(f"{path.name}: upstream root not covered")
        elif built != path.read_text(encoding="utf-8"):
            problems.append(f"{path.name}: built root differs from upstream")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=Path, default=UPSTREAM)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="only compare with upstream roots")
    args = parser.parse_args()
    files = build(args.upstream)
    problems = check(args.upstream, files)
    if problems or args.check:
        print("\n".join(problems) or "all upstream roots reproduced byte for byte")
        sys.exit(1 if problems else 0)
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.json"):
        stale.unlink()
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files ({sum(map(len, files.values())):,} bytes) to {args.out}")


if __name__ == "__main__":
    main()
