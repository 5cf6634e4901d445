"""Command line (typer only): parse options, call the engine, pick reporters, exit."""

# No `from __future__ import annotations` here: typer reads every command's annotations at
# each start, and string annotations would be compiled and evaluated each time (~4 ms).
import gc
import sys
from dataclasses import dataclass, replace
from functools import cache
from typing import Annotated, Any

import click
import typer

from kinspect import cli_config as cfg
from kinspect import cli_inputs as opt
from kinspect import cli_limits as lim
from kinspect import cli_report as rep
from kinspect.cli_report import FailOn, split_ids
from kinspect.cli_server import server_app
from kinspect.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError

app = typer.Typer(
    name="kinspect",
    help="Inspect Kubernetes manifests for security and reliability risks.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(server_app, name="server")


@app.command()
def lint(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, directories, or - for stdin.")
    ] = None,
    output_format: rep.Formats = None,
    lang: rep.LangOption = None,
    checks: rep.Checks = None,
    skip_checks: rep.SkipChecks = None,
    fail_on: rep.FailOnOption = None,
    show_passed: rep.ShowPassed = False,
    quiet: rep.Quiet = False,
    no_progress: rep.NoProgress = False,
    sarif_root: rep.SarifRoot = None,
    sarif_category: rep.SarifCategory = None,
    changed_dirs: Annotated[
        bool,
        typer.Option(
            "--changed-dirs",
            help="PATHS are changed files: inspect each kustomize/Helm directory holding one.",
        ),
    ] = False,
    exclude: opt.Excludes = None,
    helm_values: opt.HelmValues = None,
    helm_set: opt.HelmSet = None,
    helm_release_name: opt.HelmReleaseName = "release-name",
    helm_namespace: opt.HelmNamespace = None,
    helm_kube_version: opt.HelmKubeVersion = None,
    helm_include_tests: opt.HelmTests = False,
    helm_chart_root: opt.HelmChartRoot = None,
    kustomize_cmd: opt.KustomizeCmd = None,
    include_owned: opt.IncludeOwned = False,
    render: opt.Render = True,
    max_file_size: lim.MaxFileSize = lim.FILE_SIZE,
    max_depth: lim.MaxDepth = lim.DEPTH,
    max_documents: lim.MaxDocuments = lim.DOCUMENTS,
    max_nodes: lim.MaxNodes = lim.NODES,
    max_alias_nodes: lim.MaxAliasNodes = lim.ALIAS_NODES,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
    polaris_config: cfg.PolarisConfig = None,
    baseline: cfg.Baseline = None,
    write_baseline: cfg.WriteBaseline = None,
    show_suppressed: cfg.ShowSuppressed = False,
) -> None:
    """Inspect manifests and report every finding with its file, line and fix.

    Helm chart directories are rendered and kustomizations built; findings point at the
    template or file each resource came from.
    """
    from kinspect.confine import hook_run
    from kinspect.inputs import HelmOptions, InputOptions
    from kinspect.output import parse_outputs
    from kinspect.plan import Options, make_plan
    from kinspect.report import Display, SarifOptions
    from kinspect.sources import collect

    options = Options(
        config,
        checks=split_ids(checks),
        skip_checks=split_ids(skip_checks),
        fail_on=fail_on.value if fail_on else None,
        lang=lang.value if lang else None,
        formats=output_format,
        rules_dirs=rules_dir,
        baseline=baseline,
    )
    plan = make_plan(replace(options, polaris_config=polaris_config, write_baseline=write_baseline))
    for note in plan.notes:
        _error(f"note: {note}")
    outputs = parse_outputs(plan.formats, root=plan.formats_root, hook=hook_run())
    limits = lim.limits_of(max_file_size, max_depth, max_documents, max_nodes, max_alias_nodes)
    language, rules = plan.lang, plan.rules
    if changed_dirs:
        from kinspect.changed import project_dirs

        paths = project_dirs(paths or [])
        if not paths:  # nothing under a kustomization or chart changed: nothing to build
            raise typer.Exit(EXIT_OK)
    excludes = exclude if exclude is not None else plan.exclude
    sources, problems = collect(paths or ["."], excludes, render=render)
    helm = HelmOptions(
        values=tuple(helm_values or ()),
        set_values=tuple(helm_set or ()),
        release_name=helm_release_name,
        namespace=helm_namespace,
        kube_version=helm_kube_version,
        include_tests=helm_include_tests,
        chart_root=helm_chart_root,
    )
    inputs = InputOptions(helm=helm, kustomize_cmd=kustomize_cmd, include_owned=include_owned)
    _inspect_and_report(
        sources,
        problems,
        _Run(
            rules,
            language,
            outputs,
            Display(show_passed=show_passed, quiet=quiet, show_suppressed=show_suppressed),
            FailOn(plan.fail_on),
            plan,
        ),
        inputs,
        no_progress=no_progress,
        sarif=SarifOptions(sarif_root, sarif_category),
        limits=limits,
    )


@dataclass(frozen=True)
class _Run:
    """What `lint` and `cluster` share: the rules, the language and where reports go."""

    rules: list[Any]
    language: str
    outputs: list[Any]
    display: Any
    fail_on: FailOn
    plan: Any = None
    """kinspect.plan.Plan: suppression settings and the baseline (lint only)."""


def _inspect_and_report(
    sources: list[Any],
    problems: list[Any],
    run: _Run,
    inputs: Any,
    *,
    no_progress: bool = False,
    sarif: Any = None,
    limits: Any = None,
) -> None:
    """Inspect the sources, write the reports, exit with the documented code."""
    from kinspect.engine import Settings, inspect_sources
    from kinspect.output import write_outputs
    from kinspect.progress import progress_bar
    from kinspect.report import build_report

    progress = progress_bar(len(sources), sys.stderr, enabled=not no_progress)
    try:
        settings = Settings(tuple(run.rules), run.language, inputs=inputs)
        if limits is not None:
            settings = replace(settings, limits=limits)
        if run.plan is not None:
            settings = replace(settings, suppressor=run.plan.settings.suppressor)
        outcome = inspect_sources(sources, settings, progress)
    finally:
        if progress is not None:
            progress.close()
    outcome.problems[:0] = problems
    if run.plan is not None:
        from kinspect.plan import baseline_stage

        for message in baseline_stage(outcome, run.plan):
            _error(message)
    report = build_report(outcome, run.rules, run.language, run.display, sarif)
    for problem in report.problems:
        _error(problem.render())
    for note in report.notes:
        _error(f"note: {note.render()}")
    write_errors = write_outputs(report, run.outputs, sys.stdout)
    for message in write_errors:
        _error(message)
    failed = report.problems != [] or write_errors != []
    raise typer.Exit(_exit_code(failed, report.counts.danger, report.counts.warning, run.fail_on))


@app.command()
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
    from kinspect.fix import fixable
    from kinspect.fixrun import baseline_of, run_fix
    from kinspect.fixtexts import report_lines
    from kinspect.plan import Options, make_plan

    given = (split_ids(checks), split_ids(skip_checks), None, lang.value if lang else None)
    plan = make_plan(Options(config, *given, rules_dirs=rules_dir, baseline=baseline))
    settings = replace(plan.settings, rules=tuple(fixable(plan.rules)))
    excludes = exclude if exclude is not None else plan.exclude
    accepted = baseline_of(plan.baseline, [rule.id for rule in plan.rules], plan.lang)
    outcome = run_fix(paths or ["."], settings, diff=diff, excludes=excludes, baseline=accepted)
    for text in outcome.output:
        sys.stdout.write(text)
    for problem in outcome.problems:
        _error(problem.render())
    for note in outcome.notes:
        _error(f"note: {note.render()}")
    for line in report_lines(outcome, plan.lang, diff, quiet):
        _error(line)
    if outcome.problems:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if diff and any(f.changed for f in outcome.files) else EXIT_OK)


@app.command()
def cluster(
    output_format: rep.Formats = None,
    lang: rep.LangOption = None,
    checks: rep.Checks = None,
    skip_checks: rep.SkipChecks = None,
    fail_on: rep.FailOnOption = None,
    show_passed: rep.ShowPassed = False,
    quiet: rep.Quiet = False,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
    context: opt.Context = None,
    namespace: opt.Namespace = None,
    all_namespaces: opt.AllNamespaces = False,
    kubeconfig: opt.Kubeconfig = None,
    include_owned: opt.IncludeOwned = False,
    save: opt.SaveExport = None,
) -> None:
    """Inspect a live cluster (read with `kubectl get`), as lint does files.

    Reads every kind the checks inspect or relate: workloads, Services, NetworkPolicies,
    PodDisruptionBudgets, HPAs, ServiceAccounts, RBAC, Ingresses, ConfigMaps; never Secrets.
    """
    from kinspect.cluster_kinds import kinds_read
    from kinspect.confine import hook_run
    from kinspect.inputs import CLUSTER, ClusterOptions, InputOptions
    from kinspect.output import parse_outputs
    from kinspect.plan import Options, make_plan
    from kinspect.report import Display
    from kinspect.sources import Source

    plan = make_plan(
        Options(
            config,
            checks=split_ids(checks),
            skip_checks=split_ids(skip_checks),
            fail_on=fail_on.value if fail_on else None,
            lang=lang.value if lang else None,
            formats=output_format,
            rules_dirs=rules_dir,
        )
    )
    outputs = parse_outputs(plan.formats, root=plan.formats_root, hook=hook_run())
    language, rules = plan.lang, plan.rules
    where = ClusterOptions(
        context, namespace, all_namespaces, kubeconfig, save, kinds=kinds_read(rules)
    )
    inputs = InputOptions(include_owned=include_owned, cluster=where)
    display = Display(show_passed=show_passed, quiet=quiet)
    source = Source(f"cluster:{context}" if context else "cluster", None, CLUSTER)
    run = _Run(rules, language, outputs, display, FailOn(plan.fail_on), plan)
    _inspect_and_report([source], [], run, inputs, no_progress=True)


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
    lang: rep.LangOption = None,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
) -> None:
    """List every rule: id, category, severity, whether it runs (with the config), title."""
    from kinspect.plan import Options, make_plan

    plan = make_plan(Options(config, lang=lang.value if lang else None, rules_dirs=rules_dir))
    running = {rule.id: rule for rule in plan.rules}
    width = max(len(rule.id) for rule in plan.all_rules)
    for known in plan.all_rules:
        rule = running.get(known.id, known)  # with the configured severity when it runs
        state = "on " if rule.id in running else "off"
        title = rule.text(plan.lang).title
        print(f"{rule.id:<{width}}  {rule.category:<13}  {rule.severity:<7}  {state}  {title}")


@app.command()
def explain(
    check: Annotated[str, typer.Argument(help="Check id, e.g. hostNetworkSet.")],
    lang: rep.LangOption = None,
    config: cfg.ConfigFile = None,
    rules_dir: cfg.RulesDirs = None,
) -> None:
    """Print a check's risk, fix and example (custom rules of the config or --rules-dir too)."""
    from kinspect.plan import Options, make_plan
    from kinspect.rules import select

    plan = make_plan(Options(config, lang=lang.value if lang else None, rules_dirs=rules_dir))
    (rule,) = select(plan.all_rules, [check], None)
    texts = rule.text(plan.lang)
    print(f"{rule.id} ({rule.category}, {rule.severity}): {texts.title}\n")
    print(f"Risk:\n  {texts.risk}\n\nFix:\n  {texts.fix}\n\nExample:")
    print("\n".join(f"  {line}" for line in rule.fix_example.rstrip().splitlines()))
    print("\nReferences:\n" + "\n".join(f"  {url}" for url in rule.references))
    if rule.parameters:
        from kinspect.evaluate import render_value

        print("\nParameters (change them under `parameters:` in .kinspect.yaml):")
        values = sorted(rule.parameters.items())
        print("\n".join(f"  {key}: {render_value(value, None)}" for key, value in values))


@app.command()
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

    from kinspect.docs import default_fixtures, render_docs, stale_files, write_docs
    from kinspect.rules import load_rules

    if fixtures is not None and not Path(fixtures).is_dir():
        raise UsageError(f"{fixtures}: fixtures directory not found")
    pages = render_docs(load_rules(), Path(fixtures) if fixtures else default_fixtures())
    if check:
        stale = stale_files(pages, Path(output))
        for name in stale:
            _error(f"{output}/{name}: out of date (hint: run `kinspect docs --output {output}`)")
        raise typer.Exit(EXIT_FINDINGS if stale else EXIT_OK)
    for name in write_docs(pages, Path(output)):
        print(f"{output}/{name}")


def _error(message: str) -> None:
    sys.stderr.write(f"kinspect: {message}\n")


@cache
def command() -> click.Command:
    """The click command of `app`, built once per process (a server's forks find it built)."""
    return typer.main.get_command(app)


def main(args: list[str] | None = None, prog_name: str | None = None) -> None:
    """Console entry point: usage errors and crashes become one line and exit code 2.

    `args`: the command line (None: this process's); `prog_name`: what usage messages call
    the command (None: as this process was started).
    """
    # Parsing allocates millions of short-lived, acyclic objects; the default thresholds make
    # the cycle collector rescan them over and over (about 15 % of a large run).
    gc.set_threshold(50_000, 20, 100)
    try:
        code = command().main(args, prog_name, standalone_mode=False)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except click.ClickException as exc:  # click's own usage errors: its message, exit 2
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except Exception as exc:  # a bug: one line, never a traceback
        _error(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
