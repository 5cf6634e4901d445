"""Where a user's `kinspect server` sockets live, and which server fits this process.

A server is used only when it was started from this very installation, with the same
interpreter and the same `KINSPECT_*` and `PYTHON*` settings: all of these go into its
socket's name (the fingerprint). Like kinspect.server.client, this imports nothing that takes time.
"""

from __future__ import annotations

import errno
import os
import sys
import zlib

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = 4
"""Bytes of each integer of the protocol: sizes, the fork's process id, its exit code."""


def supported() -> bool:
    """Whether this platform can pass file descriptors to a forking server and tell who is at
    the other end of a socket (SO_PEERCRED: Linux). Elsewhere every command runs on its own."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def socket_dir() -> str | None:
    """The private directory of this user's server sockets (None: none that is safe to use)."""
    directory = socket_dir_path()
    try:
        _verify(directory)
    except OSError:
        return None
    return directory


def socket_dir_path() -> str:
    """`KINSPECT_SERVER_DIR`, else `$XDG_RUNTIME_DIR/kinspect`, else `/tmp/kinspect-UID`."""
    explicit = os.environ.get("KINSPECT_SERVER_DIR")
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if explicit:
        return os.path.abspath(explicit)  # the server leaves its working directory
    if runtime:
        return os.path.join(os.path.abspath(runtime), "kinspect")
    return os.path.join("/tmp", f"kinspect-{os.getuid()}")


def _verify(directory: str) -> None:
    """OSError unless `directory` itself (not a symbolic link to one) is this user's and closed
    to everyone else: whoever can reach a server's socket can run kinspect as this user, and
    whoever can swap the directory can answer in the server's place."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(directory, flags)
    except OSError as exc:
        link = exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(directory)
        reason = "is a symbolic link" if link else f"cannot be opened: {exc.strerror}"
        raise OSError(f"{directory}: the server directory {reason}") from None
    try:
        status = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if not is_private(status):
        message = "must belong to you and be closed to others (chmod 700)"
        raise OSError(f"{directory}: the server directory {message}")


def is_private(status: os.stat_result) -> bool:
    """A directory of this user's that no one else may open."""
    return status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


def fingerprint() -> str:
    """What a server must share with this process to run its commands: 16 hex digits."""
    settings = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith(("KINSPECT_", "PYTHON")) and name not in _PER_RUN
    )
    stamps = (_code_stamp(), _installed_stamp())
    key = repr((sys.executable, sys.version, _PACKAGE_DIR, stamps, settings)).encode()
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"


_PER_RUN = ("KINSPECT_SERVER", "KINSPECT_SERVER_DIR")
"""Settings the client reads itself: they do not change what a run does."""


def _code_stamp() -> list[tuple[str, int, int, int, int]]:
    """The path, size, modification and change times and inode of every code and data file
    kinspect runs from.

    The change time (ctime) cannot be set back: an edit that keeps the size and restores the
    modification time still changes it. Covers an upgrade in place and an edited checkout
    (rules and schemas at its top).
    """
    files = []
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
            files.append(_describe(entry))
    files.sort()  # listing order is the file system's
    return files


def _installed_stamp() -> list[tuple[str, int, int, int, int]]:
    """The distributions installed where this interpreter imports from: an upgraded,
    downgraded or reinstalled dependency (a new `.dist-info` directory) changes them."""
    found = []
    for folder in sys.path:
        if os.path.basename(folder) not in ("site-packages", "dist-packages"):
            continue  # the working directory, the standard library (part of sys.version)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
                found.append(_describe(entry))
    found.sort()
    return found


def _describe(entry: os.DirEntry[str]) -> tuple[str, int, int, int, int]:
    try:
        info = entry.stat()
    except OSError:  # a broken link, or removed since the listing
        return entry.path, -1, 0, 0, 0
    return entry.path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def socket_path(directory: str) -> str:
    """The socket of the server that fits this process."""
    return os.path.join(directory, f"server-{fingerprint()}.sock")


def prepare_dir() -> str:
    """The socket directory, made if missing; OSError when it is not a private directory of
    this user's (a symbolic link, another user's, open to others)."""
    directory = socket_dir_path()
    os.makedirs(os.path.dirname(directory), mode=0o700, exist_ok=True)
    try:  # noqa: SIM105 (contextlib costs the client ~10 ms of imports)
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass  # verified below
    _verify(directory)
    return directory


def open_log(path: str) -> int:
    """A new, empty log file at `path`, write-only. Whatever is there goes first (a symbolic
    link is removed, not followed), so no file that kinspect did not make is ever truncated
    or written through."""
    try:  # noqa: SIM105 (as above)
        os.unlink(path)
    except FileNotFoundError:
        pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(path, flags, 0o600)


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
