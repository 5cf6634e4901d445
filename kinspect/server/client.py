"""Hand a command to a waiting `kinspect server`, or say that it must run here.

This runs before anything else at every start, so it imports only modules that load in
microseconds (not `socket`: its enum and selectors imports cost half of `python -c pass`).
Which server fits this process is kinspect.server.sockets' answer.

The request is the command line, the working directory and the environment; the terminal's
standard streams travel as file descriptors (SCM_RIGHTS), so the server's fork writes straight
to them. The reply is the fork's process id, then its exit code.
"""

from __future__ import annotations

import _signal  # not `signal`: its enum import costs a third of `python -c pass`
import marshal
import os
import sys

from kinspect.server.sockets import (
    HEADER,
    log_path,
    open_log,
    prepare_dir,
    socket_dir,
    socket_path,
    supported,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import _socket

_MODES_OFF = ("off", "0", "no", "false")
_LOST = 2
"""The exit code when the server's fork ended without one (killed, or the server stopped)."""
_RUN_HERE = (["server"], ["--install-completion"], ["--show-completion"])
"""Commands about this process itself: its server, its shell (found from its parents)."""


def server_mode() -> str:
    """`KINSPECT_SERVER`: `off`, `auto` (start one when none answers) or `on` (the default)."""
    mode = os.environ.get("KINSPECT_SERVER", "on").strip().lower()
    return "off" if mode in _MODES_OFF else "auto" if mode == "auto" else "on"


def run_on_server(args: list[str]) -> int | None:
    """The exit code of `kinspect ARGS` run by a waiting server; None: run it here."""
    mode = server_mode()
    if mode == "off" or not supported() or args[:1] in _RUN_HERE or not _streams_open():
        return None
    directory = socket_dir()
    path = socket_path(directory) if directory else None
    connection = _connect(path) if path else None
    if connection is None:
        if mode == "auto":
            start_in_background()
        return None
    try:
        return _request(connection, args)
    finally:
        connection.close()


def _streams_open() -> bool:
    """Whether standard input, output and error are all open (they are sent to the server)."""
    try:
        for descriptor in (0, 1, 2):
            os.fstat(descriptor)
    except OSError:
        return False
    return True


def _connect(path: str) -> _socket.socket | None:
    """A connection to the server at `path`, once it is known to run as this user: the
    request carries the environment (tokens) and the terminal, so nothing is sent to anyone
    else. None when nobody listens or someone else does."""
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
        if _peer_uid(connection) == os.getuid():
            return connection
    except OSError:
        pass
    connection.close()
    return None


def _peer_uid(connection: _socket.socket) -> int:
    """The user id of the process that listens at the other end (fixed by the kernel when
    it started listening: it cannot be forged)."""
    import _socket

    credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(credentials[4:8], sys.byteorder)  # struct ucred: pid, uid, gid


def _request(connection: _socket.socket, args: list[str]) -> int | None:
    """Send the run; None when the server closed before starting it (run it here instead)."""
    import _socket
    from array import array

    streams = [sys.stdin, sys.stdout, sys.stderr]
    descriptors = array("i", [0, 1, 2]).tobytes()
    relay = _Relay()
    try:
        request = {
            "op": "run",
            "args": args,
            "prog": _program_name(),
            "cwd": os.getcwd(),  # FileNotFoundError when it was removed: run here
            "env": dict(os.environ),
            "umask": _umask(),
            "encodings": [(s.encoding, s.errors) if s else None for s in streams],
        }
        payload = marshal.dumps(request)
        message = len(payload).to_bytes(HEADER, "big") + payload
        passed = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, descriptors)]
        sent = connection.sendmsg([message], passed)
        if sent < len(message):  # a large environment: the rest (sending nothing may fail)
            connection.sendall(message[sent:])
        pid = _read_int(connection)
    except OSError:
        pid = None
    if pid is None:
        relay.end_as_received()
        relay.restore()
        return None
    relay.start(pid)
    return _wait(connection, relay)


def _umask() -> int:
    """This process's umask (reading it means setting it)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _program_name() -> str:
    """What usage messages call the command, as click names it: `kinspect` for the console
    script, `python -m kinspect` for the module."""
    package = getattr(sys.modules.get("__main__"), "__package__", None)
    return f"python -m {package}" if package else os.path.basename(sys.argv[0])


def _wait(connection: _socket.socket, relay: _Relay) -> int:
    """The exit code the server's fork sends."""
    try:
        code = _read_int(connection)
    except OSError:
        code = None
    if code is not None:
        return code
    relay.end_as_received()
    sys.stderr.write("kinspect: the server's run ended without a result\n")
    return _LOST


class _Relay:
    """The signals that stop a command, passed on to the fork that runs it.

    Ctrl-C (SIGINT) interrupts the fork as it would interrupt a local run (exit code 130);
    after SIGTERM or SIGHUP the fork ends, then this process ends by the same signal. A signal
    that comes before the fork has a process id waits for it.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.received: list[int] = []
        stopping = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)
        self._previous = {number: _signal.signal(number, self._receive) for number in stopping}

    def _receive(self, number: int, frame: object) -> None:
        self.received.append(number)
        if self.pid is not None:
            self._send(number)

    def start(self, pid: int) -> None:
        """The fork runs as `pid`: signals go to it from now on, those received first too."""
        self.pid = pid
        for number in self.received:
            self._send(number)

    def _send(self, number: int) -> None:
        assert self.pid is not None
        try:
            os.kill(self.pid, number)
        except OSError:  # gone already
            return

    def end_as_received(self) -> None:
        """End this process by the first signal received, if any (nothing ran it for us)."""
        if self.received:
            _signal.signal(self.received[0], _signal.SIG_DFL)
            os.kill(os.getpid(), self.received[0])

    def restore(self) -> None:
        """Put back the handlers found (the command is about to run here)."""
        for number, handler in self._previous.items():
            _signal.signal(number, handler)


def _read_int(connection: _socket.socket) -> int | None:
    """One 4-byte integer from the server, None if it closed first."""
    data = _read_exactly(connection, HEADER)
    return None if data is None else int.from_bytes(data, "big", signed=True)


def start_in_background(idle_seconds: float | None = None) -> tuple[int, str] | None:
    """Start a server for this installation and settings: its process id and socket.

    None when none can start. The server runs in a session of its own, so the terminal's
    Ctrl-C and hang-up miss it; what it has to say goes to its log file.
    """
    import subprocess

    command = [sys.executable, "-m", "kinspect", "server", "start", "--foreground"]
    if idle_seconds is not None:
        command += ["--idle-timeout", str(idle_seconds)]
    try:
        path = socket_path(prepare_dir())
        log = open_log(log_path(path))
    except OSError:  # no server this time: the run goes on here
        return None
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    except OSError:
        return None
    finally:
        os.close(log)
    return process.pid, path


def send_control(op: str, path: str | None = None) -> dict[str, object] | None:
    """`status` or `stop` to the server at `path` (None: this installation's); None when none
    answers."""
    if path is None:
        directory = socket_dir()
        path = socket_path(directory) if directory else None
    connection = _connect(path) if path else None
    if connection is None:
        return None
    payload = marshal.dumps({"op": op})
    try:
        connection.sendall(len(payload).to_bytes(HEADER, "big") + payload)
        size = _read_int(connection)
        data = _read_exactly(connection, size) if size is not None else None
    except OSError:
        return None
    finally:
        connection.close()
    answer = marshal.loads(data) if data is not None else None
    return answer if isinstance(answer, dict) else None


def _read_exactly(connection: _socket.socket, size: int) -> bytes | None:
    """`size` bytes from the server, None if it closed first."""
    data = b""
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 16))
        if not chunk:
            return None
        data += chunk
    return data
