"""Every file of ../shared/corpus (real repositories: templates, CRDs, broken files) is read
as a plain file: no exception, each file inspected, in error, or noted, and the number of
inspected resources pinned so that a change that drops inputs is caught.

If a deliberate change moves these numbers, update them and say why in the commit.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kinspect.engine.pending import Pending
from kinspect.engine.places import finish_inputs
from kinspect.engine.run import Settings, finish, inspect_source
from kinspect.inputs.kinds import Source
from kinspect.inputs.sources import MANIFEST_SUFFIXES
from kinspect.inputs.streams import InputState
from kinspect.model import Outcome
from kinspect.report.formats import format_names, get_reporter
from kinspect.report.model import build_report
from kinspect.ruleset.rules import load_rules
from tests.conftest import CORPUS

FILES = 4404
RESOURCES = 5769  # +2: kustomize fn-framework templates outside any chart (issue 18)
PROBLEMS = Counter(
    {
        "invalid YAML": 16,
        "no YAML document (only comments or `---`)": 6,
        "empty file": 3,
        "invalid JSON": 1,
    }
)


@pytest.fixture(scope="module")
def corpus() -> tuple[Outcome, list[str]]:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS} (the shared/ folder beside the repository)")
    files = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.name.endswith(MANIFEST_SUFFIXES)
    )
    settings = Settings(tuple(load_rules()))
    run = InputState(settings.inputs, settings.limits)
    total = Pending()
    unaccounted = []
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        outcome = inspect_source(Source(name, path), settings, run)
        if not (outcome.documents or outcome.problems):
            unaccounted.append(name)
        total.add(outcome)
    finished = finish(total, settings)
    finish_inputs(run, finished)
    templates = {file for files in run.template_dirs.values() for file in files}
    return finished, [name for name in unaccounted if name not in templates]


def test_every_corpus_file_is_inspected_in_error_or_noted(
    corpus: tuple[Outcome, list[str]],
) -> None:
    outcome, unaccounted = corpus
    assert outcome.files == FILES
    assert unaccounted == []


def test_the_count_of_inspected_resources_is_pinned(corpus: tuple[Outcome, list[str]]) -> None:
    outcome = corpus[0]
    assert sum(outcome.resources.values()) == RESOURCES
    assert outcome.resources["Deployment"] > 500


def test_each_unreadable_file_has_one_error(corpus: tuple[Outcome, list[str]]) -> None:
    problems = corpus[0].problems
    assert Counter(p.message.split(":")[0] for p in problems) == PROBLEMS
    assert len({p.file for p in problems}) == len(problems)
    assert all("\n" not in p.render() for p in problems)


def test_every_format_renders_the_corpus_report(corpus: tuple[Outcome, list[str]]) -> None:
    report = build_report(corpus[0], list(load_rules()))
    for name in format_names():
        assert get_reporter(name)(report)
