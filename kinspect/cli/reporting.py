"""What `lint` and `cluster` share: inspect the sources, write the reports, exit."""

# No `from __future__ import annotations` here: typer reads every command's annotations at
# each start, and string annotations would be compiled and evaluated each time (~4 ms).
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import typer

from kinspect.cli.messages import error_line
from kinspect.cli.report_options import FailOn
from kinspect.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:  # loaded by the commands that use them, not at every start
    from kinspect.config.plan import RunPlan
    from kinspect.errors import InputProblem
    from kinspect.inputs.kinds import Source
    from kinspect.inputs.streams import InputOptions
    from kinspect.parse.limits import Limits
    from kinspect.report.model import Display, SarifOptions
    from kinspect.report.output import Output
    from kinspect.ruleset.model import Rule


@dataclass(frozen=True)
class Reporting:
    """What `lint` and `cluster` share: the rules, the language, where reports go and how."""

    rules: "list[Rule]"
    language: str
    outputs: "list[Output]"
    display: "Display"
    fail_on: FailOn
    plan: "RunPlan | None" = None
    """Suppression settings and the baseline (lint only)."""
    sarif: "SarifOptions | None" = None
    limits: "Limits | None" = None
    progress: bool = True


def inspect_and_report(
    sources: "list[Source]",
    problems: "list[InputProblem]",
    run: Reporting,
    inputs: "InputOptions",
) -> None:
    """Inspect the sources, write the reports, exit with the documented code."""
    from kinspect.cli.progress import progress_bar
    from kinspect.engine.run import Settings, inspect_sources
    from kinspect.report.model import build_report
    from kinspect.report.output import write_outputs

    progress = progress_bar(len(sources), sys.stderr, enabled=run.progress)
    try:
        settings = Settings(tuple(run.rules), run.language, inputs=inputs)
        if run.limits is not None:
            settings = replace(settings, limits=run.limits)
        if run.plan is not None:
            plan = run.plan.settings
            settings = replace(settings, suppressor=plan.suppressor, pod_security=plan.pod_security)
        outcome = inspect_sources(sources, settings, progress)
    finally:
        if progress is not None:
            progress.close()
    outcome.problems[:0] = problems
    if run.plan is not None:
        from kinspect.config.plan import baseline_stage

        for message in baseline_stage(outcome, run.plan):
            error_line(message)
    report = build_report(outcome, run.rules, run.language, run.display, run.sarif)
    if any(output.format == "sarif" for output in run.outputs):
        from kinspect.fix.sarif import finding_changes

        report.fixes = finding_changes(report.failures, run.rules, run.language)
    for problem in report.problems:
        error_line(problem.render())
    for note in report.notes:
        error_line(f"note: {note.render()}")
    write_errors = write_outputs(report, run.outputs, sys.stdout)
    for message in write_errors:
        error_line(message)
    failed = report.problems != [] or write_errors != []
    raise typer.Exit(exit_code(failed, report.counts.danger, report.counts.warning, run.fail_on))


def exit_code(had_problems: bool, danger: int, warning: int, fail_on: FailOn) -> int:
    if had_problems:
        return EXIT_ERROR
    if fail_on is FailOn.danger and danger:
        return EXIT_FINDINGS
    if fail_on is FailOn.warning and (danger or warning):
        return EXIT_FINDINGS
    return EXIT_OK
