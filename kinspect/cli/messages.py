"""What the commands write on standard error besides reports."""

import sys


def error_line(message: str) -> None:
    """One line on standard error, after `kinspect: `."""
    sys.stderr.write(f"kinspect: {message}\n")
