"""One finding per build: a chart rendered twice is reported once per different object."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES, lint_json

CHART = FIXTURES / "helm" / "webapp"


def test_a_chart_rendered_twice(tmp_path: Path) -> None:
    for copy in ("blue", "green"):
        shutil.copytree(CHART, tmp_path / copy)
    same = lint_json(".", cwd=tmp_path)
    assert same["errors"] == []
    assert {r["build"] for r in same["results"]} == {"blue (release-name)"}
    values = tmp_path / "green" / "values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 2", "replicaCount: 5"))
    changed = lint_json(".", cwd=tmp_path)
    green = {(r["resource"]["kind"], r["build"]) for r in changed["results"]}
    assert ("Deployment", "green (release-name)") in green
    # What the new values did not change is still reported once, for the first build.
    assert ("StatefulSet", "green (release-name)") not in green
    blue = [r for r in changed["results"] if r["build"] == "blue (release-name)"]
    assert {r["file"].split("/")[0] for r in blue} == {"blue"}
