"""Results, outcomes and packs survive pickling unchanged, and share their texts after it."""

from __future__ import annotations

import json
import pickle
import random
from dataclasses import replace
from pathlib import Path

from kinspect.engine.packed import PackedResults, dumps
from kinspect.engine.pending import Pending
from kinspect.engine.run import Settings, finish, inspect_text
from kinspect.model import ResourceRef, Result, result_order, sort_results
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, run_cli

RULES = tuple(load_rules())


def _result(index: int, **changes: object) -> Result:
    result = Result(
        file=f"dir/file{index % 7}.yaml",
        line=index % 300 + 1,
        column=index % 5 + 1,
        check=f"check{index % 3}",
        passed=index % 2 == 0,
        severity="danger" if index % 4 else "warning",
        category="Security",
        message=f"message {index % 11}",
        fix="Fix it.",
        kind="Deployment",
        namespace=None if index % 3 else "shop",
        name=f"web{index % 13}",
        container=None if index % 2 else "app",
        container_type=None if index % 2 else "containers",
        path="spec.template",
        source_file=None if index % 5 else "templates/web.yaml",
        source_line=None if index % 5 else index % 9 + 1,
        suppressed=None if index % 17 else "ignored: reason",
    )
    return replace(result, **changes)  # type: ignore[arg-type]


def _copied(value: object) -> object:
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def test_a_result_and_a_resource_ref_round_trip() -> None:
    result = _result(0)
    assert _copied(result) == result and isinstance(_copied(result), Result)
    ref = ResourceRef("dir/a.yaml", 3, "Service", None, "web")
    assert _copied(ref) == ref and isinstance(_copied(ref), ResourceRef)


def test_results_pickled_for_a_pack_share_their_texts_when_loaded() -> None:
    result = _result(0)
    first, second = (pickle.loads(dumps([result]))[0] for _ in range(2))
    assert first == second == result
    assert first.message is second.message and first.fix is second.fix  # interned


def test_a_pack_gives_back_its_results_in_order_with_their_types() -> None:
    results = [_result(i) for i in range(70_000)]  # > 65536 distinct lines: codes widen twice
    results += [_result(i, line=100_000 + i) for i in range(66_000)]
    packed = PackedResults()
    packed.add(results[:1000])
    packed.add(results[1000:])
    assert len(packed) == len(results)
    unpacked = list(packed.unpack())
    assert unpacked == results and len(packed) == 0
    # Equal is not enough: True == 1, but `passed` must stay a bool and lines ints.
    assert [type(r.passed) for r in unpacked] == [bool] * len(results)
    assert {type(r.source_line) for r in unpacked} == {int, type(None)}


def _relational_outcome(name: str) -> Pending:
    texts = [path.read_text() for path in sorted(FIXTURES.glob("*Selector*/fail-*.yaml"))]
    return inspect_text(name, "\n---\n".join(texts), Settings(RULES))


def test_packing_in_batches_keeps_the_order() -> None:
    first, second, last = (_relational_outcome(f"{n}.yaml") for n in ("a", "b", "c"))
    assert first.results and first.facts and first.subjects
    merged = Pending()
    for part in (first, second, last):
        merged.add(part)
        if part is not last:
            merged.pack()  # as a large run does, a batch at a time
    assert merged.packed is not None and merged.results == last.results
    merged.unpack()
    assert merged.packed is None
    for field in ("results", "facts", "subjects"):
        expected = [*getattr(first, field), *getattr(second, field), *getattr(last, field)]
        assert getattr(merged, field) == expected, field


def test_the_run_level_phase_gives_the_same_results_packed_or_not() -> None:
    direct = finish(_relational_outcome("a.yaml"), Settings(RULES))
    packed = _relational_outcome("a.yaml")
    packed.pack()
    assert finish(packed, Settings(RULES)) == direct


def test_sorting_a_file_at_a_time_is_the_one_order() -> None:
    results = [_result(i) for i in range(3000)] * 2  # equal results too
    random.Random(7).shuffle(results)
    expected = sorted(results, key=result_order)
    sort_results(results)
    assert results == expected


def test_a_run_that_packs_its_results_reports_the_same(tmp_path: Path) -> None:
    fixtures = sorted(FIXTURES.glob("*/fail-*.yaml"))
    for index in range(70):  # enough files for worker processes
        fixture = fixtures[index % len(fixtures)]
        (tmp_path / f"{index:02}-{fixture.parent.name}.yaml").write_bytes(fixture.read_bytes())
    command = ("lint", "--format", "json", "--fail-on", "never", str(tmp_path))
    packed = run_cli(*command, env={"KINSPECT_JOBS": "2", "KINSPECT_PACK_RESULTS": "50"})
    plain = run_cli(*command, env={"KINSPECT_JOBS": "1"})
    assert packed.returncode == plain.returncode == 0, packed.stderr + plain.stderr
    assert packed.stdout == plain.stdout
    assert json.loads(packed.stdout)["summary"]["danger"] > 10
