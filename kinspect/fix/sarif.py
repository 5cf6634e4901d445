"""SARIF `fixes` for fixable findings: what `kinspect fix` would change for each one alone.

Each finding's operations are applied to its file's text on their own (as `kinspect fix`
would, exactness check included); the changed lines of its document become SARIF
replacements (a deleted region of whole lines and the text inserted there). Findings in
rendered or built output, on stdin, or whose fix is refused get none.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from kinspect.engine.run import Settings
from kinspect.errors import KinspectError
from kinspect.fix.apply import document_bounds, edit_document
from kinspect.fix.plan import NoFix, failures, finding_key, indent_step, newline_of, plan_ops
from kinspect.fix.sources import generated
from kinspect.fix.yamlrender import Layout
from kinspect.inputs.sources import STDIN, decode
from kinspect.model import Result
from kinspect.parse.loader import load_documents
from kinspect.ruleset.model import Rule

Replacement = dict[str, Any]


def finding_changes(
    results: list[Result], rules: list[Rule], lang: str
) -> dict[Result, list[Replacement]]:
    """Each failing result that has a fix → the SARIF replacements that fix it alone."""
    fixing = {rule.id: rule for rule in rules if rule.fix and not rule.relations}
    by_file: dict[str, list[Result]] = {}
    for result in results:
        plain = result.source_file is None and result.file != STDIN
        if plain and not result.passed and result.suppressed is None and result.check in fixing:
            by_file.setdefault(result.file, []).append(result)
    changes: dict[Result, list[Replacement]] = {}
    for file, found in by_file.items():
        settings = Settings(tuple(fixing[r.check] for r in found), lang)
        changes.update(_file_changes(file, found, settings))
    return changes


def _file_changes(
    file: str, found: list[Result], settings: Settings
) -> dict[Result, list[Replacement]]:
    try:
        text = decode(Path(file).read_bytes())
        if generated(file, text, settings.lang):
            return {}
        documents = list(load_documents(text, settings.limits))
    except (OSError, KinspectError):
        return {}
    json = file.endswith(".json")
    layout = Layout(newline_of(text), indent_step(documents), json)
    limits = settings.limits
    wanted = {finding_key(result): result for result in found}
    changes = {}
    for document in documents:
        for rule, target, result in failures(file, document, settings):
            original = wanted.get(finding_key(result))
            if original is None:
                continue
            try:
                ops = list(plan_ops(rule.fix, target, document.index, settings.lang, json))
            except NoFix:
                continue
            numbered = dict(enumerate(ops))
            edited = edit_document(text, documents, document.index, numbered, layout, limits)
            start, end = document_bounds(text, documents, document.index)
            if ops and edited.exact and not edited.refused and edited.text != text[start:end]:
                first = text.count("\n", 0, start) + 1
                changes[original] = _replacements(text[start:end], edited.text, first)
    return changes


def _replacements(old: str, new: str, first: int) -> list[Replacement]:
    """Line-level replacements turning one document's text into its fixed text."""
    before = old.splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    out = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        region = {**_position(before, i1, first, "start"), **_position(before, i2, first, "end")}
        out.append({"deletedRegion": region, "insertedContent": {"text": "".join(after[j1:j2])}})
    return out


def _position(lines: list[str], index: int, first: int, side: str) -> dict[str, int]:
    """The start of line `index` of the slice (or the end of its last line) as a region edge."""
    if index == len(lines) and lines and not lines[-1].endswith("\n"):
        line, column = first + index - 1, len(lines[-1]) + 1
    else:
        line, column = first + index, 1
    return {f"{side}Line": line, f"{side}Column": column}
