"""`python -m kinspect.inputs.helm_render`: render one chart with helm-python-sdk in a process
of its own, so that the parent can stop the render when it grows past the limits
(kinspect.inputs.bounded).

The request (chart directory and HelmOptions) comes as JSON on stdin; the render, in
`helm template` form, goes to stdout; a failure is one JSON object on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kinspect.errors import KinspectError
from kinspect.inputs.streams import HelmOptions


def main() -> int:
    """Render the requested chart; the status is 0 or FAILED."""
    from kinspect.inputs.helm import FAILED, render_with_sdk

    asked: dict[str, Any] = json.loads(sys.stdin.buffer.read())
    fields: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in asked["options"].items()
    }
    try:
        text = render_with_sdk(Path(asked["chart"]), HelmOptions(**fields))
    except KinspectError as exc:
        sys.stderr.write(json.dumps({"message": exc.message, "hint": exc.hint}))
        return FAILED
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
