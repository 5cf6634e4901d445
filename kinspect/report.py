"""The report model, computed once from an outcome and shared by every reporter."""

from __future__ import annotations

from dataclasses import dataclass, field

from kinspect.errors import InputProblem
from kinspect.model import Outcome, Result
from kinspect.rules import Rule


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
    def of(results: list[Result]) -> Counts:
        """Count results by outcome; suppressed ones are neither passes nor failures."""
        counted = [r for r in results if r.suppressed is None]
        failed = [r for r in counted if not r.passed]
        return Counts(
            passed=len(counted) - len(failed),
            warning=sum(1 for r in failed if r.severity == "warning"),
            danger=sum(1 for r in failed if r.severity == "danger"),
            suppressed=len(results) - len(counted),
        )


@dataclass(frozen=True, slots=True)
class Display:
    """How much the human-readable formats show."""

    show_passed: bool = False
    quiet: bool = False
    color: bool = False


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

    @property
    def failures(self) -> list[Result]:
        """Failed (and not suppressed) results, in report order."""
        return [r for r in self.results if not r.passed and r.suppressed is None]

    @property
    def resource_count(self) -> int:
        """Resources inspected."""
        return sum(self.resources.values())


def build_report(
    outcome: Outcome, rules: list[Rule], lang: str = "en", display: Display | None = None
) -> Report:
    """Assemble the report of one run."""
    return Report(
        rules=rules,
        results=sorted(outcome.results),
        counts=Counts.of(outcome.results),
        resources=dict(sorted(outcome.resources.items())),
        files=outcome.files,
        documents=outcome.documents,
        skipped_documents=outcome.skipped_documents,
        problems=list(outcome.problems),
        notes=list(outcome.notes),
        lang=lang,
        display=display or Display(),
    )
