"""Command line (typer only): parse options, call the engine, pick reporters, exit."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from kinspect.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError

app = typer.Typer(
    name="kinspect",
    help="Inspect Kubernetes manifests for security and reliability risks.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class FailOn(str, Enum):
    """Lowest severity that makes `lint` exit 1."""

    danger = "danger"
    warning = "warning"
    never = "never"


class Lang(str, Enum):
    """Language of rule texts and labels."""

    en = "en"
    zh = "zh"


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@app.command()
def lint(
    paths: Annotated[list[str] | None, typer.Argument(help="Files, directories, or - for stdin.")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    lang: Annotated[Lang, typer.Option(help="Language of the texts.")] = Lang.en,
    checks: Annotated[list[str] | None, typer.Option(help="Only these checks (comma-separated).")] = None,
    skip_checks: Annotated[list[str] | None, typer.Option(help="Skip these checks.")] = None,
    fail_on: Annotated[FailOn, typer.Option(help="Exit 1 on failures of this severity or worse.")] = FailOn.danger,
    show_passed: Annotated[bool, typer.Option(help="List passing checks too (text).")] = False,
) -> None:
    """Inspect manifests and report every finding with its file, line and fix."""
    from kinspect.engine import Settings, inspect_sources
    from kinspect.report import Display, build_report
    from kinspect.reporters import get_reporter
    from kinspect.rules import load_rules, select
    from kinspect.sources import collect

    try:
        render = get_reporter(output_format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    rules = select(load_rules(), _split(checks), _split(skip_checks))
    sources, problems = collect(paths or ["."])
    outcome = inspect_sources(sources, Settings(tuple(rules), lang.value))
    outcome.problems[:0] = problems
    report = build_report(outcome, rules, lang.value, Display(show_passed=show_passed))
    for problem in report.problems:
        _error(problem.render())
    sys.stdout.write(render(report))
    raise typer.Exit(_exit_code(report.problems != [], report.counts.danger, report.counts.warning, fail_on))


def _exit_code(had_problems: bool, danger: int, warning: int, fail_on: FailOn) -> int:
    if had_problems:
        return EXIT_ERROR
    if fail_on is FailOn.danger and danger:
        return EXIT_FINDINGS
    if fail_on is FailOn.warning and (danger or warning):
        return EXIT_FINDINGS
    return EXIT_OK


@app.command("rules")
def list_rules(
    lang: Annotated[Lang, typer.Option(help="Language of the titles.")] = Lang.en,
) -> None:
    """List every rule: id, category, severity, whether it runs by default, title."""
    from kinspect.rules import load_rules

    rules = load_rules()
    width = max(len(rule.id) for rule in rules)
    for rule in rules:
        state = "on " if rule.enabled else "off"
        title = rule.text(lang.value).title
        print(f"{rule.id:<{width}}  {rule.category:<13}  {rule.severity:<7}  {state}  {title}")


@app.command()
def explain(
    check: Annotated[str, typer.Argument(help="Check id, e.g. hostNetworkSet.")],
    lang: Annotated[Lang, typer.Option(help="Language of the texts.")] = Lang.en,
) -> None:
    """Print a check's risk, fix and example."""
    from kinspect.rules import load_rules, select

    (rule,) = select(load_rules(), [check], None)
    texts = rule.text(lang.value)
    print(f"{rule.id} ({rule.category}, {rule.severity}): {texts.title}\n")
    print(f"Risk:\n  {texts.risk}\n\nFix:\n  {texts.fix}\n\nExample:")
    print("\n".join(f"  {line}" for line in rule.fix_example.rstrip().splitlines()))
    print("\nReferences:\n" + "\n".join(f"  {url}" for url in rule.references))


def _error(message: str) -> None:
    sys.stderr.write(f"kinspect: {message}\n")


def main() -> None:
    """Console entry point: usage errors and crashes become one line and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click's usage errors (typer may vendor click) and bugs
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(EXIT_ERROR)
        if type(exc).__name__ == "Abort":
            sys.exit(130)
        _error(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
