"""The whole catalog, off-by-default rules included, over the real-world corpus: no crash.

The CLI reads ../shared/corpus as a user would with `--no-render` (chart and kustomize
directories as plain YAML, so no build is waited for) and `--checks` naming every rule; the
cross-resource rules then resolve over every resource of the corpus at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kinspect.ruleset.rules import load_rules
from tests.conftest import CORPUS, ROOT


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_full_catalog_over_the_corpus_does_not_crash() -> None:
    rules = load_rules()
    every_check = ",".join(rule.id for rule in rules)
    proc = subprocess.run(
        [sys.executable, "-m", "kinspect", "lint", "--format", "json", "--no-progress",
         "--no-render", "--fail-on", "never", "--checks", every_check,
         "--pod-security", "restricted", "../shared/corpus"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    # Unparseable inputs (Helm templates, broken samples) are reported, one line each.
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    assert all(line.startswith("kinspect: ") for line in proc.stderr.splitlines())
    report = json.loads(proc.stdout)
    assert report["summary"]["resources"] > 5000
    ran = {result["check"] for result in report["results"]}
    # Every schema and cross-resource rule found something to evaluate in real manifests; a
    # Pod Security rule only at the levels and versions where it is active (test_pod_security).
    expected = {rule.id for rule in rules if rule.analysis is None and not rule.versions}
    assert {"pssRunAsNonRoot", "pssPrivileged"} <= ran
    assert expected - ran == set()
    failing = {r["check"] for r in report["results"] if not r["passed"]}
    relational = {rule.id for rule in rules if rule.relations}
    assert {"missingNetworkPolicy", "serviceSelectorMatchesNothing"} <= failing & relational
