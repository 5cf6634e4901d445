"""action.yml (composite GitHub action) and the example workflow, run here as on a runner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import Venv
from tests.support.gitrepo import init_repo, run
from tests.support.readme import snippet

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step.get("name", step.get("uses")): step for step in ACTION["runs"]["steps"]}
BAD = FIXTURES / "hostNetworkSet" / "fail-pod.yaml"
WORKFLOWS = {
    "docs/ci/github-workflow.yml": (ROOT / "docs/ci/github-workflow.yml").read_text(
        encoding="utf-8"
    ),
    "README": snippet("github-workflow"),
}


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema from shared/ (beside the checkout, as in CI)."""
    for shared in (ROOT.parent / "shared", Path("/work/shared")):
        path = shared / "schemas" / "sarif-schema-2.1.0.json"
        if path.is_file():
            schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return schema
    raise AssertionError("shared/schemas/sarif-schema-2.1.0.json not found beside the checkout")


def step_env(step: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    """The step's `env:` with `${{ inputs.X }}` replaced as the runner would."""
    env = {}
    for key, value in step.get("env", {}).items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
        if match:
            env[key] = inputs[match.group(1)]
    return env


def run_step(name: str, inputs: dict[str, str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    step = STEPS[name]
    defaults = {key: spec.get("default", "") for key, spec in ACTION["inputs"].items()}
    proc = run(
        "bash",
        "-e",
        "-o",
        "pipefail",
        "-c",
        step["run"],
        cwd=cwd,
        env={**step_env(step, {**defaults, **inputs}), **env},
    )
    return proc.returncode, proc.stdout


@pytest.fixture(scope="module")
def runner_temp(installed: Venv) -> Path:
    """$RUNNER_TEMP after the action's install step (pip install of this checkout)."""
    temp = installed.path.parent
    python = shutil.which("python3") or "python3"
    env = {"PYTHON": python, "ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(temp)}
    code, output = run_step("Install kinspect", {}, ROOT, env)
    assert code == 0, output
    return temp


def test_action_is_a_safe_composite_action() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach scripts through env only: `${{ }}` inside a script is code injection.
            assert "${{" not in step["run"], step["name"]
    used = set(re.findall(r"inputs\.([\w-]+)", (ROOT / "action.yml").read_text(encoding="utf-8")))
    assert used == set(ACTION["inputs"])


@pytest.mark.parametrize("source", sorted(WORKFLOWS))
def test_example_workflow_uploads_what_the_action_writes(
    source: str, runner_temp: Path, tmp_path: Path
) -> None:
    workflow = yaml.safe_load(WORKFLOWS[source])
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    (action,) = [s for s in job["steps"] if s.get("uses", "").startswith("kinspect/kinspect@")]
    (upload,) = [
        s
        for s in job["steps"]
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert set(action["with"]) <= set(ACTION["inputs"])
    assert "failure()" in upload["if"] or "always()" in upload["if"]

    repo = init_repo(tmp_path / "repo")
    manifests = repo / action["with"]["paths"]
    manifests.mkdir(parents=True)
    shutil.copy(BAD, manifests / "pod.yaml")
    outputs = tmp_path / "github-output"
    env = {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(outputs)}
    code, log = run_step("Run kinspect", action["with"], repo, env)
    assert code == 1, log  # danger findings fail the step
    assert re.search(r"manifests/pod\.yaml:7:3: DANGER hostNetworkSet", log), log
    assert outputs.read_text().splitlines() == [
        f"sarif-file={action['with']['sarif-file']}",
        "exit-code=1",
    ]

    sarif = json.loads((repo / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    results = sarif["runs"][0]["results"]
    host = [r for r in results if r["ruleId"] == "hostNetworkSet"]
    location = host[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "manifests/pod.yaml"
    assert location["region"]["startLine"] == 7


def test_fail_on_never_keeps_the_step_green(runner_temp: Path, tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "pod.yaml")
    env = {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(tmp_path / "out")}
    inputs = {"fail-on": "never", "args": "--lang zh", "sarif-file": "out.sarif"}
    code, log = run_step("Run kinspect", inputs, tmp_path, env)
    assert code == 0, log
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert any("主机" in r["message"]["text"] for r in sarif["runs"][0]["results"])
