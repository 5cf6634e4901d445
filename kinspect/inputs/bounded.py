"""Run a program that renders manifests (helm, kustomize), stopping it as soon as its output
breaks a limit.

A chart's values can make Helm render millions of documents (`range until`): the output is
read as it comes and the renderer stopped past `--max-file-size` bytes or `--max-documents`
documents; since Helm holds the whole render in memory before printing it, the renderer is
also stopped once its memory passes what an output of that size could need, or its time runs
out.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from dataclasses import dataclass

from kinspect.errors import KinspectError
from kinspect.parse.limits import MIB, Limits

MEMORY_BASE = 192 * MIB
MEMORY_PER_OUTPUT_BYTE = 16
"""A renderer may use MEMORY_BASE + this × --max-file-size bytes of memory (320 MiB at 8M;
rendering the largest chart of the corpus takes under 100 MiB)."""
_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Finished:
    """What a renderer printed, and how it ended."""

    stdout: str
    stderr: str
    returncode: int


def memory_cap(limits: Limits) -> int:
    """The memory a renderer may use before it is stopped."""
    return MEMORY_BASE + MEMORY_PER_OUTPUT_BYTE * limits.max_file_size


def run_bounded(
    command: list[str], limits: Limits, timeout: float, what: str, stdin: bytes = b""
) -> Finished:
    """Run `command` with `stdin`; a KinspectError as soon as a limit is passed."""
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise KinspectError(f"cannot run {command[0]}: {exc.strerror}") from None
    try:
        out, err = _collect(process, stdin, limits, time.monotonic() + timeout, what)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    text = out.decode("utf-8", errors="replace")
    return Finished(text, err.decode("utf-8", errors="replace"), process.returncode)


def _collect(
    process: subprocess.Popen[bytes], stdin: bytes, limits: Limits, deadline: float, what: str
) -> tuple[bytes, bytes]:
    assert process.stdin and process.stdout and process.stderr
    try:
        process.stdin.write(stdin)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the renderer ended early: its stderr says why
    out, err = bytearray(), bytearray()
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, out)
    selector.register(process.stderr, selectors.EVENT_READ, err)
    documents = 0
    while selector.get_map():
        for key, _ in selector.select(_POLL_SECONDS):
            chunk = os.read(key.fd, 1 << 16)
            if not chunk:
                selector.unregister(key.fileobj)
                continue
            if key.data is out:
                documents += (bytes(out[-3:]) + chunk).count(b"\n---")
            key.data.extend(chunk)
        _check(process, len(out), documents, limits, deadline, what)
    return bytes(out), bytes(err[-(1 << 16) :])


def _check(
    process: subprocess.Popen[bytes],
    size: int,
    documents: int,
    limits: Limits,
    deadline: float,
    what: str,
) -> None:
    if size > limits.max_file_size:
        raise KinspectError(
            f"{what} printed more than {limits.max_file_size:,} bytes",
            hint="stopped there; raise --max-file-size if the output is real",
        )
    if documents > limits.max_documents:
        raise KinspectError(
            f"{what} printed more than {limits.max_documents:,} documents",
            hint="stopped there; raise --max-documents if the output is real",
        )
    if _memory(process.pid) > memory_cap(limits):
        raise KinspectError(
            f"{what} used more than {memory_cap(limits) // MIB:,} MiB of memory",
            hint="stopped there: its output would pass --max-file-size; raise it if it is real",
        )
    if time.monotonic() > deadline:
        raise KinspectError(f"{what} did not finish in time", hint="stopped there")


def _memory(pid: int) -> int:
    """Resident memory of a process in bytes (0 where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
