"""Inputs: files, directory walks and stdin, read and decoded into text."""

from __future__ import annotations

import codecs
import fnmatch
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kinspect.errors import InputProblem, KinspectError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 32 * 1024 * 1024
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    """One input: `name` is the path as the user gave it, `/`-separated (`-` for stdin)."""

    name: str
    path: Path | None


def collect(
    paths: list[str], excludes: list[str] = (), include_hidden: bool = False
) -> tuple[list[Source], list[InputProblem]]:
    """Expand the command line's paths into sources, in a stable order."""
    sources: list[Source] = []
    problems: list[InputProblem] = []
    for given in paths:
        if given == STDIN:
            sources.append(Source(STDIN, None))
            continue
        path = Path(given)
        name = given.replace(os.sep, "/")
        if path.is_dir():
            walker = _Walk(excludes, include_hidden)
            sources.extend(walker.files(path, name.rstrip("/") or "/"))
            problems.extend(walker.problems)
        elif path.exists() or path.is_symlink():
            sources.append(Source(name, path))
        else:
            problems.append(InputProblem(name, "no such file or directory"))
    return sources, problems


class _Walk:
    """A recursive walk that follows directory symlinks once and reports loops."""

    def __init__(self, excludes: list[str], include_hidden: bool) -> None:
        self.excludes = list(excludes)
        self.include_hidden = include_hidden
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
                InputProblem(name, "directory symlink loop", hint="the directory was already walked")
            )
            return
        self._seen.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(InputProblem(name, f"cannot read directory: {exc.strerror}"))
            return
        for entry in entries:
            yield from self._entry(entry, f"{name}/{entry.name}" if name != "." else entry.name)

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
            yield Source(name, Path(entry.path))

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
        raise KinspectError("file disappeared before it could be read") from None
    except PermissionError:
        raise KinspectError("permission denied", hint="check the file's permissions") from None
    except IsADirectoryError:
        raise KinspectError("is a directory") from None
    except OSError as exc:
        raise KinspectError(f"cannot read file: {exc.strerror or exc}") from None


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
        if b"\0" in data[:8192]:
            raise KinspectError("binary file, not YAML or JSON") from None
        raise KinspectError(
            f"invalid {encoding.upper()} (byte 0x{data[exc.start]:02x})",
            line=line,
            hint="save the file as UTF-8",
        ) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise KinspectError("binary file, not YAML or JSON (NUL byte)", line=line)
    return text
