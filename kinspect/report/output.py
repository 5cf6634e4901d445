"""Where reports go: `--format FORMAT[=PATH]` values, language and colour choices."""

from __future__ import annotations

import dataclasses
import os
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


def parse_outputs(values: list[str] | None) -> list[Output]:
    """`FORMAT` or `FORMAT=PATH` values; text on stdout when none is given."""
    from kinspect.report.formats import format_names

    outputs = [_parse(value, format_names()) for value in values or ["text"]]
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


def _parse(value: str, known: tuple[str, ...]) -> Output:
    name, _, path = value.partition("=")
    name = name.strip().lower()
    if name not in known:
        raise UsageError(f"unknown format {name!r} (valid: {', '.join(known)})")
    if "=" in value and not path:
        raise UsageError(f"--format {value}: the file name after '=' is empty")
    return Output(name, path or STDOUT)


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
            target = Path(output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as stream:
                write(report, stream)
        except OSError as exc:
            errors.append(f"{output.path}: cannot write the {output.format} report: {exc.strerror}")
    return errors
