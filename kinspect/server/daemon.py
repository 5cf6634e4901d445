"""`kinspect server`: keep kinspect loaded, and run each client's command in a fork of it.

A start pays for the interpreter, the imports and the rules; a fork of a process that has
paid already pays for none of it (the fork's side is kinspect.server.fork). The server itself
never runs a command, so every run starts from the same state; it only warms what is the
same for every run (modules, and the caches keyed by rule content).

One server per installation and settings (see `kinspect.server.sockets`); it stops after
`idle_seconds` without a request, on `kinspect server stop`, or on SIGTERM.
"""

from __future__ import annotations

import fcntl
import gc
import io
import marshal
import os
import signal
import socket
import struct
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass
from typing import IO, Any

from kinspect.server import sockets
from kinspect.server.fork import Command, run_here
from kinspect.server.sockets import HEADER

_REQUEST_LIMIT = 16 << 20
_REQUEST_SECONDS = 10.0
_CHECK_SECONDS = 30.0
_SAMPLE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: warm-up}
spec:
  selector: {matchLabels: {app: warm-up}}
  template:
    metadata: {labels: {app: warm-up}}
    spec:
      containers:
        - name: app
          image: registry.example/app
"""


@dataclass
class Server:
    """A listening server and what `status` reports."""

    listener: socket.socket
    lock: int
    """The lock file's descriptor (see `_lock`)."""
    path: str
    idle_seconds: float
    started: float
    command: Command
    runs: int = 0

    def status(self) -> dict[str, object]:
        """What `kinspect server status` prints."""
        return {
            "pid": os.getpid(),
            "socket": self.path,
            "uptime": round(time.time() - self.started, 1),
            "runs": self.runs,
            "idle_seconds": self.idle_seconds,
        }


def serve(idle_seconds: float, command: Command, ready: IO[str] | None = None) -> bool:
    """Serve `command` (the command line: args, program name) until idle, stopped or
    terminated; False when a server already serves here.

    `ready` gets one line once requests are accepted. OSError when the socket directory is
    not private or the socket cannot be made.
    """
    path = sockets.socket_path(sockets.prepare_dir())
    lock = _lock(path + ".lock")
    if lock is None:
        return False
    try:
        _warm_up(command)
        with _listen(path) as listener:
            server = Server(listener, lock, path, idle_seconds, time.time(), command)
            if ready:
                ready.write(f"kinspect server: pid {os.getpid()}, socket {path}\n")
                ready.flush()
            _loop(server)
        _remove(sockets.log_path(path))  # kept when something went wrong
    finally:
        _remove(path)
        _remove(path + ".lock")
        os.close(lock)
    return True


def _lock(path: str) -> int | None:
    """Hold the server's lock file for this process's life; None if another holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _warm_up(command: Command) -> None:
    """Run a lint once, so that every fork finds what each lint loads (modules, the command
    line, rules and their compiled schemas) loaded already."""
    from kinspect.report.formats import format_names, get_reporter

    for name in format_names():
        get_reporter(name)
    with tempfile.TemporaryDirectory() as directory:
        sample = os.path.join(directory, "warm-up.yaml")
        with open(sample, "w", encoding="utf-8") as stream:
            stream.write(_SAMPLE)
        os.chdir(directory)
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()), suppress(SystemExit):
            command(["lint", sample], "kinspect")
        os.chdir("/")  # a server keeps no directory in use; each fork goes to its client's
    # Forks share the warmed objects' pages until written; the collector would write them.
    gc.collect()
    gc.freeze()


def _listen(path: str) -> socket.socket:
    """Listen at `path`; a file left there by a dead server (we hold the lock) goes first."""
    _remove(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)  # made 0600, never changed afterwards (chmod follows links)
    try:
        listener.bind(path)
    finally:
        os.umask(mask)
    listener.listen(64)
    return listener


def _remove(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def _loop(server: Server) -> None:
    """Answer requests until idle for `idle_seconds`, outdated, or asked to stop."""
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    server.listener.settimeout(min(server.idle_seconds, _CHECK_SECONDS))
    last_request = time.monotonic()
    while True:
        try:
            connection, _ = server.listener.accept()
        except TimeoutError:
            idle = time.monotonic() - last_request >= server.idle_seconds
            if idle or _outdated(server):
                return
            continue
        last_request = time.monotonic()
        with connection:
            if not _answer(server, connection):
                return


def _outdated(server: Server) -> bool:
    """Whether kinspect's files changed since the server started (an upgrade, an edit): its
    clients now look for another socket, so it would only idle."""
    return sockets.socket_path(os.path.dirname(server.path)) != server.path


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _answer(server: Server, connection: socket.socket) -> bool:
    """Handle one request; False when it asks the server to stop."""
    descriptors: list[int] = []
    try:
        connection.settimeout(_REQUEST_SECONDS)
        request, descriptors = _receive(connection)
        if not _same_user(connection) or not isinstance(request, dict):
            return True
        operation = request.get("op")
        if operation == "run" and len(descriptors) == 3:
            _fork_run(server, connection, request, descriptors)
        elif operation in ("status", "stop"):
            _reply(connection, server.status())
        return operation != "stop"
    except (OSError, ValueError, EOFError, TypeError) as exc:
        sys.stderr.write(f"kinspect server: a request failed: {exc}\n")
        return True
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


def _receive(connection: socket.socket) -> tuple[Any, list[int]]:
    """One request: its 4-byte size, its marshalled data, and up to three descriptors."""
    data, descriptors, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    data = _fill(connection, data, HEADER)
    size = int.from_bytes(data[:HEADER], "big")
    if size > _REQUEST_LIMIT:
        raise ValueError(f"request of {size} bytes")
    return marshal.loads(_fill(connection, data[HEADER:], size)), descriptors


def _fill(connection: socket.socket, data: bytes, size: int) -> bytes:
    """`data` followed by what the client sends next, until it holds `size` bytes."""
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 16))
        if not chunk:
            raise EOFError("the client closed the connection")
        data += chunk
    return data


def _same_user(connection: socket.socket) -> bool:
    """The peer runs as this user."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    uid: int = struct.unpack("3i", credentials)[1]
    return uid == os.getuid()


def _reply(connection: socket.socket, answer: dict[str, object]) -> None:
    payload = marshal.dumps(answer)
    connection.sendall(len(payload).to_bytes(HEADER, "big") + payload)


def _fork_run(
    server: Server, connection: socket.socket, request: dict[str, Any], descriptors: list[int]
) -> None:
    """Run the request in a fork; the server goes back to listening at once."""
    if os.fork():
        server.runs += 1
        return
    try:
        server.listener.close()
        os.close(server.lock)  # a new server may start while this run goes on
        run_here(connection, request, descriptors, server.command)
    except BaseException:  # the client reports a run that sent no exit code
        pass
    finally:
        os._exit(0)
