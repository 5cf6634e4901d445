"""Standard output and error whose write errors are the command's, not click's or Python's.

A full disk (`> /dev/full`) or a reader that left (`| head`) must end a command with one
documented exit code, run here or by a server's fork alike. Left alone, click turns a closed
pipe into exit code 1 (the code of findings), Python turns a failed flush at exit into 120,
and a fork that flushed too late could not report it at all. Every write to the guarded
streams, through their text or binary layer, raises OutputError instead of OSError, once:
later writes are dropped, so nothing fails again at exit.
"""

from __future__ import annotations

import io
import sys
from typing import TextIO


class OutputError(Exception):
    """Standard output or error could not be written (not an OSError: click catches those)."""

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"cannot write to standard {stream}: {error.strerror or error}")


class _GuardedFile(io.FileIO):
    """A standard descriptor, not closed with this object."""

    def __init__(self, descriptor: int, stream: str) -> None:
        super().__init__(descriptor, "w", closefd=False)
        self.stream = stream
        self.failed = False

    def write(self, data: object) -> int:
        size = memoryview(data).nbytes  # type: ignore[arg-type]
        if self.failed:
            return size
        try:
            written = super().write(data)  # type: ignore[arg-type]
        except OSError as exc:
            self.failed = True
            raise OutputError(self.stream, exc) from None
        return size if written is None else written


def guard_standard_streams() -> None:
    """Replace sys.stdout and sys.stderr by guarded streams over the same descriptors, with
    the same encoding and buffering. Streams without a descriptor (tests capturing output
    in memory) are left as they are."""
    sys.stdout = _guarded(sys.stdout, "output")
    sys.stderr = _guarded(sys.stderr, "error")


def _guarded(stream: TextIO, name: str) -> TextIO:
    if isinstance(getattr(getattr(stream, "buffer", None), "raw", None), _GuardedFile):
        return stream  # guarded already
    try:
        descriptor = stream.fileno()
        stream.flush()
    except (OSError, ValueError, AttributeError):
        return stream
    wrapper = io.TextIOWrapper(
        io.BufferedWriter(_GuardedFile(descriptor, name)),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=bool(stream.line_buffering),
    )
    return wrapper


def flush_standard_streams() -> None:
    """Flush standard output and error (OutputError when one fails)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
