"""The pipeline: sources → documents → targets → results. Never prints, never exits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kinspect.errors import KinspectError
from kinspect.evaluate import evaluate
from kinspect.extract import Resource, Target, targets_of
from kinspect.loader import Document, load_documents
from kinspect.model import Outcome
from kinspect.rules import Rule
from kinspect.sources import Source, read_text


@dataclass(frozen=True)
class Settings:
    """What the engine needs besides the inputs."""

    rules: tuple[Rule, ...]
    lang: str = "en"

    @property
    def scopes(self) -> frozenset[str]:
        """Target scopes that at least one rule needs."""
        return frozenset(rule.scope for rule in self.rules)


def inspect_sources(sources: Iterable[Source], settings: Settings) -> Outcome:
    """Inspect every source; a bad input becomes a problem, the others go on."""
    outcome = Outcome()
    for source in sources:
        outcome.add(inspect_source(source, settings))
    outcome.results.sort()
    return outcome


def inspect_source(source: Source, settings: Settings) -> Outcome:
    """Read and inspect one input."""
    outcome = Outcome(files=1)
    try:
        text = read_text(source)
    except KinspectError as exc:
        outcome.problems.append(exc.at(source.name))
        return outcome
    return inspect_text(source.name, text, settings, outcome)


def inspect_text(
    name: str, text: str, settings: Settings, outcome: Outcome | None = None
) -> Outcome:
    """Inspect the documents of one text; documents before a parse error still count."""
    outcome = outcome or Outcome(files=1)
    try:
        for document in load_documents(text):
            outcome.documents += 1
            _inspect_document(name, document, settings, outcome)
    except KinspectError as exc:
        outcome.problems.append(exc.at(name))
    return outcome


def _inspect_document(name: str, document: Document, settings: Settings, outcome: Outcome) -> None:
    from kinspect.extract import resources_of

    found = False
    for resource in resources_of(document.data):
        found = True
        outcome.resources[resource.kind] += 1
        for target in targets_of(resource, settings.scopes):
            for rule in _rules_for(settings.rules, target, resource):
                outcome.results.append(evaluate(rule, target, document.root, name, settings.lang))
    if not found and document.data is not None:
        outcome.skipped_documents += 1


def _rules_for(rules: Iterable[Rule], target: Target, resource: Resource) -> Iterable[Rule]:
    for rule in rules:
        if rule.analysis is not None or rule.scope != target.scope or not rule.applies_to_kind(resource.kind):
            continue
        if target.container is not None and target.container.type not in rule.container_types:
            continue
        yield rule
