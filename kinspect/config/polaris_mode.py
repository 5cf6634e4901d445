"""Polaris mode: each rule rebuilt with its file's `polaris` block, where Polaris decides
differently from kinspect's own defaults."""

from __future__ import annotations

from kinspect.ruleset.model import Rule
from kinspect.ruleset.polaris_data import polaris_data
from kinspect.ruleset.rules import rebuild


def polaris_variant(rule: Rule) -> Rule:
    """The rule as Polaris mode runs it (the rule itself when its file has no `polaris` block)."""
    block = (rule.source or {}).get("polaris")
    if not isinstance(block, dict):
        return rule
    return rebuild(polaris_data(rule.source or {}), rule.file)
