"""Objects read but not reported on their own, as the console does.

A cluster export lists a Deployment, its ReplicaSets and their Pods: only the controller is
reported, and an object whose controlling owner is also in the input is dropped at the end of
the run (unless `--include-owned`). Cluster-scoped objects read for the checks of one namespace
(RoleBindings that refer to ClusterRoles) are dropped from that namespace's report too.
"""

from __future__ import annotations

from typing import Any

from kinspect.errors import InputProblem
from kinspect.kube.targets import Resource
from kinspect.model import Outcome

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
        drop_results(outcome, dropped)
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


def drop_results(outcome: Outcome, dropped: set[Key]) -> None:
    """Remove the results, inspected entries and counts of the `dropped` objects."""
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


def drop_context(outcome: Outcome, file: str, kinds: frozenset[str], namespace: str | None) -> None:
    """Keep the cluster-scoped objects read for one namespace's checks out of its report."""
    dropped = {
        (r.file, r.kind, r.namespace, r.name)
        for r in outcome.inspected
        if r.file == file and r.kind in kinds
    }
    if not dropped:
        return
    drop_results(outcome, dropped)
    names = sorted({kind for _, kind, _, _ in dropped})
    where = f"namespace {namespace}" if namespace else "the kubeconfig's namespace"
    outcome.notes.append(
        InputProblem(
            file,
            f"{len(dropped)} cluster-scoped object(s) ({', '.join(names)}) read for the checks"
            f" of {where}, not reported on their own",
            hint="--all-namespaces reports them too",
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
