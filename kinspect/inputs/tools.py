"""External tools (helm, kustomize, kubectl) run with a time limit; failing to start one or
waiting too long is a one-line error, never a traceback."""

from __future__ import annotations

import subprocess

from kinspect.errors import KinspectError


def run_tool(
    command: list[str], timeout: int, what: str, name: str | None = None, hint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `command` capturing its output; the caller judges the exit status.

    `what` names the step in the timeout error (`helm template`), `name` the program in the
    error when it cannot start (default: the command's first word).
    """
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise KinspectError(f"{what} did not finish within {timeout} s", hint=hint) from None
    except OSError as exc:
        raise KinspectError(f"cannot run {name or command[0]}: {exc.strerror}") from None
