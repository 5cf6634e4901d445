"""How `kinspect fix` replaces a file, and which files it refuses to replace.

The files come from a repository that may be hostile: a symbolic link or a kustomization can
point anywhere, and the user may run kinspect as root. So a fixed file is written only when
its real path lies inside a path the user gave, it is a regular file with a single link that
its mode lets its owner write, and it still holds what was read; the new file keeps the old
one's mode, owner and group, and replaces it atomically (a temporary file renamed over it).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
TEMPORARY_PREFIX = "."
TEMPORARY_SUFFIX = ".tmp"
"""A temporary file is named `.NAME.XXXXXXXX.tmp`: a walk skips hidden files and only reads
`.yaml`, `.yml` and `.json`, so one left by a killed fix is never taken for a manifest."""


class ChangedOnDisk(Exception):
    """The file's bytes are no longer those that were read."""


class WriteRefused(Exception):
    """The file is not one kinspect fix replaces: `reason` names the text (kinspect.fixtexts)
    that says why, `values` fill it in."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


def roots_of(paths: Sequence[str]) -> list[str]:
    """The real directories fixed files may lie in: each directory given, and the directory
    of each file given (a symbolic link named on the command line is the repository's too).

    A relative path that stays below the working directory (`k8s`, `k8s/app.yaml`) must also
    resolve below it: `k8s -> /home/user/.kube` in a cloned repository gives no root at all.
    """
    here = os.path.realpath(".")
    roots = []
    for given in paths:
        if given == "-":
            continue
        directory = given if os.path.isdir(given) else os.path.dirname(given) or "."
        real = os.path.realpath(directory)
        below = not os.path.isabs(given) and os.path.normpath(given).split(os.sep)[0] != ".."
        if below and not inside(real, [here]):
            continue
        roots.append(real)
    return roots


def inside(real: str, roots: Sequence[str]) -> bool:
    """Whether the real path `real` is one of `roots` or lies under one."""
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def encode(text: str, original: bytes) -> bytes:
    """`text` in the encoding (and with the byte order mark) of the original bytes."""
    for bom, encoding in _BOMS:
        if original.startswith(bom):
            return bom + text.encode(encoding)
    return text.encode("utf-8")


def write_fixed(path: Path, roots: Sequence[str], original: bytes, new: bytes) -> None:
    """Replace the file at `path` (a symbolic link: its target) by `new`; WriteRefused when
    its real path is outside `roots`, ChangedOnDisk when it no longer holds `original`."""
    real = os.path.realpath(path)
    if not inside(real, roots):
        raise WriteRefused("outside", path=real)
    write_atomic(Path(real), original, new)  # the name is opened without following links


def write_atomic(path: Path, original: bytes, new: bytes) -> None:
    """Replace the file (a symbolic link's target) by `new` if it still holds `original`."""
    real = Path(os.path.realpath(path))
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not block
    with os.fdopen(os.open(real, flags), "rb") as current:
        status = os.fstat(current.fileno())
        _check_replaceable(real, status)
        if current.read(len(original) + 1) != original:
            raise ChangedOnDisk
    descriptor, temporary = tempfile.mkstemp(
        prefix=f"{TEMPORARY_PREFIX}{real.name}.", suffix=TEMPORARY_SUFFIX, dir=real.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new)
            handle.flush()
            _keep_owner_and_mode(handle.fileno(), status)
            os.fsync(handle.fileno())
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(real: Path, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise WriteRefused("notRegular")
    if status.st_nlink > 1:
        # Replacing one name would split the links; writing through them would change a file
        # that other paths, maybe outside the repository, name (a link has no real path).
        raise WriteRefused("hardLinks", count=status.st_nlink)
    if not status.st_mode & stat.S_IWUSR or not os.access(real, os.W_OK):
        raise WriteRefused("readOnly")  # root may write anything: the mode says what's meant


def _keep_owner_and_mode(descriptor: int, status: os.stat_result) -> None:
    """Give the new file the old one's owner, group and mode (owner first: chown may clear
    the set-id bits)."""
    mine = os.fstat(descriptor)
    if (mine.st_uid, mine.st_gid) != (status.st_uid, status.st_gid):
        try:
            os.fchown(descriptor, status.st_uid, status.st_gid)
        except OSError as exc:
            raise WriteRefused("owner", error=exc.strerror or str(exc)) from None
    os.fchmod(descriptor, stat.S_IMODE(status.st_mode))
