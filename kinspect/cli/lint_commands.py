"""`kinspect lint` (files, directories, stdin, charts, kustomizations) and `kinspect cluster`."""

# No `from __future__ import annotations` here: typer reads every command's annotations at
# each start, and string annotations would be compiled and evaluated each time (~4 ms).
import os
from dataclasses import replace
from typing import Annotated

import typer

from kinspect.cli import config_options as cfg
from kinspect.cli import input_options as opt
from kinspect.cli import limit_options as lim
from kinspect.cli import report_options as rep
from kinspect.cli.messages import error_line
from kinspect.cli.report_options import FailOn, split_ids
from kinspect.cli.reporting import Reporting, inspect_and_report
from kinspect.errors import EXIT_OK


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
    link_base: rep.LinkBase = None,
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
    pod_security: cfg.PodSecurity = None,
) -> None:
    """Inspect manifests and report every finding with its file, line and fix.

    Helm chart directories are rendered and kustomizations built; findings point at the
    template or file each resource came from.
    """
    from kinspect.config.plan import Options, make_plan
    from kinspect.inputs.sources import collect
    from kinspect.inputs.streams import HelmOptions, InputOptions
    from kinspect.report.confine import hook_run
    from kinspect.report.model import Display, SarifOptions
    from kinspect.report.output import parse_outputs

    options = Options(
        config,
        checks=split_ids(checks),
        skip_checks=split_ids(skip_checks),
        fail_on=fail_on.value if fail_on else None,
        lang=lang.value if lang else None,
        formats=output_format,
        rules_dirs=rules_dir,
        baseline=baseline,
        pod_security=pod_security,
    )
    plan = make_plan(replace(options, polaris_config=polaris_config, write_baseline=write_baseline))
    for note in plan.notes:
        error_line(f"note: {note}")
    outputs = parse_outputs(plan.formats, root=plan.formats_root, hook=hook_run())
    limits = lim.limits_of(max_file_size, max_depth, max_documents, max_nodes, max_alias_nodes)
    language, rules = plan.lang, plan.rules
    if changed_dirs:
        from kinspect.inputs.changed import project_dirs

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
    inspect_and_report(
        sources,
        problems,
        Reporting(
            rules,
            language,
            outputs,
            Display(
                show_passed=show_passed,
                quiet=quiet,
                show_suppressed=show_suppressed,
                link_base=rep.link_base(link_base, os.environ),
            ),
            FailOn(plan.fail_on),
            plan,
            sarif=SarifOptions(sarif_root, sarif_category),
            limits=limits,
            progress=not no_progress,
        ),
        inputs,
    )


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
    pod_security: cfg.PodSecurity = None,
) -> None:
    """Inspect a live cluster (read with `kubectl get`), as lint does files.

    Reads every kind the checks inspect or relate: workloads, Services, NetworkPolicies,
    PodDisruptionBudgets, HPAs, ServiceAccounts, RBAC, Ingresses, ConfigMaps, Namespaces (their
    Pod Security labels); never Secrets.
    """
    from kinspect.config.plan import Options, make_plan
    from kinspect.inputs.cluster_kinds import kinds_read
    from kinspect.inputs.kinds import CLUSTER, Source
    from kinspect.inputs.streams import ClusterOptions, InputOptions
    from kinspect.report.confine import hook_run
    from kinspect.report.model import Display
    from kinspect.report.output import parse_outputs

    plan = make_plan(
        Options(
            config,
            checks=split_ids(checks),
            skip_checks=split_ids(skip_checks),
            fail_on=fail_on.value if fail_on else None,
            lang=lang.value if lang else None,
            formats=output_format,
            rules_dirs=rules_dir,
            pod_security=pod_security,
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
    run = Reporting(rules, language, outputs, display, FailOn(plan.fail_on), plan, progress=False)
    inspect_and_report([source], [], run, inputs)
