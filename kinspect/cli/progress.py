"""A progress bar on standard error, for terminal runs that take more than about a second."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

_BAR = 24


class ProgressBar:
    """`files done/total` and the current file on one redrawn line; silent for quick runs."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.stream = stream
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.drawn_at: float | None = None

    def __call__(self, done: int, name: str) -> None:
        """Note that `done` inputs are finished and `name` is next; redraw at most 10×/s."""
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < 0.1 and done < self.total:
            return
        self.drawn_at = now
        self.stream.write("\r\x1b[2K" + self.line(done, name))
        self.stream.flush()

    def line(self, done: int, name: str) -> str:
        """The bar, the count and as much of the file name as fits the terminal."""
        filled = _BAR * done // self.total if self.total else _BAR
        head = f"[{'#' * filled}{'-' * (_BAR - filled)}] {done}/{self.total} files"
        room = _columns(self.stream) - len(head) - 3
        if not name or room < 8:
            return head
        if len(name) > room:
            name = "…" + name[-(room - 1) :]
        return f"{head}  {name}"

    def close(self) -> None:
        """Erase the bar, so that what follows starts on a clean line."""
        if self.drawn_at is not None:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn_at = None


def progress_bar(total: int, stream: TextIO, enabled: bool = True) -> ProgressBar | None:
    """A bar on `stream` when it is a terminal (never in pipes, files or CI logs)."""
    isatty = getattr(stream, "isatty", None)
    if not enabled or not (isatty and isatty()):
        return None
    # Some CI runners give jobs a pseudo-terminal; their logs keep every redraw.
    if os.environ.get("TERM") == "dumb" or os.environ.get("CI"):
        return None
    return ProgressBar(total, stream)


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80
