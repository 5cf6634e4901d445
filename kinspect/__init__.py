"""kinspect: an offline inspector for Kubernetes workload configuration."""

from __future__ import annotations

from kinspect.version import __version__

# Not `typing.TYPE_CHECKING`: importing typing costs ~10 ms, and a command handed to a
# waiting server (kinspect.server.client) imports only modules that load in microseconds.
TYPE_CHECKING = False


__all__ = ["Report", "Result", "UsageError", "__version__", "lint", "lint_text"]

if TYPE_CHECKING:
    from typing import Any

    from kinspect.api import lint, lint_text
    from kinspect.errors import UsageError
    from kinspect.model import Result
    from kinspect.report.model import Report

# The command line imports this package first: the API is loaded only when it is used.
_LAZY = {
    "lint": "kinspect.api",
    "lint_text": "kinspect.api",
    "Report": "kinspect.report.model",
    "Result": "kinspect.model",
    "UsageError": "kinspect.errors",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'kinspect' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_LAZY[name]), name)
