"""Bounded work on hostile input (issue 18, attack 6): alias fan-outs, document floods."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kinspect.engine.run import Settings, inspect_text
from kinspect.parse.limits import Limits
from kinspect.ruleset.rules import load_rules


def anchored_pod(number: int, risky: bool = True) -> str:
    """A Pod whose `args` aliases expand to about 0.9 million nodes (under --max-nodes)."""
    flag = str(risky).lower()
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: p{number}}}
spec:
  hostNetwork: {flag}
  containers:
  - name: app
    securityContext: {{privileged: {flag}}}
    env: &e [{{name: A}}, {{name: B}}, {{name: C}}]
    args:
      a: &a [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
      f: [*d,*d,*d,*d,*d,*d,*d]
      g: [*c,*c,*c,*c,*c,*c,*c,*c]
"""


def bomb_file(count: int) -> str:
    return "".join(anchored_pod(n) for n in range(count))


def cpu_seconds(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """CPU time of a child (the machine may be shared: wall time says little), with a rule
    cache of its own (a shared one may be rebuilt by another checkout in between)."""
    env = {**os.environ, "KINSPECT_CACHE_DIR": str(cwd / ".rule-cache")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return used, proc


def test_the_anchor_file_answers_in_well_under_a_second(tmp_path: Path) -> None:
    text = bomb_file(10)
    assert len(text.encode()) < 4500  # the 3.9 KB file of the issue, give or take
    (tmp_path / "bomb.yaml").write_text(text)
    (tmp_path / "plain.yaml").write_text(anchored_pod(0).split("    args:")[0])
    lint = [sys.executable, "-m", "kinspect", "lint", "--format", "json"]
    cpu_seconds([*lint, "plain.yaml"], tmp_path)  # fills the rule cache
    baseline, _ = cpu_seconds([*lint, "plain.yaml"], tmp_path)  # start-up and rule loading
    used, proc = cpu_seconds([*lint, "bomb.yaml"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["resources"] == 10 and not report["errors"]
    assert used - baseline < 0.6, (used, baseline)


def test_failures_in_a_large_target_point_where_they_do_in_a_small_one() -> None:
    rules = tuple(load_rules([]))
    large = inspect_text("pod.yaml", anchored_pod(0), Settings(rules))
    small = inspect_text("pod.yaml", anchored_pod(0).split("    args:")[0], Settings(rules))

    def failing(outcome: object) -> set[tuple[str, int, int]]:
        results = outcome.results  # type: ignore[attr-defined]
        return {(r.check, r.line, r.column) for r in results if not r.passed}

    expected = failing(small)
    assert {"hostNetworkSet", "runAsPrivileged"} <= {check for check, _, _ in expected}
    found = {f for f in failing(large) if f[0] != "invalidFieldType"}  # args is a mapping
    assert found == expected


def test_alias_nodes_are_bounded_per_run_not_only_per_document(tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text(bomb_file(40))
    (tmp_path / "other.yaml").write_text(anchored_pod(99))
    used, proc = cpu_seconds(
        [sys.executable, "-m", "kinspect", "lint", "--format", "json", "."], tmp_path
    )
    assert proc.returncode == 2
    errors = json.loads(proc.stdout)["errors"]
    assert any(
        "aliases of this run stand for more than 10,000,000 nodes" in e["message"] for e in errors
    )
    assert json.loads(proc.stdout)["summary"]["resources"] >= 10  # those before the budget
    assert used < 20


def test_the_alias_budget_counts_across_texts() -> None:
    rules = tuple(load_rules([]))
    settings = Settings(rules, limits=Limits(max_alias_nodes=1_500_000))
    first = inspect_text("a.yaml", anchored_pod(0), settings)
    second = inspect_text("b.yaml", anchored_pod(1), settings)
    assert not first.problems
    assert [p.message for p in second.problems] == [
        "the aliases of this run stand for more than 1,500,000 nodes"
    ]
    fresh = inspect_text("b.yaml", anchored_pod(1), Settings(rules))  # a new run: a new budget
    assert not fresh.problems


@pytest.mark.parametrize("size", [8_000_000])
def test_document_markers_stop_at_the_document_limit(tmp_path: Path, size: int) -> None:
    (tmp_path / "dashes.yaml").write_text("---\n" * (size // 4))
    used, proc = cpu_seconds(
        [sys.executable, "-m", "kinspect", "lint", "--quiet", "dashes.yaml"], tmp_path
    )
    assert proc.returncode == 2
    assert "more than 10,000 documents in one file" in proc.stderr
    assert used < 4, used


def test_the_document_limit_reaches_the_prefilter_and_the_scan() -> None:
    rules = tuple(load_rules([]))
    text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" * 5000
    outcome = inspect_text("c.yaml", text * 60, Settings(rules, limits=Limits(max_documents=50)))
    assert [p.message for p in outcome.problems] == ["more than 50 documents in one file"]
    assert outcome.documents == 50


def test_large_values_are_quoted_without_writing_them_whole() -> None:
    from kinspect.check.evaluate import render_value

    shared = [list(range(1000))] * 1000
    started = time.process_time()
    text = render_value({"a": shared})
    assert time.process_time() - started < 0.05
    assert len(text) == 120 and text.startswith('{"a":[[0,1,2') and text.endswith("…")


def chart(tmp_path: Path, count: int) -> Path:
    """A chart whose 14-byte values.yaml renders `count` ConfigMaps."""
    root = tmp_path / "chart"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: many\nversion: 0.1.0\n")
    (root / "values.yaml").write_text(f"count: {count}\n")
    (root / "templates" / "cm.yaml").write_text(
        "{{- range until (int .Values.count) }}\n---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata:\n  name: c{{ . }}\n{{- end }}\n"
    )
    return root


def test_a_helm_render_is_stopped_as_it_grows(tmp_path: Path) -> None:
    chart(tmp_path, 100_000_000)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kinspect", "lint", "--max-file-size", "1M", "chart"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "kinspect: chart: helm template used more than 208 MiB of memory" in proc.stderr
    assert time.monotonic() - started < 60


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--max-documents=100", "helm template printed more than 100 documents"),
        ("--max-file-size=8K", "helm template printed more than 8,192 bytes"),
    ],
)
def test_the_limits_apply_to_rendered_output(tmp_path: Path, option: str, message: str) -> None:
    chart(tmp_path, 1000)
    proc = subprocess.run(
        [sys.executable, "-m", "kinspect", "lint", option, "chart"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1
