"""Leave unbuilt the documents that no enabled rule reads.

Most bytes of real repositories are CustomResourceDefinitions, whose schemas no check looks
at. Building them node by node costs more than everything else together, so large texts are
split into documents (`kinspect.parse.split`) and each document whose header shows a kind that no
rule, analysis or relation reads is *masked*: it becomes a `---` line followed by as many
empty lines, keeping every line and column of the other documents. The C parser then skims
the empty lines. A masked document is still syntax-checked, and still counted and listed
as an inspected resource from its header; it can produce no result by construction, so the
findings are those of a full build (`KINSPECT_REFERENCE=1` turns this off; a test compares
the two on the whole corpus).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from kinspect.kube.targets import POD_SPEC_PATHS, PODLESS_KINDS, Resource, resources_of
from kinspect.parse.split import Chunk, header, metadata_of, split_documents, syntax_ok
from kinspect.parse.tags import holds_tag
from kinspect.ruleset.model import Rule
from kinspect.ruleset.relation_spec import KeptPaths
from kinspect.structure.apischema import has_schema
from kinspect.structure.validate import ANALYSES as STRUCTURE_ANALYSES

MIN_TEXT = 8 * 1024
"""Smaller texts are built whole: masking would not pay for its own scan."""

# A document with any of these may matter beyond its kind: owner links, kinspect's or
# Polaris's exemptions (an unused one is itself reported).
_ALWAYS_BUILD = ("ownerReferences", "uid:", "kinspect", "polaris.fairwinds.com", "<<")

# Analyses that read the text (comments), not the document: masking leaves the text intact.
_TEXT_ANALYSES = frozenset({"unusedIgnore"})

Needed = Callable[[str, str, str], bool]
"""(apiVersion, kind, document text) → whether any rule reads such a document."""


@dataclass(frozen=True, slots=True)
class Masked:
    """A document left unbuilt: the resource its header names, and its first content line."""

    resource: Resource
    line: int
    column: int


def enabled() -> bool:
    """Whether the fast path is on (`KINSPECT_REFERENCE=1` forces full builds)."""
    return not os.environ.get("KINSPECT_REFERENCE")


def mask(text: str, needed: Needed, limit: int | None = None) -> tuple[str, dict[int, Masked]]:
    """The text with unneeded documents blanked, and those documents by placeholder line.

    A blanked document composes to an empty scalar that sits where the document ends (the
    next `---` line, or the end of the text): that 0-based line is its key.
    """
    lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
    if len(text) < MIN_TEXT or not enabled() or lone_cr:
        return text, {}  # lone CRs are line breaks to YAML but not to the splitter
    pieces: list[str] = []
    masked: dict[int, Masked] = {}
    for chunk in split_documents(text, limit):
        found = _maskable(chunk, needed)
        if found is None:
            pieces.append(chunk.text)
            continue
        masked[chunk.line + chunk.text.count("\n")] = found
        pieces.append(_blank(chunk.text))
    if not masked:
        return text, {}
    return "".join(pieces), masked


def _maskable(chunk: Chunk, needed: Needed) -> Masked | None:
    # A tag can change what a key or value reads as (`!!binary a2luZA==: Pod` is `kind: Pod`).
    if holds_tag(chunk.text) or any(s in chunk.text for s in _ALWAYS_BUILD):
        return None
    head = header(chunk.text)
    if head is None or needed(head.api_version, head.kind, chunk.text):
        return None
    metadata = metadata_of(chunk.text)
    if metadata is None or not syntax_ok(chunk.text):
        return None
    data = {"apiVersion": head.api_version, "kind": head.kind, "metadata": metadata}
    resources = list(resources_of(data))
    if len(resources) != 1:
        return None
    return Masked(resources[0], chunk.line + head.line + 1, head.column + 1)


def _blank(text: str) -> str:
    """An empty document with the same line breaks: `---`, then empty lines.

    The `---` keeps it a document of its own and the line breaks keep the line and column of
    everything after it (offsets change: lint positions are lines and columns only). The
    parser then reads one character per line of the document, not one per character.
    """
    return "---" + "\n" * text.count("\n")


def needs_pod_spec(kind: str, text: str) -> bool:
    """Whether a document of `kind` may hold a pod spec (unknown kinds: if it names containers)."""
    if kind in POD_SPEC_PATHS:
        return True
    return kind not in PODLESS_KINDS and "containers" in text


def needed_by(rules: tuple[Rule, ...], kept: KeptPaths) -> Needed:
    """Whether any of `rules` (or a relation of theirs, through `kept`) reads a document."""

    def needed(api_version: str, kind: str, text: str) -> bool:
        if kept.paths_for(kind, needs_pod_spec(kind, text)) is not None:
            return True
        return any(_reads(rule, api_version, kind, text) for rule in rules)

    return needed


def _reads(rule: Rule, api_version: str, kind: str, text: str) -> bool:
    if not rule.applies_to(api_version, kind):
        return False
    if rule.analysis in STRUCTURE_ANALYSES:
        return has_schema(api_version, kind)
    if rule.analysis in _TEXT_ANALYSES:
        return False
    if rule.analysis is not None or rule.scope == "resource":
        return True
    return needs_pod_spec(kind, text)
