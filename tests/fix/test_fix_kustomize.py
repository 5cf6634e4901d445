"""`kinspect fix` on kustomize trees agrees with `lint`: the file that sets the field is fixed,
nothing the build overrides is planned, and what no single file can fix is left by hand."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, lint_json, run_cli

LAYERS = FIXTURES / "kustomize" / "layers"


def failing(report: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {
        (r["check"], r["resource"]["namespace"], r["container"])
        for r in report["results"]
        if not r["passed"]
    }


def test_fixes_go_to_the_patch_and_the_base(tmp_path: Path) -> None:
    shutil.copytree(LAYERS, tmp_path / "layers")
    tree = tmp_path / "layers"
    kustomization = (tree / "overlays/dev/kustomization.yaml").read_text()
    before = lint_json("layers/overlays/dev", cwd=tmp_path)
    # The base lies outside the overlay: it is written only when given too (fix writes only
    # inside the paths it is given; tests/fix/test_fix_writes.py).
    proc = run_cli("fix", "layers/overlays/dev", "layers/base", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "allowPrivilegeEscalation: false" in (tree / "overlays/dev/sidecar.yaml").read_text()
    assert "readOnlyRootFilesystem: true" in (tree / "base/api.yaml").read_text()
    assert (tree / "overlays/dev/kustomization.yaml").read_text() == kustomization
    assert (
        "layers/overlays/dev/kustomization.yaml:15:9: hostPIDSet not fixed: set by the "
        "kustomization" in proc.stderr
    )
    assert "layers/overlays/dev/tokens.env:2:1: sensitiveConfigmapContent not fixed" in proc.stderr
    after = lint_json("layers/overlays/dev", cwd=tmp_path)
    fixed = failing(before) - failing(after)
    assert ("privilegeEscalationAllowed", "dev", "proxy") in fixed
    assert ("notReadOnlyRootFileSystem", "dev", "api") in fixed
    assert failing(after) <= failing(before)  # nothing new, nothing moved to another object
    assert failing(after) & fixed == set()
    # Every finding still there (of a rule fix runs) was listed as left to fix by hand.
    relational = {rule.id for rule in load_rules() if rule.relations}
    listed = set(re.findall(r": (\w+) not fixed: ", proc.stderr))
    assert {check for check, _, _ in failing(after)} - relational <= listed


def test_nothing_is_planned_that_the_build_overrides(tmp_path: Path) -> None:
    shutil.copytree(LAYERS / "base", tmp_path / "base")
    overlay = tmp_path / "sized"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        "resources:\n  - ../base\npatches:\n  - path: sized.yaml\n"
        "images:\n  - name: example/api\n    newTag: '2.0'\n"
    )
    (overlay / "sized.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n          securityContext:\n"
        "            readOnlyRootFilesystem: true\n          resources:\n"
        "            limits: {cpu: '1', memory: 1Gi}\n"
        "            requests: {cpu: '1', memory: 1Gi}\n"
    )
    base = (tmp_path / "base/api.yaml").read_text()
    alone = lint_json("base/api.yaml", cwd=tmp_path)
    assert {"cpuLimitsMissing", "notReadOnlyRootFileSystem", "tagNotSpecified"} <= {
        r["check"] for r in alone["results"] if not r["passed"]
    }
    proc = run_cli("fix", "sized", "base", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    fixed = (tmp_path / "base/api.yaml").read_text()
    assert fixed != base  # privileged: true is the base's own
    assert "resources:" not in fixed and "readOnlyRootFilesystem" not in fixed  # the patch's
    assert "tagNotSpecified" not in proc.stderr
    assert "cpuLimitsMissing" not in proc.stderr


def test_a_json_6902_patch_is_left_by_hand(tmp_path: Path) -> None:
    shutil.copytree(LAYERS, tmp_path / "layers")
    ops = (tmp_path / "layers/overlays/prod/ops.yaml").read_text()
    proc = run_cli("fix", "layers/overlays/prod", "layers/base", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "layers/overlays/prod/ops.yaml").read_text() == ops
    assert (
        "layers/overlays/prod/ops.yaml:5:5: runAsPrivileged not fixed: the kustomize build has "
        "it here, but the file alone does not" in proc.stderr
    )
