"""Suppression, the stage after evaluation: inline comments, annotations, config exemptions.

A suppressed result keeps its outcome but carries the reason in `Result.suppressed`; the
report counts it apart (neither a failure nor a pass). Directives and kinspect annotations
that suppress nothing are judged by the `unusedIgnore` check.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from kinspect.kube.targets import resources_of
from kinspect.model import Result
from kinspect.parse.loader import Document
from kinspect.ruleset.model import Rule
from kinspect.suppress.annotations import AnnotationIgnore, annotation_ignores
from kinspect.suppress.comments import EMPTY, Directive, Scan, scan

if TYPE_CHECKING:
    from kinspect.suppress.unused import Judgement

_REASONS = {
    "en": {
        "line": "ignored by the comment on line {line}",
        "document": "ignored for the document by the comment on line {line}",
        "file": "ignored for the file by the comment on line {line}",
        "annotation": "ignored by the annotation {key}",
        "exemption": "exemption {number} of {file}",
    },
    "zh": {
        "line": "被第 {line} 行的注释忽略",
        "document": "被第 {line} 行的注释在整个文档中忽略",
        "file": "被第 {line} 行的注释在整个文件中忽略",
        "annotation": "被注解 {key} 忽略",
        "exemption": "{file} 中的第 {number} 条豁免",
    },
}


@dataclass(frozen=True, slots=True)
class Exemption:
    """Exempt `checks` (empty: all) on results matching every selector given (globs)."""

    checks: frozenset[str]
    reason: str
    namespaces: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    base: str | None = None
    """Absolute directory that relative `paths` are relative to (the config file's)."""
    source: str = "config"
    number: int = 0

    def matches(self, result: Result) -> bool:
        """Whether the exemption covers `result`."""
        if self.checks and result.check not in self.checks:
            return False
        if self.kinds and not _globbed(self.kinds, result.kind):
            return False
        if self.namespaces and not _globbed(self.namespaces, result.namespace or ""):
            return False
        if self.names and not _globbed(self.names, result.name):
            return False
        if self.containers and (
            result.container is None or not _globbed(self.containers, result.container)
        ):
            return False
        return not self.paths or any(
            _globbed(self.paths, p) for p in _names(result.file, self.base)
        )


def _globbed(patterns: Iterable[str], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


@cache
def _names(file: str, base: str | None) -> tuple[str, ...]:
    """The file as given and, when a base directory is known, relative to it."""
    given = file[2:] if file.startswith("./") else file
    if base is None or file == "-":
        return (given,)
    relative = os.path.relpath(os.path.abspath(file), base).replace(os.sep, "/")
    return (given, relative)


@dataclass(frozen=True)
class Suppressor:
    """Run-wide suppression settings; `open` starts the stage for one file."""

    exemptions: tuple[Exemption, ...] = ()
    known: frozenset[str] | None = None
    """Every check id that exists (default: the built-in rule files and the rules run)."""
    complete: bool = False
    """Whether the run has every default check, so an ignore of all checks can be judged."""
    lang: str = "en"

    def open(self, name: str, text: str) -> FileScope:
        """The suppression stage of one file (`text` is scanned for inline directives)."""
        return FileScope(name, scan(text) if text else EMPTY)

    def reason(self, kind: str, **fields: Any) -> str:
        """A localized reason text."""
        labels = _REASONS.get(self.lang, _REASONS["en"])
        return labels[kind].format(**fields)

    def exempt(self, result: Result) -> Result:
        """`result`, exempted by the first config exemption that matches it."""
        for exemption in self.exemptions:
            if exemption.matches(result):
                text = self.reason("exemption", number=exemption.number, file=exemption.source)
                return replace(result, suppressed=f"{exemption.reason} ({text})")
        return result


def finish_run(
    late: list[Result], scopes: list[FileScope], suppressor: Suppressor, rules: tuple[Rule, ...]
) -> Iterator[Result]:
    """Results decided once every input is read (cross-resource rules), suppressed, then the
    judgements of the files' ignores, which had to wait for them."""
    by_file = {scope.name: scope for scope in scopes}
    for result in late:
        scope = by_file.get(result.file)
        yield scope.suppress_one(result, suppressor) if scope else suppressor.exempt(result)
    for scope in scopes:
        yield from scope.judgements(suppressor, rules)


@dataclass
class FileScope:
    """What suppresses results in one file: its directives and suppressing annotations.

    It keeps no document data (and is picklable), so the engine can hold it until the end of
    the run.
    """

    name: str
    scan: Scan
    annotations: list[AnnotationIgnore] = field(default_factory=list)
    regions: dict[int, tuple[str, str | None, str]] = field(default_factory=dict)
    used: dict[int, set[str]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether the file has any directive or suppressing annotation."""
        return bool(self.scan.directives or self.annotations)

    def document(self, document: Document) -> None:
        """Note the annotations (and, for directives, the resources) of one document."""
        region = self.scan.region(document.line) if self.scan.directives else -1
        for resource in resources_of(document.data):
            if region >= 0:
                self.regions.setdefault(region, (resource.kind, resource.namespace, resource.name))
            metadata = resource.data.get("metadata")
            annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
            if isinstance(annotations, dict) and annotations:
                self.annotations.extend(annotation_ignores(resource, annotations, document.root))

    def suppress(self, results: list[Result], suppressor: Suppressor) -> list[Result]:
        """The file's results, with the reason set on those that are suppressed."""
        if not (self.active or suppressor.exemptions):
            return results
        return [self.suppress_one(result, suppressor) for result in results]

    def suppress_one(self, result: Result, suppressor: Suppressor) -> Result:
        """One result: inline directives first, then annotations, then config exemptions."""
        reason = self._inline(result, suppressor) or self._annotated(result, suppressor)
        if reason is None:
            return suppressor.exempt(result)
        return replace(result, suppressed=reason)

    def judgements(self, suppressor: Suppressor, rules: tuple[Rule, ...]) -> list[Result]:
        """The unusedIgnore results of the file's ignores (once every result is suppressed)."""
        if not self.active:
            return []
        from kinspect.suppress.unused import (  # only files with ignores get here
            Context,
            judge_results,
        )

        s = suppressor
        context = Context(self.name, rules, s.known, s.complete, s.lang)
        return [s.exempt(result) for result in judge_results(self._judgements(), context)]

    def _inline(self, result: Result, suppressor: Suppressor) -> str | None:
        reason = None
        for index in self.scan.candidates(result.line):
            directive = self.scan.directives[index]
            if not directive.covers(result.check) or not self._reaches(directive, result):
                continue
            if not result.passed:
                self.used.setdefault(index, set()).add(result.check)
            if reason is None:
                reason = suppressor.reason(directive.scope, line=directive.line)
                reason = f"{reason}: {directive.reason}" if directive.reason else reason
        return reason

    def _reaches(self, directive: Directive, result: Result) -> bool:
        if directive.scope == "line":
            return directive.target == result.line
        if directive.scope == "document":
            return self.scan.region(directive.line) == self.scan.region(result.line)
        return True

    def _annotated(self, result: Result, suppressor: Suppressor) -> str | None:
        reason = None
        for index, annotation in enumerate(self.annotations):
            if not annotation.covers(result):
                continue
            if not result.passed:
                self.used.setdefault(-1 - index, set()).add(result.check)
            reason = reason or suppressor.reason("annotation", key=annotation.key)
        return reason

    def _judgements(self) -> Iterator[Judgement]:
        from kinspect.suppress.unused import Judgement

        for index, directive in enumerate(self.scan.directives):
            yield Judgement(
                directive.line,
                directive.column,
                None if directive.scope == "invalid" else directive.checks,
                frozenset(self.used.get(index, ())),
                self.regions.get(self.scan.region(directive.line)),
                "",
                directive.text,
            )
        for index, annotation in enumerate(self.annotations):
            if annotation.judged:
                checks = annotation.checks
                yield Judgement(
                    annotation.line,
                    annotation.column,
                    None if checks is None else tuple(sorted(checks)),
                    frozenset(self.used.get(-1 - index, ())),
                    annotation.resource,
                    f"metadata.annotations.{annotation.key}",
                    annotation.key,
                )
