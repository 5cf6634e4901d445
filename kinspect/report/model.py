"""The report model, computed once from an outcome and shared by every reporter."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import attrgetter
from typing import Any

from kinspect.errors import InputProblem
from kinspect.model import CATEGORIES, NamespaceSecurity, Outcome, ResourceRef, Result, sort_results
from kinspect.ruleset.model import Rule


@dataclass(frozen=True, slots=True)
class Counts:
    """Passed / warning / danger counts and the score they give."""

    passed: int = 0
    warning: int = 0
    danger: int = 0
    suppressed: int = 0

    @property
    def total(self) -> int:
        """Results counted."""
        return self.passed + self.warning + self.danger

    @property
    def score(self) -> int:
        """floor(100 * 2P / (2P + W + 2D)), 100 when nothing was checked."""
        weight = 2 * self.passed + self.warning + 2 * self.danger
        return 100 if weight == 0 else (200 * self.passed) // weight

    @staticmethod
    def of(results: Iterable[Result]) -> Counts:
        """Count results by outcome; suppressed ones are neither passes nor failures."""
        return Counts.tally(Counter(map(_verdict, results)).items())

    @staticmethod
    def tally(verdicts: Iterable[tuple[Verdict, int]]) -> Counts:
        """Counts from how many results had each verdict."""
        passed = warning = danger = suppressed = 0
        for (why, ok, severity), count in verdicts:
            if why is not None:
                suppressed += count
            elif ok:
                passed += count
            elif severity == "warning":
                warning += count
            elif severity == "danger":
                danger += count
        return Counts(passed, warning, danger, suppressed)

    @property
    def failed(self) -> int:
        """Warnings and dangers."""
        return self.warning + self.danger

    @property
    def worst(self) -> str | None:
        """The worst severity that failed, None when nothing failed."""
        return "danger" if self.danger else "warning" if self.warning else None

    def percent(self, count: int) -> float:
        """`count` as a percentage of the results counted (one decimal; 0 when none)."""
        return 0.0 if self.total == 0 else round(100 * count / self.total, 1)


@dataclass(frozen=True, slots=True)
class CategoryStats:
    """The results of one category (Health Checks, Images, ...)."""

    name: str
    rules: int
    counts: Counts


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """One inspected resource and every result evaluated on it."""

    kind: str
    namespace: str | None
    name: str
    file: str
    line: int
    results: tuple[Result, ...]
    counts: Counts

    @property
    def source(self) -> tuple[str, int | None] | None:
        """The template file (and line) the resource was rendered from, if any."""
        for result in self.results:
            if result.source_file is not None:
                return result.source_file, result.source_line
        return None


@dataclass(frozen=True, slots=True)
class Display:
    """How much the human-readable formats show."""

    show_passed: bool = False
    quiet: bool = False
    color: bool = False
    show_suppressed: bool = False
    link_base: str | None = None
    """Markdown: the URL that repository paths are appended to for links (None: relative)."""


@dataclass(frozen=True, slots=True)
class SarifOptions:
    """`--sarif-root` (paths are made relative to it) and `--sarif-category`."""

    root: str | None = None
    category: str | None = None


@dataclass
class Report:
    """Everything a reporter may show."""

    rules: list[Rule]
    results: list[Result]
    counts: Counts
    resources: dict[str, int]
    files: int
    documents: int
    skipped_documents: int
    problems: list[InputProblem] = field(default_factory=list)
    notes: list[InputProblem] = field(default_factory=list)
    lang: str = "en"
    display: Display = field(default_factory=Display)
    categories: list[CategoryStats] = field(default_factory=list)
    resource_rows: list[ResourceRow] = field(default_factory=list)
    sarif: SarifOptions = field(default_factory=SarifOptions)
    pod_security: list[NamespaceSecurity] = field(default_factory=list)
    """Per namespace judged by the Pod Security checks: policies and workloads rejected."""
    fixes: dict[Result, list[dict[str, Any]]] = field(default_factory=dict)
    """SARIF replacements that fix each fixable failure, computed before the report is
    written (kinspect.fix.sarif): reporters never read files."""

    @property
    def failures(self) -> list[Result]:
        """Failed (and not suppressed) results, in report order."""
        return [r for r in self.results if not r.passed and r.suppressed is None]

    @property
    def resource_count(self) -> int:
        """Resources inspected."""
        return sum(self.resources.values())

    @property
    def score(self) -> int | None:
        """The run's score; None when no resource was inspected (nothing earned a score)."""
        return self.counts.score if self.resource_count else None

    def rule(self, rule_id: str) -> Rule | None:
        """The rule of a result (None for results of rules not in the report)."""
        return self._rules_by_id.get(rule_id)

    @cached_property
    def _rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}


def build_report(
    outcome: Outcome,
    rules: list[Rule],
    lang: str = "en",
    display: Display | None = None,
    sarif: SarifOptions | None = None,
) -> Report:
    """Assemble the report of one run (the outcome's results are sorted in place and shared)."""
    results = outcome.results
    sort_results(results)
    return Report(
        rules=rules,
        results=results,
        counts=Counts.of(results),
        resources=dict(sorted(outcome.resources.items())),
        files=outcome.files,
        documents=outcome.documents,
        skipped_documents=outcome.skipped_documents,
        problems=list(outcome.problems),
        notes=list(outcome.notes),
        lang=lang,
        display=display or Display(),
        categories=category_stats(rules, results),
        resource_rows=resource_rows(results, outcome.inspected),
        sarif=sarif or SarifOptions(),
        pod_security=list(outcome.pod_security),
    )


def category_stats(rules: list[Rule], results: Iterable[Result]) -> list[CategoryStats]:
    """Every known category (even without rules), then any other category the rules use."""
    names = [*CATEGORIES, *sorted({r.category for r in rules} - set(CATEGORIES))]
    verdicts: dict[str, list[tuple[Verdict, int]]] = {name: [] for name in names}
    for (category, why, ok, severity), count in Counter(map(_category_verdict, results)).items():
        if category in verdicts:
            verdicts[category].append(((why, ok, severity), count))
    return [
        CategoryStats(
            name, sum(1 for rule in rules if rule.category == name), Counts.tally(verdicts[name])
        )
        for name in names
    ]


def resource_rows(results: list[Result], inspected: list[ResourceRef]) -> list[ResourceRow]:
    """Results grouped by resource, in file and line order.

    A resource is identified by file, kind, namespace and name; its line is where it starts,
    or its first result's line when the engine did not record it. The results must be in
    their sort order: they are grouped one file at a time (a large run's keys for every
    resource at once would take more memory than the rows).
    """
    refs = sorted(inspected, key=_file)  # stable: a resource's first start counts
    rows: list[ResourceRow] = []
    counts: dict[Counts, Counts] = {}  # rows with equal counts share them
    start = 0
    for file, items in groupby(results, key=_file):
        if rows and file <= rows[-1].file:
            raise ValueError("results are not in their sort order")
        start = bisect_left(refs, file, lo=start, key=_file)
        end = bisect_right(refs, file, lo=start, key=_file)
        starts: dict[_Key, int] = {}
        for ref in refs[start:end]:
            starts.setdefault((ref.kind, ref.namespace, ref.name), ref.line)
        rows.extend(_file_rows(file, items, starts, counts))
        start = end
    return rows


_Key = tuple[str, str | None, str]
"""A resource within its file: kind, namespace and name."""


def _file_rows(
    file: str, results: Iterable[Result], starts: dict[_Key, int], counts: dict[Counts, Counts]
) -> list[ResourceRow]:
    """The rows of one file's results, in line order."""
    grouped: dict[_Key, list[Result]] = {}
    for result in results:
        grouped.setdefault((result.kind, result.namespace, result.name), []).append(result)
    rows = [
        ResourceRow(
            kind,
            namespace,
            name,
            file,
            starts.get((kind, namespace, name), items[0].line),
            tuple(items),
            counts.setdefault(tally := Counts.of(items), tally),
        )
        for (kind, namespace, name), items in grouped.items()
    ]
    rows.sort(key=lambda row: (row.line, row.kind, row.name))
    return rows


Verdict = tuple[str | None, bool, str]
"""How a result counts: why it is suppressed (None: it counts), passed, severity."""

_verdict: Callable[[Result], Verdict] = attrgetter("suppressed", "passed", "severity")
_category_verdict: Callable[[Result], tuple[str, str | None, bool, str]] = attrgetter(
    "category", "suppressed", "passed", "severity"
)
_file: Callable[[Result | ResourceRef], str] = attrgetter("file")
