"""An RBAC binding's subjects as messages name them: `ServiceAccount team-a/app, Group devs`."""

from __future__ import annotations

from typing import Any

SUBJECTS = "subjects"
"""The placeholder (and the binding's field) that names who a binding grants its role to."""


def subject_names(subjects: Any) -> str:
    """Each subject as `Kind name` (`Kind namespace/name` for a ServiceAccount), comma-separated."""
    names = [_name(item) for item in subjects] if isinstance(subjects, list) else []
    names = [name for name in names if name]
    return ", ".join(names) if names else "no subjects"


def _name(subject: Any) -> str:
    if not isinstance(subject, dict) or not isinstance(subject.get("name"), str):
        return ""
    kind = subject.get("kind") if isinstance(subject.get("kind"), str) else "subject"
    namespace = subject.get("namespace")
    if kind == "ServiceAccount" and isinstance(namespace, str) and namespace:
        return f"{kind} {namespace}/{subject['name']}"
    return f"{kind} {subject['name']}"
