"""Inputs: files, directory walks and stdin, read and decoded into text."""

from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from kinspect.errors import InputProblem, KinspectError, escape_controls
from kinspect.inputs.kinds import (
    CHART,
    CHART_FILE,
    KUSTOMIZATION,
    KUSTOMIZATION_FILES,
    Source,
)

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 32 * 1024 * 1024
STDIN = "-"


def collect(
    paths: list[str],
    excludes: Sequence[str] = (),
    include_hidden: bool = False,
    render: bool = True,
) -> tuple[list[Source], list[InputProblem]]:
    """Expand the command line's paths into sources, in a stable order.

    `render`: chart and kustomization directories are rendered or built as a whole, and a
    file that a kustomization uses as a patch is marked (noted, not read on its own); without
    it their files are read like any others.
    """
    sources: list[Source] = []
    problems: list[InputProblem] = []
    for given in paths:
        if given == STDIN:
            sources.append(Source(STDIN, None))
            continue
        path = Path(given)
        name = printable_name(given).replace(os.sep, "/")
        if path.is_dir():
            walker = _Walk(excludes, include_hidden, render)
            sources.extend(walker.files(path, name.rstrip("/") or "/"))
            problems.extend(walker.problems)
        elif path.exists() or path.is_symlink():
            sources.append(Source(name, path))
        else:
            problems.append(InputProblem(name, "no such file or directory"))
    if any(source.kind == KUSTOMIZATION for source in sources):
        from kinspect.inputs.kustomize import drop_claimed

        sources = drop_claimed(sources)
    if render:
        from kinspect.inputs.kustomization_files import mark_patches

        sources = mark_patches(sources)
    return sources, problems


class _Walk:
    """A recursive walk that follows directory symlinks once and reports loops."""

    def __init__(self, excludes: Sequence[str], include_hidden: bool, render: bool = True) -> None:
        self.excludes = list(excludes)
        self.include_hidden = include_hidden
        self.render = render
        self.problems: list[InputProblem] = []
        self._seen: set[tuple[int, int]] = set()

    def files(self, directory: Path, name: str) -> Iterator[Source]:
        try:
            info = directory.stat()
        except OSError as exc:
            self.problems.append(InputProblem(name, f"cannot read directory: {exc.strerror}"))
            return
        key = (info.st_dev, info.st_ino)
        if key in self._seen:
            self.problems.append(
                InputProblem(
                    name, "directory symlink loop", hint="the directory was already walked"
                )
            )
            return
        self._seen.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(InputProblem(name, f"cannot read directory: {exc.strerror}"))
            return
        names = {entry.name for entry in entries} if self.render else set()
        if any(file in names for file in KUSTOMIZATION_FILES):
            # Built as a whole; drop_claimed() later removes the files it uses.
            yield Source(name, directory, KUSTOMIZATION)
        elif CHART_FILE in names:
            # Rendered as a whole: its templates, values and subcharts are not manifests.
            yield Source(name, directory, CHART)
            return
        for entry in entries:
            base = printable_name(entry.name)
            yield from self._entry(entry, f"{name}/{base}" if name != "." else base)

    def _entry(self, entry: os.DirEntry[str], name: str) -> Iterator[Source]:
        if self._excluded(entry.name, name):
            return
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from self.files(Path(entry.path), name)
        elif entry.name.endswith(MANIFEST_SUFFIXES):
            # A regular file needs no system call: the directory listing says what it is.
            special = None if entry.is_file(follow_symlinks=False) else _special_file(entry)
            if special is None:
                yield Source(name, Path(entry.path))
            else:
                # Reading a FIFO would block the run; a device may never end.
                self.problems.append(
                    InputProblem(name, f"not a regular file ({special})", hint="skipped")
                )

    def _excluded(self, base: str, name: str) -> bool:
        if not self.include_hidden and base.startswith("."):
            return True
        return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(base, g) for g in self.excludes)


def read_text(source: Source, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The decoded text of a source; every failure is a KinspectError with a hint."""
    if source.path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        data = _read_file(source.path, max_bytes)
    if len(data) > max_bytes:
        raise KinspectError(
            f"larger than the limit of {max_bytes:,} bytes", hint="raise --max-file-size"
        )
    return decode(data)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        if path.is_symlink():
            raise KinspectError("broken symbolic link", hint="its target does not exist") from None
        raise KinspectError("file disappeared before it could be read") from None
    except PermissionError:
        raise KinspectError("permission denied", hint="check the file's permissions") from None
    except IsADirectoryError:
        raise KinspectError("is a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise KinspectError(
                "symbolic link loop", hint="the link points back at itself through other links"
            ) from None
        raise KinspectError(f"cannot read file: {exc.strerror or exc}") from None


def _special_file(entry: os.DirEntry[str]) -> str | None:
    """What kind of non-regular file `entry` is (FIFO, socket, device), or None."""
    try:
        mode = entry.stat().st_mode
    except OSError:
        return None  # broken link or vanished: reading it reports why
    for test, label in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return label
    return None


def printable_name(name: str) -> str:
    """A file name fit for one line of output: undecodable bytes and controls escaped."""
    if not name.isascii() and any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        raw = name.encode("utf-8", "surrogateescape")
        name = raw.decode("utf-8", "backslashreplace")
    return escape_controls(name)


def decode(data: bytes) -> str:
    """UTF-8 (BOM allowed) or BOM-marked UTF-16/32; binary data is refused."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    return _decode(data, "utf-8")


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if encoding == "utf-8" and b"\0" in data[:8192]:
            raise KinspectError("binary file, not YAML or JSON", hint=_utf16_hint(data)) from None
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode(encoding, "replace")) + 1
        raise KinspectError(
            f"invalid {encoding.upper()} (byte 0x{data[exc.start]:02x})",
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise KinspectError(
            "binary file, not YAML or JSON (NUL byte)", line=line, hint=_utf16_hint(data)
        )
    return text


def _utf16_hint(data: bytes) -> str | None:
    """A hint when NUL bytes alternate with text, as in UTF-16 saved without a BOM."""
    even, odd = data[:512:2], data[1:512:2]
    if len(odd) < 4:
        return None
    zeros = sorted((even.count(0) / len(even), odd.count(0) / len(odd)))
    if zeros[0] < 0.1 and zeros[1] > 0.9:
        return "this looks like UTF-16 without a byte order mark; save it as UTF-8"
    return None
