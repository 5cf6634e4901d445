"""The Python API for embedding kinspect: inspect paths or text, get the report model back.

It runs the pipeline of `kinspect lint` (configuration, rule selection, Helm and kustomize
inputs, suppressions, baseline) and never prints or exits: unreadable inputs are in
`Report.problems`, bad arguments and configuration raise `UsageError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kinspect.errors import UsageError

if TYPE_CHECKING:
    from kinspect.config.plan import RunPlan
    from kinspect.engine.run import Settings
    from kinspect.inputs.kinds import Source
    from kinspect.model import Outcome
    from kinspect.report.model import Report

PathArg = str | os.PathLike[str]
LANGUAGES = ("en", "zh")


def lint(
    paths: PathArg | Iterable[PathArg],
    config: PathArg | None = None,
    *,
    checks: Iterable[str] | None = None,
    skip_checks: Iterable[str] | None = None,
    lang: str | None = None,
) -> Report:
    """Inspect files and directories (recursively), as `kinspect lint PATHS` does.

    `config` is a `.kinspect.yaml` (None: found from the working directory upwards, as on the
    command line); `checks` runs only these check ids, `skip_checks` leaves some out; `lang`
    is `en` or `zh` (None: the configuration's, else the environment's).
    """
    from kinspect.inputs.sources import collect

    plan = _plan(config, checks, skip_checks, lang)
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    sources, problems = collect([os.fspath(path) for path in given], plan.exclude)
    outcome = _inspect(plan, sources)
    outcome.problems[:0] = problems
    return _report(plan, outcome)


def lint_text(
    text: str,
    name: str = "-",
    config: PathArg | None = None,
    *,
    checks: Iterable[str] | None = None,
    skip_checks: Iterable[str] | None = None,
    lang: str | None = None,
) -> Report:
    """Inspect the YAML or JSON documents of `text`; findings name the file `name`."""
    from kinspect.engine.run import finish, inspect_text

    plan = _plan(config, checks, skip_checks, lang)
    settings = _settings(plan)
    return _report(plan, finish(inspect_text(name, text, settings), settings))


def _plan(
    config: PathArg | None,
    checks: Iterable[str] | None,
    skip: Iterable[str] | None,
    lang: str | None,
) -> RunPlan:
    from kinspect.config.plan import Options, make_plan

    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r} (valid: {', '.join(LANGUAGES)})")
    for value in (checks, skip):
        if isinstance(value, str):  # a single id would otherwise be read letter by letter
            raise UsageError(f"pass check ids as a list, not the string {value!r}")
    return make_plan(
        Options(
            config=os.fspath(config) if config is not None else None,
            checks=list(checks) if checks is not None else None,
            skip_checks=list(skip) if skip is not None else None,
            lang=lang,
        )
    )


def _settings(plan: RunPlan) -> Settings:
    from dataclasses import replace

    from kinspect.inputs.streams import InputOptions

    return replace(plan.settings, inputs=InputOptions())


def _inspect(plan: RunPlan, sources: list[Source]) -> Outcome:
    from kinspect.engine.run import inspect_sources

    return inspect_sources(sources, _settings(plan))


def _report(plan: RunPlan, outcome: Outcome) -> Report:
    from kinspect.config.plan import baseline_stage
    from kinspect.report.model import build_report

    baseline_stage(outcome, plan)  # messages about stale entries are for the command line
    return build_report(outcome, plan.rules, plan.lang)
