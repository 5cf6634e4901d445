"""One buffer's text → its findings as LSP diagnostics, through the engine as `kinspect lint`
runs it (configuration, Polaris config, inline ignores, annotations, baseline)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lsprotocol import types

from kinspect.bundled import rules_dir
from kinspect.check.facts import Fact
from kinspect.config.plan import RunPlan, baseline_stage
from kinspect.engine.run import finish, inspect_text
from kinspect.errors import InputProblem
from kinspect.lsp.positions import UTF16, Lines
from kinspect.model import Result
from kinspect.ruleset.model import Rule
from kinspect.version import __version__

SOURCE = "kinspect"
DOCS = "https://github.com/kinspect/kinspect/blob/v{version}/docs/rules/{id}.md"


@dataclass(frozen=True)
class Finding:
    """A failing, unsuppressed result and the diagnostic that shows it."""

    result: Result
    diagnostic: types.Diagnostic


@dataclass
class Analysis:
    """What inspecting one version of a buffer found."""

    name: str
    text: str
    plan: RunPlan | None
    encoding: str = UTF16
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[types.Diagnostic] = field(default_factory=list)


def analyse(
    name: str,
    text: str,
    plan: RunPlan,
    encoding: str = UTF16,
    neighbours: Iterable[Fact] = (),
) -> Analysis:
    """Inspect `text` (the buffer of file `name`) with `plan`'s settings; the cross-resource
    rules also see the `neighbours`' facts (the other manifests of its directory)."""
    settings = plan.settings
    pending = inspect_text(name, text, settings)
    pending.facts.extend(neighbours)
    outcome = finish(pending, settings)
    baseline_stage(outcome, plan)  # its messages about stale entries are for the command line
    lines = Lines(text, encoding)
    analysis = Analysis(name, text, plan, encoding)
    rules = {rule.id: rule for rule in plan.rules}
    for result in outcome.results:
        if result.passed or result.suppressed is not None or result.file != name:
            continue
        shown = diagnostic(result, lines, rules.get(result.check), plan.fail_on)
        analysis.findings.append(Finding(result, shown))
        analysis.diagnostics.append(shown)
    analysis.diagnostics.extend(problem_diagnostic(p, lines) for p in outcome.problems)
    return analysis


def diagnostic(result: Result, lines: Lines, rule: Rule | None, fail_on: str) -> types.Diagnostic:
    """A finding as LSP shows it: Error when it fails the run (`fail_on`), else Warning."""
    failing = result.severity == "danger" or fail_on == "warning"
    href = _docs(rule) if rule is not None else None
    return types.Diagnostic(
        range=lines.finding_range(result.line, result.column),
        message=result.message,
        severity=types.DiagnosticSeverity.Error if failing else types.DiagnosticSeverity.Warning,
        code=result.check,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        data={"check": result.check, "line": result.line, "column": result.column},
    )


def _docs(rule: Rule) -> str | None:
    """The rule's page: kinspect's docs for a built-in rule, else its first reference."""
    if rule.file and _is_builtin(rule.file):
        return DOCS.format(version=__version__, id=rule.id)
    return rule.references[0] if rule.references else None


@cache
def _is_builtin(file: str) -> bool:
    return Path(file).resolve().parent == rules_dir().resolve()


def problem_diagnostic(problem: InputProblem, lines: Lines) -> types.Diagnostic:
    """A text that cannot be read (a parse error, too deep, too large) at its line."""
    line = problem.line or 1
    position = lines.position(line, problem.column or 1)
    end = types.Position(line=position.line, character=position.character + 1)
    message = f"{problem.message} (hint: {problem.hint})" if problem.hint else problem.message
    return types.Diagnostic(
        range=types.Range(start=position, end=end),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )
