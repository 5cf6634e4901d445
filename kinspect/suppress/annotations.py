"""Annotations that suppress results: kinspect's own and Polaris's exemptions.

metadata:
  annotations:
    kinspect.io/ignore: "hostNetworkSet,hostPIDSet"   # or "all": the whole resource
    kinspect.io/ignore.exporter: runAsRootAllowed     # only the container named exporter
    polaris.fairwinds.com/exempt: "true"              # Polaris: every check
    polaris.fairwinds.com/hostNetworkSet-exempt: "true"
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import Node

from kinspect.kube.targets import Resource
from kinspect.model import Result
from kinspect.parse.locate import locate
from kinspect.suppress.comments import ALL

IGNORE_ANNOTATION = "kinspect.io/ignore"
CONTAINER_IGNORE_PREFIX = "kinspect.io/ignore."
POLARIS_EXEMPT = "polaris.fairwinds.com/exempt"
POLARIS_PREFIX = "polaris.fairwinds.com/"
POLARIS_SUFFIX = "-exempt"
POLARIS_CHECK_IDS = {
    "dangerousCapabilities": "capabilitiesAdded",
    "notReadOnlyRootFilesystem": "notReadOnlyRootFileSystem",
    # Polaris's current name; kinspect keeps the older one (both are read).
    "pdbMinAvailableGreaterThanOrEqualToHPAMinReplicas": "pdbMinAvailableGreaterThanHPAMinReplicas",
}
"""Polaris check names whose kinspect id differs; every other name maps to itself."""


def kinspect_id(polaris_name: str) -> str:
    """The kinspect id of a Polaris check name."""
    return POLARIS_CHECK_IDS.get(polaris_name, polaris_name)


@dataclass(frozen=True, slots=True)
class AnnotationIgnore:
    """An ignore or exemption written as an annotation on a resource."""

    resource: tuple[str, str | None, str]
    checks: frozenset[str] | None
    """The checks named (empty: all; None: an empty value, which covers nothing)."""
    container: str | None
    key: str
    line: int
    column: int
    judged: bool
    """kinspect's own annotations are judged by unusedIgnore; Polaris's are not."""

    def covers(self, result: Result) -> bool:
        """Whether this annotation applies to `result`."""
        if (result.kind, result.namespace, result.name) != self.resource:
            return False
        if self.container is not None and result.container != self.container:
            return False
        return self.checks is not None and (not self.checks or result.check in self.checks)


def annotation_ignores(
    resource: Resource, annotations: dict[Any, Any], root: Node
) -> Iterator[AnnotationIgnore]:
    identity = (resource.kind, resource.namespace, resource.name)
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(("kinspect.io/", POLARIS_PREFIX)):
            continue
        parsed = _parse_annotation(key, value)
        if parsed is None:
            continue
        checks, container, judged = parsed
        path = (*resource.path, "metadata", "annotations", key)
        (line, column), _ = locate(root, path)
        yield AnnotationIgnore(identity, checks, container, key, line, column, judged)


def _parse_annotation(
    key: str, value: Any
) -> tuple[frozenset[str] | None, str | None, bool] | None:
    """(checks, container, judged) of a suppressing annotation, or None for other keys."""
    if key == IGNORE_ANNOTATION or key.startswith(CONTAINER_IGNORE_PREFIX):
        names = frozenset(n.strip() for n in str(value or "").split(",") if n.strip())
        container = key[len(CONTAINER_IGNORE_PREFIX) :] if key != IGNORE_ANNOTATION else None
        checks = None if not names else frozenset() if ALL in names else names
        return checks, container or None, True
    if not (value is True or str(value).strip().lower() == "true"):
        return None
    if key == POLARIS_EXEMPT:
        return frozenset(), None, False
    check = key[len(POLARIS_PREFIX) :]
    if key.startswith(POLARIS_PREFIX) and check.endswith(POLARIS_SUFFIX):
        return frozenset({kinspect_id(check[: -len(POLARIS_SUFFIX)])}), None, False
    return None
