"""Code actions on a buffer's findings: each fix alone (the edit `kinspect fix` makes), an
inline ignore comment, and every fix of the file at once."""

from __future__ import annotations

from dataclasses import replace

from lsprotocol import types

from kinspect.engine.settings import Settings
from kinspect.fix.files import baseline_of
from kinspect.fix.fixer import fix_text, fixable
from kinspect.fix.plan import newline_of
from kinspect.fix.sarif import Replacement, line_replacements, text_changes
from kinspect.lsp.diagnose import Analysis, Finding
from kinspect.lsp.positions import Lines, overlaps
from kinspect.model import Result

QUICK_FIX = types.CodeActionKind.QuickFix
FIX_ALL = types.CodeActionKind.SourceFixAll


def code_actions(
    analysis: Analysis, uri: str, wanted: types.Range, only: list[str] | None
) -> list[types.CodeAction]:
    """The actions for the findings that touch `wanted` (and fix-all for the file)."""
    hits = [f for f in analysis.findings if overlaps(wanted, f.diagnostic.range)]
    actions: list[types.CodeAction] = []
    if _asked(only, QUICK_FIX) and hits:
        edits = _single_fixes(analysis, hits)
        for finding in hits:
            if finding.result in edits:
                actions.append(_fix_action(uri, finding, edits[finding.result], analysis))
        if not analysis.name.endswith(".json"):  # JSON has no comments
            actions.extend(_ignore_action(uri, finding, analysis.text) for finding in hits)
    if (hits and _asked(only, QUICK_FIX)) or (only and _asked(only, FIX_ALL)):
        fix_all = _fix_all(uri, analysis, QUICK_FIX if hits else FIX_ALL)
        actions.extend([fix_all] if fix_all is not None else [])
    return actions


def _asked(only: list[str] | None, kind: str) -> bool:
    """Whether the client's `only` filter lets `kind` through (a prefix names a family)."""
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _fixing_settings(analysis: Analysis) -> Settings:
    assert analysis.plan is not None
    plan = analysis.plan
    return replace(plan.settings, rules=tuple(fixable(plan.rules)))


def _single_fixes(analysis: Analysis, hits: list[Finding]) -> dict[Result, list[Replacement]]:
    settings = _fixing_settings(analysis)
    has_fix = {rule.id for rule in settings.rules if rule.fix}
    found = [finding.result for finding in hits if finding.result.check in has_fix]
    if not found:
        return {}
    fixing = replace(settings, rules=tuple(r for r in settings.rules if r.id in has_fix))
    return text_changes(analysis.name, analysis.text, found, fixing)


def _fix_action(
    uri: str, finding: Finding, replacements: list[Replacement], analysis: Analysis
) -> types.CodeAction:
    lines = Lines(analysis.text, analysis.encoding)
    edits = [_text_edit(replacement, lines) for replacement in replacements]
    return types.CodeAction(
        title=f"Fix {finding.result.check}: {finding.result.fix}",
        kind=QUICK_FIX,
        diagnostics=[finding.diagnostic],
        edit=types.WorkspaceEdit(changes={uri: edits}),
        is_preferred=True,
    )


def _text_edit(replacement: Replacement, lines: Lines) -> types.TextEdit:
    region = replacement["deletedRegion"]
    start = lines.position(region["startLine"], region["startColumn"])
    end = lines.position(region["endLine"], region["endColumn"])
    text = replacement["insertedContent"]["text"]
    return types.TextEdit(range=types.Range(start=start, end=end), new_text=text)


def _ignore_action(uri: str, finding: Finding, text: str) -> types.CodeAction:
    """`# kinspect: ignore[check]` on its own line above the finding's (it covers the next
    content line), indented as that line."""
    result = finding.result
    line = Lines(text).line(result.line - 1)  # the insertion is at character 0: any encoding
    indent = line[: len(line) - len(line.lstrip(" "))]
    comment = f"{indent}# kinspect: ignore[{result.check}]{newline_of(text)}"
    at = types.Position(line=result.line - 1, character=0)
    edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=comment)
    return types.CodeAction(
        title=f"Ignore {result.check} on this line (kinspect)",
        kind=QUICK_FIX,
        diagnostics=[finding.diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _fix_all(uri: str, analysis: Analysis, kind: str) -> types.CodeAction | None:
    """Every fix of the file at once, as `kinspect fix FILE` would write it."""
    if analysis.plan is None or not analysis.findings:
        return None
    settings = _fixing_settings(analysis)
    if not any(rule.fix for rule in settings.rules):
        return None
    plan = analysis.plan
    accepted = baseline_of(plan.baseline, [rule.id for rule in plan.rules], plan.lang)
    fixed = fix_text(
        analysis.name, analysis.text, settings, analysis.name.endswith(".json"), accepted
    )
    if fixed.problems or fixed.text == analysis.text:
        return None
    lines = Lines(analysis.text, analysis.encoding)
    replacements = line_replacements(analysis.text, fixed.text, 1)
    edits = [_text_edit(replacement, lines) for replacement in replacements]
    count = sum(fixed.fixed.values())
    return types.CodeAction(
        title=f"Fix all kinspect findings in this file ({count})",
        kind=kind,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )
