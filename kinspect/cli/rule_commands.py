"""`kinspect rules`, `kinspect explain` and `kinspect docs`: the catalog and its pages."""

# No `from __future__ import annotations` here: typer reads every command's annotations at
# each start, and string annotations would be compiled and evaluated each time (~4 ms).
from typing import Annotated

import typer

from kinspect.cli import config_options as cfg
from kinspect.cli import report_options as rep
from kinspect.cli.messages import error_line
from kinspect.errors import EXIT_FINDINGS, EXIT_OK, UsageError


def list_rules(
    lang: rep.LangOption = None,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
) -> None:
    """List every rule: id, category, severity, whether it runs (with the config), title."""
    from kinspect.config.plan import Options, make_plan

    plan = make_plan(Options(config, lang=lang.value if lang else None, rules_dirs=rules_dir))
    running = {rule.id: rule for rule in plan.rules}
    width = max(len(rule.id) for rule in plan.all_rules)
    for known in plan.all_rules:
        rule = running.get(known.id, known)  # with the configured severity when it runs
        state = "on " if rule.id in running else "off"
        title = rule.text(plan.lang).title
        print(f"{rule.id:<{width}}  {rule.category:<13}  {rule.severity:<7}  {state}  {title}")


def explain(
    check: Annotated[str, typer.Argument(help="Check id, e.g. hostNetworkSet.")],
    lang: rep.LangOption = None,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
) -> None:
    """Print a check's risk, fix and example (custom rules of the config or --rules-dir too)."""
    from kinspect.config.plan import Options, make_plan
    from kinspect.ruleset.rules import select

    plan = make_plan(Options(config, lang=lang.value if lang else None, rules_dirs=rules_dir))
    (rule,) = select(plan.all_rules, [check], None)
    texts = rule.text(plan.lang)
    print(f"{rule.id} ({rule.category}, {rule.severity}): {texts.title}\n")
    print(f"Risk:\n  {texts.risk}\n\nFix:\n  {texts.fix}\n\nExample:")
    print("\n".join(f"  {line}" for line in rule.fix_example.rstrip().splitlines()))
    print("\nReferences:\n" + "\n".join(f"  {url}" for url in rule.references))
    if rule.parameters:
        from kinspect.check.evaluate import render_value

        print("\nParameters (change them under `parameters:` in .kinspect.yaml):")
        values = sorted(rule.parameters.items())
        print("\n".join(f"  {key}: {render_value(value, None)}" for key, value in values))


def docs(
    output: Annotated[str, typer.Option(help="Directory of the pages.")] = "docs/rules",
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if a page is out of date.")
    ] = False,
    fixtures: Annotated[
        str | None,
        typer.Option(help="Failing examples, <dir>/<id>/fail-*.yaml (default: tests/fixtures)."),
    ] = None,
) -> None:
    """Generate Markdown docs for every rule: <output>/<id>.md and a README.md table."""
    from pathlib import Path

    from kinspect.cli.docs import default_fixtures, render_docs, stale_files, write_docs
    from kinspect.ruleset.rules import load_rules

    if fixtures is not None and not Path(fixtures).is_dir():
        raise UsageError(f"{fixtures}: fixtures directory not found")
    pages = render_docs(load_rules(), Path(fixtures) if fixtures else default_fixtures())
    if check:
        stale = stale_files(pages, Path(output))
        for name in stale:
            error_line(
                f"{output}/{name}: out of date (hint: run `kinspect docs --output {output}`)"
            )
        raise typer.Exit(EXIT_FINDINGS if stale else EXIT_OK)
    for name in write_docs(pages, Path(output)):
        print(f"{output}/{name}")
