"""The settings of one run: command line over `.kinspect.yaml` over a Polaris config over
kinspect's defaults. Also the baseline stage, which runs once every result is known."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from kinspect.config.project import Config, find_config, load_config
from kinspect.engine.run import Settings
from kinspect.errors import UsageError
from kinspect.kube.pod_security import Policy, parse_policy
from kinspect.model import Outcome
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules, select
from kinspect.suppress.suppressor import Exemption, Suppressor

_LABELS = {
    "en": {
        "stale": "{file}: {count} baseline entries no longer match anything"
        " (hint: delete them, or rewrite the baseline with --write-baseline):",
        "written": "{file}: baseline written with {count} entries",
        "polaris_unknown": "{file}: Polaris checks kinspect does not have (not applied): {ids}",
        "polaris_unsupported": "{file}: {what}",
    },
    "zh": {
        "stale": "{file}：{count} 条基线记录已不再匹配任何结果"
        "（提示：删除这些记录，或用 --write-baseline 重新生成基线）：",
        "written": "{file}：已写入基线，共 {count} 条记录",
        "polaris_unknown": "{file}：以下 Polaris 检查项在 kinspect 中没有对应项（未应用）：{ids}",
        "polaris_unsupported": "{file}：{what}",
    },
}


@dataclass(frozen=True)
class Options:
    """Command-line values that a configuration file can also set (None: not given)."""

    config: str | None = None
    checks: list[str] | None = None
    skip_checks: list[str] | None = None
    fail_on: str | None = None
    lang: str | None = None
    formats: list[str] | None = None
    rules_dirs: list[str] | None = None
    baseline: str | None = None
    polaris_config: str | None = None
    write_baseline: str | None = None
    pod_security: str | None = None


@dataclass(frozen=True)
class RunPlan:
    """One run as the command line, `.kinspect.yaml` and a Polaris config decide it: the
    engine's `Settings` plus what only the command line uses (formats, fail-on, baseline)."""

    rules: list[Rule]
    settings: Settings
    lang: str
    fail_on: str
    formats: list[str] | None
    formats_root: Path | None
    """Set when the formats come from a configuration file: its report files stay in it."""
    exclude: list[str]
    baseline: Path | None
    config: Config
    write_baseline: Path | None = None
    notes: list[str] = field(default_factory=list)
    """One-line messages for standard error (Polaris settings kinspect cannot apply)."""
    all_rules: list[Rule] = field(default_factory=list)
    """Every rule known to the run (built-in, custom, Polaris), chosen or not."""


def make_plan(options: Options, cwd: Path | None = None) -> RunPlan:
    """Load the configuration, the rules and the Polaris config; merge them with `options`."""
    from kinspect.report.confine import hook_run
    from kinspect.report.output import detect_language

    if options.write_baseline and hook_run():
        raise UsageError(
            f"--write-baseline {options.write_baseline}: pre-commit hooks write no files"
            " (hint: write the baseline from a shell)"
        )
    config = _config(options, cwd)
    lang = detect_language(options.lang or config.lang)
    polaris_path = Path(options.polaris_config) if options.polaris_config else None
    polaris_path = polaris_path or config.polaris_config
    dirs = options.rules_dirs if options.rules_dirs is not None else config.rules_dirs
    available = load_rules([Path(d) for d in dirs or ()])
    layer = _Layer(available)
    if polaris_path is not None:
        layer = _polaris(polaris_path, available, lang)
    available, severities = layer.rules, layer.severities
    known = frozenset(rule.id for rule in available)
    config.verify_checks(known)
    available = config.apply_parameters(available)
    only = options.checks if options.checks is not None else config.only_checks
    skip = options.skip_checks if options.skip_checks is not None else config.skip_checks
    severities |= config.severities
    rules = choose(available, only, skip, severities, set(options.checks or ()))
    exemptions = (*config.exemptions, *layer.exemptions)
    suppressor = Suppressor(exemptions, known, only is None and not skip, lang)
    baseline = Path(options.baseline) if options.baseline else config.baseline
    policy = _pod_security(options.pod_security or config.pod_security)
    return RunPlan(
        rules=rules,
        settings=Settings(tuple(rules), lang, suppressor, pod_security=policy),
        lang=lang,
        fail_on=options.fail_on or config.fail_on or "danger",
        formats=options.formats or config.formats,
        formats_root=None if options.formats else config.root,
        exclude=config.exclude,
        baseline=baseline,
        config=config,
        write_baseline=Path(options.write_baseline) if options.write_baseline else None,
        notes=layer.notes,
        all_rules=available,
    )


def _pod_security(text: str | None) -> Policy | None:
    """`LEVEL[:VERSION]` of `--pod-security` or `pod-security:`; invalid: a usage error."""
    if text is None:
        return None
    try:
        return parse_policy(text)
    except ValueError as exc:
        hint = "LEVEL[:VERSION], e.g. restricted or baseline:v1.30"
        raise UsageError(f"--pod-security {text}: {exc} (hint: {hint})") from None


def _config(options: Options, cwd: Path | None) -> Config:
    if options.config is not None:
        path = Path(options.config)
        if not path.is_file():
            raise UsageError(f"{path}: configuration file not found")
        return load_config(path)
    found = find_config(cwd)
    return load_config(found) if found is not None else Config()


@dataclass
class _Layer:
    """The rules with what a Polaris config adds to them."""

    rules: list[Rule]
    severities: dict[str, str] = field(default_factory=dict)
    exemptions: list[Exemption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _polaris(path: Path, rules: list[Rule], lang: str) -> _Layer:
    """Rules with the Polaris custom checks (they replace rules of the same id), the Polaris
    severities of checks kinspect has, its exemptions and notes on what is not applied."""
    from kinspect.config.polaris import load_polaris
    from kinspect.config.polaris_mode import polaris_variant

    polaris = load_polaris(path)
    # Polaris's verdicts: each rule as its file's `polaris` block rebuilds it.
    by_id = {rule.id: polaris_variant(rule) for rule in rules}
    by_id |= {rule.id: rule for rule in polaris.rules}
    labels = _LABELS.get(lang, _LABELS["en"])
    unknown = sorted(set(polaris.severities) - set(by_id))
    notes = [labels["polaris_unsupported"].format(file=path, what=u) for u in polaris.unsupported]
    if unknown:
        notes.insert(0, labels["polaris_unknown"].format(file=path, ids=", ".join(unknown)))
    return _Layer(
        sorted(by_id.values(), key=lambda rule: rule.id),
        {k: v for k, v in polaris.severities.items() if k in by_id},
        polaris.exemptions,
        notes,
    )


def choose(
    rules: list[Rule],
    only: list[str] | None,
    skip: list[str] | None,
    severities: dict[str, str],
    explicit: set[str],
) -> list[Rule]:
    """The rules to run, with severities overridden.

    `only` runs just those; otherwise the rules on by default plus those given a severity.
    A severity of `ignore` drops a rule unless the command line named it (`explicit`).
    """
    select(rules, only, skip)  # unknown ids are usage errors
    if only:
        chosen = [rule for rule in rules if rule.id in only]
    else:
        # Versioned (Pod Security) rules report only under a policy, so they always run.
        wanted = ("danger", "warning")
        chosen = [r for r in rules if r.enabled or r.versions or severities.get(r.id) in wanted]
    result = []
    for rule in chosen:
        severity = severities.get(rule.id)
        if rule.id in (skip or ()) or (severity == "ignore" and rule.id not in explicit):
            continue
        if severity in ("danger", "warning") and severity != rule.severity:
            rule = dataclasses.replace(rule, severity=severity)
        result.append(rule)
    return result


def baseline_stage(outcome: Outcome, plan: RunPlan) -> list[str]:
    """Write and/or apply the baseline; messages for standard error."""
    labels = _LABELS.get(plan.lang, _LABELS["en"])
    messages = []
    path = plan.baseline
    if plan.write_baseline is not None:
        from kinspect.config.baseline import write_baseline

        path = plan.write_baseline
        count = write_baseline(path, outcome.results)
        messages.append(labels["written"].format(file=path, count=count))
    if path is None:
        return messages
    from kinspect.config.baseline import apply_baseline, read_baseline  # runs without one skip it

    entries = read_baseline(path)
    ran = [rule.id for rule in plan.rules]
    outcome.results, stale = apply_baseline(outcome.results, entries, path, ran, plan.lang)
    if stale:
        messages.append(labels["stale"].format(file=path, count=len(stale)))
        messages.extend(f"  {entry.render()}" for entry in stale)
    return messages
