"""The server's settings (initializationOptions, workspace/didChangeConfiguration) and the run
plan of each directory, made by kinspect.config.plan as on the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kinspect.config.plan import Options, RunPlan, make_plan
from kinspect.config.project import find_config
from kinspect.inputs.streams import InputOptions

LANGUAGES = ("en", "zh")
FAIL_ON = ("danger", "warning")
DEBOUNCE_MS = 50
"""Quiet time after the last change before a buffer is inspected: typing stays smooth."""


@dataclass(frozen=True)
class ServerSettings:
    """What the editor may set; None: the project's `.kinspect.yaml`, else kinspect's default."""

    lang: str | None = None
    fail_on: str | None = None
    checks: list[str] | None = None
    skip_checks: list[str] | None = None
    debounce_ms: int = DEBOUNCE_MS
    ignored: list[str] = field(default_factory=list)
    """Settings that were not understood (for the log)."""


def read_settings(given: object) -> ServerSettings:
    """Settings from the editor's JSON: `{"kinspect": {...}}` or the inner object itself.

    Keys: `lang` (en, zh), `failOn` (danger, warning), `checks` and `skipChecks` (lists of
    check ids), `debounce` (milliseconds). Anything else is ignored and named in the log.
    """
    data = given.get("kinspect", given) if isinstance(given, dict) else {}
    data = data if isinstance(data, dict) else {}
    ignored = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        name, parsed = _setting(key, value)
        if name is None:
            ignored.append(key)
        else:
            values[name] = parsed
    return ServerSettings(**values, ignored=ignored)


def _setting(key: str, value: object) -> tuple[str | None, object]:
    if key == "lang" and value in LANGUAGES:
        return "lang", value
    if key in ("failOn", "fail-on") and value in FAIL_ON:
        return "fail_on", value
    if key in ("checks", "skipChecks", "skip-checks") and isinstance(value, list) and _ids(value):
        return ("checks" if key == "checks" else "skip_checks"), list(value)
    if key == "debounce" and isinstance(value, int) and not isinstance(value, bool):
        return "debounce_ms", min(max(value, 0), 5_000)
    return None, None


def _ids(value: list[object]) -> bool:
    return all(isinstance(item, str) for item in value)


class Plans:
    """The run plan of each directory, remade when its `.kinspect.yaml` changes."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._plans: dict[Path, tuple[tuple[str, int] | None, RunPlan]] = {}

    def configure(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._plans.clear()

    def forget(self) -> None:
        """Drop every plan (a file was saved: a Polaris config or rules may have changed)."""
        self._plans.clear()

    def plan_for(self, directory: Path) -> RunPlan:
        """The plan for files of `directory`; UsageError for a bad configuration."""
        found = find_config(directory)
        stamp = (str(found), os.stat(found).st_mtime_ns) if found is not None else None
        cached = self._plans.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        given = self.settings
        options = Options(
            config=str(found) if found is not None else None,
            checks=given.checks,
            skip_checks=given.skip_checks,
            fail_on=given.fail_on,
            lang=given.lang,
        )
        plan = make_plan(options, cwd=directory)
        # buffers are plain text: never a chart render or a kustomize build
        plan = replace(plan, settings=replace(plan.settings, inputs=InputOptions()))
        self._plans[directory] = (stamp, plan)
        return plan
