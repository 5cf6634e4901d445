"""`kinspect fix`: apply the fixes of failing checks to plain YAML files."""

# No `from __future__ import annotations` here: typer reads every command's annotations at
# each start, and string annotations would be compiled and evaluated each time (~4 ms).
import sys
from dataclasses import replace
from typing import Annotated

import typer

from kinspect.cli import config_options as cfg
from kinspect.cli import input_options as opt
from kinspect.cli import report_options as rep
from kinspect.cli.messages import error_line
from kinspect.cli.report_options import split_ids
from kinspect.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK


def fix(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, directories, or - for stdin.")
    ] = None,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print a unified diff, write nothing; exit 1 if any."),
    ] = False,
    checks: Annotated[
        list[str] | None, typer.Option(help="Only fix these checks (comma-separated).")
    ] = None,
    skip_checks: Annotated[list[str] | None, typer.Option(help="Do not fix these checks.")] = None,
    lang: rep.LangOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not list the findings left to fix by hand.")
    ] = False,
    exclude: opt.Excludes = None,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
    baseline: cfg.Baseline = None,
) -> None:
    """Apply the fixes of failing checks to plain YAML files, keeping comments and layout.

    Suppressed, exempted and baselined findings are not fixed. Values only you can choose
    (resources, probes) are written as placeholders marked `TODO(kinspect)`. Helm charts,
    templates and rendered or kustomize-built output are left alone: change their sources.
    """
    from kinspect.config.plan import Options, make_plan
    from kinspect.fix.files import baseline_of, fix_paths
    from kinspect.fix.fixer import fixable
    from kinspect.fix.summary import report_lines

    given = (split_ids(checks), split_ids(skip_checks), None, lang.value if lang else None)
    plan = make_plan(Options(config, *given, rules_dirs=rules_dir, baseline=baseline))
    settings = replace(plan.settings, rules=tuple(fixable(plan.rules)))
    excludes = exclude if exclude is not None else plan.exclude
    accepted = baseline_of(plan.baseline, [rule.id for rule in plan.rules], plan.lang)
    outcome = fix_paths(paths or ["."], settings, diff=diff, excludes=excludes, baseline=accepted)
    for text in outcome.output:
        sys.stdout.write(text)
    for problem in outcome.problems:
        error_line(problem.render())
    for note in outcome.notes:
        error_line(f"note: {note.render()}")
    for line in report_lines(outcome, plan.lang, diff, quiet):
        error_line(line)
    if outcome.problems:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if diff and any(f.changed for f in outcome.files) else EXIT_OK)
