"""Baselines: written once, they hide known failures across edits and list stale entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinspect.config.baseline import Entry, apply_baseline, key_path, read_baseline, write_baseline
from kinspect.errors import UsageError
from kinspect.model import Result
from tests.conftest import run_cli

AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: registry.example.com/agent:2.3.1
          securityContext: {privileged: true}
        - name: sidecar
          image: registry.example.com/proxy:1.2.0
"""
WEB = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostPID: true
  containers:
    - name: web
      image: registry.example.com/web:1.0.0
"""
CHECKS = ("--checks", "hostNetworkSet,hostPIDSet,runAsPrivileged")


def lint(cwd: Path, *args: str) -> tuple[int, dict[str, object], str]:
    proc = run_cli("lint", "--no-progress", "-f", "json", *CHECKS, *args, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def new_failures(report: dict[str, object]) -> set[tuple[str, str, int]]:
    results = report["results"]
    assert isinstance(results, list)
    return {
        (r["file"], r["check"], r["line"])
        for r in results
        if not r["passed"] and r["suppressed"] is None
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "all.yaml").write_text(AGENT + "---\n" + WEB)
    return tmp_path


def test_round_trip_survives_moved_lines_and_reordered_documents(project: Path) -> None:
    code, report, stderr = lint(project, "--write-baseline", "ci/baseline.json", "deploy")
    assert code == 2 and "cannot write the baseline" in stderr  # ci/ does not exist
    code, report, stderr = lint(project, "--write-baseline", "baseline.json", "deploy")
    assert code == 0, stderr
    assert "baseline.json: baseline written with 3 entries" in stderr
    assert new_failures(report) == set()
    written = json.loads((project / "baseline.json").read_text())
    assert written["kinspect_baseline"] == 1
    assert {e["path"] for e in written["entries"]} == {
        "spec.template.spec.hostNetwork",
        "spec.template.spec.containers[agent].securityContext.privileged",
        "spec.hostPID",
    }
    # Documents swapped, comments added above: nothing moves out of the baseline.
    (project / "deploy" / "all.yaml").write_text("# moved\n\n" + WEB + "---\n" + AGENT)
    code, report, stderr = lint(project, "--baseline", "baseline.json", "deploy")
    assert (code, new_failures(report), stderr) == (0, set(), "")
    assert report["summary"]["suppressed"] == 3  # type: ignore[index]


def test_only_new_failures_are_reported_and_stale_entries_are_listed(project: Path) -> None:
    lint(project, "--write-baseline", "baseline.json", "deploy")
    fixed = AGENT.replace("hostNetwork: true", "hostNetwork: false")
    worse = WEB.replace("hostPID: true", "hostPID: true\n  hostNetwork: true")
    (project / "deploy" / "all.yaml").write_text(fixed + "---\n" + worse)
    code, report, stderr = lint(project, "--baseline", "baseline.json", "deploy")
    assert code == 1
    assert new_failures(report) == {("deploy/all.yaml", "hostNetworkSet", 25)}
    assert stderr.splitlines() == [
        "kinspect: baseline.json: 1 baseline entries no longer match anything"
        " (hint: delete them, or rewrite the baseline with --write-baseline):",
        "kinspect:   deploy/all.yaml: hostNetworkSet DaemonSet kube-system/agent"
        " spec.template.spec.hostNetwork",
    ]


def test_entries_of_files_not_inspected_are_not_stale(project: Path) -> None:
    (project / "other.yaml").write_text(WEB)
    lint(project, "--write-baseline", "baseline.json", "deploy", "other.yaml")
    code, _, stderr = lint(project, "--baseline", "baseline.json", "other.yaml")
    assert (code, stderr) == (0, "")
    (project / "deploy" / "all.yaml").unlink()  # a deleted file can never match again
    code, _, stderr = lint(project, "--baseline", "baseline.json", "other.yaml")
    assert "3 baseline entries no longer match" in stderr


def test_baseline_paths_are_relative_to_the_baseline_file(project: Path) -> None:
    (project / "ci").mkdir()
    lint(project, "--write-baseline", "ci/baseline.json", "deploy")
    files = {
        e["file"] for e in json.loads((project / "ci" / "baseline.json").read_text())["entries"]
    }
    assert files == {"../deploy/all.yaml"}
    code, report, _ = lint(project / "deploy", "--baseline", "../ci/baseline.json", "all.yaml")
    assert (code, new_failures(report)) == (0, set())


def test_baseline_from_the_config_file(project: Path) -> None:
    lint(project, "--write-baseline", "baseline.json", "deploy")
    (project / ".kinspect.yaml").write_text("baseline: baseline.json\n")
    code, report, _ = lint(project, "deploy")
    assert (code, new_failures(report)) == (0, set())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "baseline.json:1:2: invalid JSON"),
        (
            '{"kinspect_baseline": 1, "entries": [{"check": "x"}]}',
            "baseline.json:1:38: entries[0]: missing",
        ),
        (
            '{"kinspect_baseline": 2,\n "entries": []}',
            "baseline.json:1:2: kinspect_baseline: 1 was expected",
        ),
    ],
)
def test_malformed_baseline_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        read_baseline(path)
    assert str(info.value).startswith(f"{tmp_path}/{message}")


def test_missing_baseline_exits_2(project: Path) -> None:
    code, _, stderr = lint(project, "--baseline", "nope.json", "deploy")
    assert code == 2
    assert "nope.json: cannot read the baseline" in stderr and "--write-baseline" in stderr


def result(path: str, container: str | None = None, kind: str | None = None) -> Result:
    return Result(
        "a.yaml", 3, 5, "runAsPrivileged", False, "danger", "Security", "m", "f",
        "Pod", None, "p", container, kind, path,
    )  # fmt: skip


def test_key_path_names_containers_and_drops_list_items() -> None:
    assert key_path(result("spec.containers.1.securityContext", "app", "containers")) == (
        "spec.containers[app].securityContext"
    )
    assert key_path(result("items.3.spec.initContainers.0", "init", "initContainers")) == (
        "spec.initContainers[init]"
    )
    unnamed = result("spec.containers.2.image", "containers[2]", "containers")
    assert key_path(unnamed) == "spec.containers.2.image"
    assert key_path(result("items.0.spec.hostPID")) == "spec.hostPID"


def test_identical_findings_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = Path("b.json")
    twice = [result("spec.hostPID"), result("spec.hostPID")]
    assert write_baseline(path, twice[:1]) == 1
    entries = read_baseline(path)
    assert entries == [Entry("runAsPrivileged", "a.yaml", "Pod", None, "p", None, "spec.hostPID")]
    out, stale = apply_baseline(twice, entries, path, ["runAsPrivileged"])
    assert [r.suppressed is None for r in out] == [False, True]
    assert stale == []
