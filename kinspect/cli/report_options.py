"""Command-line options shared by the commands that report: formats, language, rule choice,
threshold and what the text shows (typer types only)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class FailOn(StrEnum):
    """Lowest severity that makes a run exit 1."""

    danger = "danger"
    warning = "warning"
    never = "never"


class Lang(StrEnum):
    """Language of rule texts and labels."""

    en = "en"
    zh = "zh"


Formats = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT[=PATH]",
        help="text, json, sarif, junit, markdown, html or gitlab; repeat it to write several "
        "reports: FORMAT goes to stdout, FORMAT=PATH to a file.  [default: text]",
    ),
]
LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang", help="Language of the texts (default: LC_ALL/LC_MESSAGES/LANG, zh* → zh)."
    ),
]
Checks = Annotated[
    list[str] | None, typer.Option("--checks", help="Only these checks (comma-separated).")
]
SkipChecks = Annotated[list[str] | None, typer.Option("--skip-checks", help="Skip these checks.")]
FailOnOption = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on", help="Exit 1 on failures of this severity or worse.  [default: danger]"
    ),
]
ShowPassed = Annotated[bool, typer.Option(help="List passing checks too (text).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print the failures only (text).")]
NoProgress = Annotated[
    bool, typer.Option("--no-progress", help="No progress bar (shown only on a terminal).")
]
SarifRoot = Annotated[
    str | None,
    typer.Option(help="Make SARIF paths relative to this directory (default: git top level)."),
]
SarifCategory = Annotated[
    str | None, typer.Option(help="SARIF automationDetails.id: tells several uploads apart.")
]


def split_ids(values: list[str] | None) -> list[str] | None:
    """`--checks a,b --checks c` → [a, b, c]; None when not given."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]
