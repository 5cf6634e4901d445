"""In a `kinspect server`'s fork: become the client's process, run its command, reply.

The fork takes the client's standard streams, working directory, environment and umask, then
runs the command line as a start would and sends its exit code over the connection. It runs
in a process group of its own, which dies with the client: a client that is killed leaves no
run behind (a `fix` that would still write files, workers that would still read them).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from kinspect.errors import EXIT_ERROR
from kinspect.server.sockets import HEADER

if TYPE_CHECKING:
    import socket

Command = Callable[[list[str], str], None]
"""The command line a server runs: its arguments and program name (it exits by SystemExit)."""


def run_here(
    connection: socket.socket, request: dict[str, Any], descriptors: list[int], command: Command
) -> None:
    """In the fork: become the client's process (streams, directory, environment), run, reply."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with suppress(OSError):
        os.setpgid(0, 0)  # its workers and helpers are its group: one kill ends them all
    finished = _end_with_client(connection)
    for target, descriptor in enumerate(descriptors):
        os.dup2(descriptor, target)
    _reopen_streams(request["encodings"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])  # files a run writes (reports, fixes, baselines)
    connection.sendall(os.getpid().to_bytes(HEADER, "big"))
    code = _run_command(request, command)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError):  # flushed by the command line already (its errors counted)
            stream.flush()
    finished.set()
    connection.sendall(code.to_bytes(HEADER, "big", signed=True))


def _end_with_client(connection: socket.socket) -> threading.Event:
    """Watch the connection: when the client goes away before the run has finished (killed,
    even by SIGKILL, which it cannot relay), kill the run's process group at once.

    The client sends nothing after its request, so any event on the connection is its end.
    The run sets the returned event once it has an exit code to send.
    """
    finished = threading.Event()

    def watch() -> None:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLRDHUP)
        poller.poll()
        if finished.is_set():
            return
        if os.getpgid(0) == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)  # not a group of its own: never the server's

    threading.Thread(target=watch, name="kinspect-client-watch", daemon=True).start()
    return finished


def _reopen_streams(encodings: list[tuple[str, str] | None]) -> None:
    """Text streams over the client's descriptors, with the client's encodings."""
    modes = (("r", -1), ("w", -1), ("w", 1))  # stderr is line-buffered, as at a start
    settings = zip(modes, encodings, strict=True)
    streams = [
        open(  # noqa: SIM115 (they live until the fork exits)
            descriptor,
            mode,
            buffering=buffering,
            encoding=encoding[0] if encoding else "utf-8",
            errors=encoding[1] if encoding else "strict",
            closefd=False,
        )
        for descriptor, ((mode, buffering), encoding) in enumerate(settings)
    ]
    sys.stdin, sys.stdout, sys.stderr = streams


def _run_command(request: dict[str, Any], command: Command) -> int:
    """The command line's exit code, as `sys.exit` would give it at a start."""

    try:
        os.chdir(request["cwd"])
        sys.argv = [request["prog"], *request["args"]]
        command(request["args"], request["prog"])
    except SystemExit as exc:
        return _exit_code(exc.code)
    except OSError as exc:
        sys.stderr.write(f"kinspect: {request['cwd']}: {exc.strerror}\n")
        return EXIT_ERROR
    return 0


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1
