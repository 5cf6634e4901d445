"""GitLab Code Quality: a JSON array of issues for merge request widgets and diffs.

Paths are relative to the git top level of each file (else the working directory), because
GitLab matches them against the repository. A fingerprint leaves the line out, so a finding
keeps its identity when lines above it move, and GitLab does not report it as new.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from kinspect.errors import InputProblem
from kinspect.model import Result
from kinspect.report.model import Report

SEVERITIES = {"danger": "critical", "warning": "major"}
INPUT_ERROR = "inputError"
"""check_name of an input that could not be read or parsed (it may hide any finding)."""


def render(report: Report) -> str:
    """The Code Quality report: failures (not suppressed ones), then input errors."""
    seen: Counter[str] = Counter()
    issues = [_issue(result, seen) for result in report.failures]
    issues += [_problem(problem, seen) for problem in report.problems]
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def _issue(result: Result, seen: Counter[str]) -> dict[str, Any]:
    if result.source_file is not None:  # rendered from a template: point at what users edit
        path, line = repo_path(result.source_file), result.source_line or 1
    else:
        path, line = repo_path(result.file), result.line
    identity = [result.check, path, result.kind, result.namespace or "", result.name]
    identity += [result.container_type or "", result.container or "", result.path]
    return {
        "type": "issue",
        "description": f"{result.resource}: {result.message}",
        "check_name": result.check,
        "fingerprint": _fingerprint(identity, seen),
        "severity": SEVERITIES.get(result.severity, "minor"),
        "location": {"path": path, "lines": {"begin": line}},
    }


def _problem(problem: InputProblem, seen: Counter[str]) -> dict[str, Any]:
    path = repo_path(problem.file)
    text = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    return {
        "type": "issue",
        "description": text,
        "check_name": INPUT_ERROR,
        "fingerprint": _fingerprint([INPUT_ERROR, path, problem.message], seen),
        "severity": "blocker",
        "location": {"path": path, "lines": {"begin": problem.line or 1}},
    }


def _fingerprint(identity: list[str], seen: Counter[str]) -> str:
    """A hash of what identifies the finding; repeats (duplicate resources) get a counter."""
    key = "\0".join(identity)
    seen[key] += 1
    if seen[key] > 1:
        key += f"\0{seen[key]}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def repo_path(name: str) -> str:
    """`name` relative to its git top level, else to the working directory (`/`-separated)."""
    if name == "-":
        return "stdin"
    absolute = Path(os.path.abspath(name))
    root = _toplevel(absolute.parent) or Path(os.path.abspath("."))
    if absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    return name.replace(os.sep, "/")


@cache
def _toplevel(directory: Path) -> Path | None:
    """The nearest directory at or above `directory` that holds `.git`."""
    if (directory / ".git").exists():
        return directory
    return None if directory.parent == directory else _toplevel(directory.parent)
