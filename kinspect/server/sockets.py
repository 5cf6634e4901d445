"""Where a user's `kinspect server` sockets live, and which server fits this process.

A server is used only when it was started from this very installation, with the same
interpreter and the same `KINSPECT_*` and `PYTHON*` settings: all of these go into its
socket's name (the fingerprint). Like kinspect.server.client, this imports nothing that takes time.
"""

from __future__ import annotations

import os
import sys
import zlib

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = 4
"""Bytes of each integer of the protocol: sizes, the fork's process id, its exit code."""


def supported() -> bool:
    """Whether this platform can pass file descriptors to a forking server."""
    return hasattr(os, "fork") and hasattr(os, "getuid") and sys.platform != "win32"


def socket_dir() -> str | None:
    """The private directory of this user's server sockets (None: none that is safe to use)."""
    directory = socket_dir_path()
    try:
        status = os.stat(directory)
    except OSError:
        return None
    return directory if is_private(status) else None


def socket_dir_path() -> str:
    """`KINSPECT_SERVER_DIR`, else `$XDG_RUNTIME_DIR/kinspect`, else `/tmp/kinspect-UID`."""
    explicit = os.environ.get("KINSPECT_SERVER_DIR")
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if explicit:
        return os.path.abspath(explicit)  # the server leaves its working directory
    if runtime:
        return os.path.join(runtime, "kinspect")
    return os.path.join("/tmp", f"kinspect-{os.getuid()}")


def is_private(status: os.stat_result) -> bool:
    """A directory of this user's, closed to everyone else: whoever can reach a server's
    socket can run kinspect as this user."""
    return status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


def fingerprint() -> str:
    """What a server must share with this process to run its commands: 16 hex digits."""
    settings = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith(("KINSPECT_", "PYTHON")) and name not in _PER_RUN
    )
    key = repr((sys.executable, sys.version, _PACKAGE_DIR, _code_stamp(), settings)).encode()
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"


_PER_RUN = ("KINSPECT_SERVER", "KINSPECT_SERVER_DIR")
"""Settings the client reads itself: they do not change what a run does."""


def _code_stamp() -> tuple[int, int]:
    """Newest modification time and number of the code and data files kinspect runs from.

    Covers an upgrade in place and an edited checkout (rules and schemas at its top).
    """
    newest = count = 0
    folders = [_PACKAGE_DIR]
    for name in ("rules", "schemas"):  # in the package when installed (see kinspect.bundled)
        if not os.path.isdir(os.path.join(_PACKAGE_DIR, name)):
            folders.append(os.path.join(os.path.dirname(_PACKAGE_DIR), name))
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    folders.append(entry.path)
                continue
            newest = max(newest, entry.stat().st_mtime_ns)
            count += 1
    return newest, count


def socket_path(directory: str) -> str:
    """The socket of the server that fits this process."""
    return os.path.join(directory, f"server-{fingerprint()}.sock")


def prepare_dir() -> str:
    """The socket directory, made if missing; OSError when it cannot be made private."""
    directory = socket_dir_path()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if not is_private(os.stat(directory)):
        message = "must belong to you and be closed to others (chmod 700)"
        raise OSError(f"{directory}: the server directory {message}")
    return directory


def log_path(socket: str) -> str:
    """Where the server of `socket` writes what goes wrong outside a run."""
    return socket.removesuffix(".sock") + ".log"


def server_sockets() -> list[str]:
    """The sockets of every server of this user (any installation or settings)."""
    directory = socket_dir()
    if directory is None:
        return []
    names = sorted(os.listdir(directory))
    ours = [name for name in names if name.startswith("server-") and name.endswith(".sock")]
    return [os.path.join(directory, name) for name in ours]
