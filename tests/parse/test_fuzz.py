"""Property-based and fuzz tests: findings or a clean error, never an exception.

Hypothesis runs derandomized (the same examples on every run, so CI is repeatable); the
longer, random search is `bench/fuzz.py`. The fixed seed corpus of nasty cases is
tests/fixtures/hostile/, run here as regular tests.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinspect.errors import KinspectError
from kinspect.inputs.sources import decode
from kinspect.parse.loader import load_documents
from tests.support.fuzzing import HOSTILE, TOKENS, mutate, pipeline, seeds

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.*")), ids=lambda p: p.name)
def test_seed_corpus_gives_findings_or_one_clean_error(path: Path) -> None:
    try:
        text = decode(path.read_bytes())
    except KinspectError as exc:
        assert exc.message
        return
    outcome = pipeline(path.name, text)
    assert outcome.results or outcome.problems or outcome.skipped_documents


@settings(FUZZ, max_examples=150)
@given(st.lists(st.sampled_from(TOKENS) | st.characters(exclude_categories=("Cs",)), max_size=80))
def test_any_text(pieces: list[str]) -> None:
    pipeline("fuzz.yaml", "".join(pieces))


@settings(FUZZ, max_examples=150)
@given(st.randoms(use_true_random=False), st.integers(1, 6))
def test_mutated_fixtures(rng: random.Random, steps: int) -> None:
    seed = rng.choice(seeds())
    pipeline("mutated.yaml", mutate(seed, rng, steps))


@settings(FUZZ, max_examples=100)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_fail_cleanly(data: bytes) -> None:
    try:
        text = decode(data)
    except KinspectError as exc:
        assert "\n" not in exc.message
        return
    pipeline("bytes.json", text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = [
    ("spec",),
    ("spec", "containers"),
    ("spec", "containers", 0),
    ("spec", "hostNetwork"),
    ("spec", "securityContext"),
    ("spec", "containers", 0, "securityContext"),
    ("spec", "containers", 0, "securityContext", "capabilities"),
    ("spec", "containers", 0, "ports"),
    ("spec", "containers", 0, "resources"),
    ("spec", "containers", 0, "resources", "limits"),
    ("spec", "containers", 0, "image"),
    ("spec", "initContainers"),
    ("metadata",),
    ("metadata", "name"),
    ("kind",),
]


def _pod() -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "app:1",
        "securityContext": {"capabilities": {}},
        "ports": [{"containerPort": 80}],
        "resources": {"limits": {"cpu": "1"}},
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [container]},
    }


def _has(parent: Any, key: Any) -> bool:
    if isinstance(parent, dict):
        return isinstance(parent.get(key), dict | list)
    return isinstance(parent, list) and isinstance(key, int) and key < len(parent)


@settings(FUZZ, max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), JSON_VALUES), min_size=1, max_size=4))
def test_wrong_types_anywhere_in_a_pod(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    pod = _pod()
    for path, value in changes:
        parent: Any = pod
        for key in path[:-1]:
            if not _has(parent, key):
                break
            parent = parent[key]
        else:
            if isinstance(parent, dict) or _has(parent, path[-1]):
                parent[path[-1]] = value
    text = json.dumps(pod, indent=2, allow_nan=True)
    outcome = pipeline("typed.json", text)
    if "NaN" not in text and "Infinity" not in text:
        assert not [p for p in outcome.problems if "JSON" in p.message]


@settings(FUZZ, max_examples=60)
@given(st.integers(2, 12), st.integers(2, 40))
def test_alias_fan_out_is_bounded(width: int, levels: int) -> None:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    try:
        documents = list(load_documents("\n".join(lines) + "\n"))
    except KinspectError as exc:
        assert "nodes once aliases are expanded" in exc.message
    else:
        assert width**levels < 1_000_000 and len(documents) == 1
