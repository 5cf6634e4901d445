"""Hover on a flagged field: the check's title, risk, fix and example in the run's language."""

from __future__ import annotations

from lsprotocol import types

from kinspect.lsp.diagnose import Analysis, Finding
from kinspect.lsp.positions import overlaps
from kinspect.ruleset.model import Rule

_HEADINGS = {
    "en": ("Risk", "Fix", "Example"),
    "zh": ("风险", "修复", "示例"),
}


def hover(analysis: Analysis, position: types.Position) -> types.Hover | None:
    """The explanation of every finding under `position` (None: nothing flagged there)."""
    point = types.Range(start=position, end=position)
    under = [f for f in analysis.findings if overlaps(point, f.diagnostic.range)]
    if analysis.plan is None or not under:
        return None
    rules = {rule.id: rule for rule in analysis.plan.all_rules or analysis.plan.rules}
    lang = analysis.plan.lang
    parts = [_explain(f, rules.get(f.result.check), lang) for f in under]
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
        ),
        range=under[0].diagnostic.range,
    )


def _explain(finding: Finding, rule: Rule | None, lang: str) -> str:
    result = finding.result
    if rule is None:
        return f"**{result.check}** ({result.severity}): {result.message}\n\n{result.fix}"
    texts = rule.texts.get(lang) or rule.texts["en"]
    risk, fix, example = _HEADINGS.get(lang, _HEADINGS["en"])
    lines = [
        f"**{texts.title}** · `{rule.id}` · {result.severity}",
        "",
        result.message,
        "",
        f"*{risk}:* {texts.risk.strip()}",
        "",
        f"*{fix}:* {result.fix or texts.fix.strip()}",
    ]
    if rule.fix_example.strip():
        lines += ["", f"*{example}:*", "```yaml", rule.fix_example.rstrip(), "```"]
    return "\n".join(lines)
