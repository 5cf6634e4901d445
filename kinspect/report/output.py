"""Where reports go: `--format FORMAT[=PATH]` values, language and colour choices."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kinspect.errors import UsageError
from kinspect.report.model import Report

STDOUT = "-"


@dataclass(frozen=True, slots=True)
class Output:
    """One report to write: a format and a file (`-`: standard output)."""

    format: str
    path: str = STDOUT
    root: Path | None = None
    """The directory the file must stay in (a path named by a configuration file)."""


def parse_outputs(
    values: list[str] | None, *, root: Path | None = None, hook: bool = False
) -> list[Output]:
    """`FORMAT` or `FORMAT=PATH` values; text on stdout when none is given.

    `root` is set when the values come from a configuration file. A hook run writes no file:
    a configuration's report files are left out, the command line's are refused.
    """
    from kinspect.report.formats import format_names

    outputs = [_parse(value, format_names(), root) for value in values or ["text"]]
    if hook:
        outputs = _on_stdout_only(outputs, from_config=root is not None)
    on_stdout = [o.format for o in outputs if o.path == STDOUT]
    if len(on_stdout) > 1:
        raise UsageError(
            f"only one format can go to standard output, got {', '.join(on_stdout)}"
            " (hint: write the others to files with --format FORMAT=PATH)"
        )
    paths = [o.path for o in outputs if o.path != STDOUT]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise UsageError(f"several formats would be written to {', '.join(duplicates)}")
    return outputs


def _on_stdout_only(outputs: list[Output], *, from_config: bool) -> list[Output]:
    files = [o for o in outputs if o.path != STDOUT]
    if files and not from_config:
        raise UsageError(
            f"--format {files[0].format}={files[0].path}: pre-commit hooks write no report files"
            " (hint: run kinspect outside the hook to write reports)"
        )
    return [o for o in outputs if o.path == STDOUT] or [Output("text")]


def _parse(value: str, known: tuple[str, ...], root: Path | None = None) -> Output:
    name, _, path = value.partition("=")
    name = name.strip().lower()
    if name not in known:
        raise UsageError(f"unknown format {name!r} (valid: {', '.join(known)})")
    if "=" in value and not path:
        raise UsageError(f"--format {value}: the file name after '=' is empty")
    return Output(name, path or STDOUT, root if path else None)


def detect_language(given: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """`--lang`, else the locale of the environment (LC_ALL, LC_MESSAGES, LANG): zh* → zh."""
    if given:
        return given
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:  # the first one set decides, as in POSIX locale lookup
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def wants_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write_outputs(report: Report, outputs: list[Output], stdout: TextIO) -> list[str]:
    """Render and write every output; the errors (one line each) of those that failed."""
    from kinspect.report.formats import get_writer

    errors = []
    for output in outputs:
        write = get_writer(output.format)
        if output.path == STDOUT:
            display = dataclasses.replace(report.display, color=wants_color(stdout))
            write(dataclasses.replace(report, display=display), stdout)
            continue
        try:
            with _open_report(output) as stream:
                write(report, stream)
        except _Refused as exc:
            errors.append(f"{output.path}: {exc} (hint: name a file inside the repository)")
        except OSError as exc:
            errors.append(f"{output.path}: cannot write the {output.format} report: {exc.strerror}")
    return errors


class _Refused(Exception):
    """A configuration's report file that resolves outside its repository."""


def _open_report(output: Output) -> TextIO:
    """The report file, opened for writing; a confined one is checked again as it is opened,
    and never through a symbolic link as its last component."""
    from kinspect.report.confine import inside

    target = Path(output.path)
    if output.root is not None and not inside(target, output.root):
        raise _Refused(f"the {output.format} report would be written outside the repository")
    if output.root is not None and _executable(target):
        raise _Refused(f"{target} is a program: the {output.format} report does not replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_NOFOLLOW if output.root else 0)
    return open(os.open(target, flags, 0o666), "w", encoding="utf-8")


def _executable(path: Path) -> bool:
    """Whether `path` exists as something other than a plain, non-executable file."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) or bool(mode & 0o111)
