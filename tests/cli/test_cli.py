"""End-to-end tests of the command line: exit codes, inputs, positions and the JSON shape."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, lint_json, run_cli

CLI = FIXTURES / "cli"
# The 16 checks of the origin document; other rules join the catalog over time.
CORE = ",".join(
    [
        "hostNetworkSet",
        "hostIPCSet",
        "hostPIDSet",
        "hostPortSet",
        "runAsRootAllowed",
        "runAsPrivileged",
        "privilegeEscalationAllowed",
        "capabilitiesAdded",
        "notReadOnlyRootFileSystem",
        "cpuRequestsMissing",
        "cpuLimitsMissing",
        "memoryRequestsMissing",
        "memoryLimitsMissing",
        "readinessProbeMissing",
        "livenessProbeMissing",
        "tagNotSpecified",
    ]
)


def failures(report: dict[str, object]) -> list[tuple[str, int, int, str]]:
    """(file, line, column, check) of each failed result."""
    results = report["results"]
    assert isinstance(results, list)
    return [(r["file"], r["line"], r["column"], r["check"]) for r in results if not r["passed"]]


def test_multi_document_positions() -> None:
    report = lint_json("tests/fixtures/cli/multi.yaml")
    found = set(failures(report))
    name = "tests/fixtures/cli/multi.yaml"
    assert (name, 15, 7, "hostNetworkSet") in found
    assert (name, 18, 11, "tagNotSpecified") in found  # registry port is not a tag
    assert (name, 21, 15, "hostPortSet") in found
    assert (name, 45, 17, "runAsPrivileged") in found  # init container of a CronJob
    assert (name, 17, 11, "privilegeEscalationAllowed") in found  # missing: the container line
    # the digest-pinned init container and alpine:3.20 pass the tag check
    assert not [f for f in found if f[3] == "tagNotSpecified" and f[1] > 30]
    assert report["summary"]["resources"] == 3  # type: ignore[index]


def test_unnamed_container_is_labelled_by_position() -> None:
    report = lint_json("tests/fixtures/cli/multi.yaml")
    results = report["results"]
    assert isinstance(results, list)
    init = [r for r in results if r["check"] == "runAsPrivileged" and not r["passed"]]
    assert [r["container"] for r in init] == ["initContainers[0]"]
    assert init[0]["container_type"] == "initContainers"
    assert init[0]["resource"] == {"kind": "CronJob", "namespace": None, "name": "nightly"}


def test_probe_checks_skip_jobs() -> None:
    report = lint_json("tests/fixtures/cli/multi.yaml")
    cron_checks = {r["check"] for r in report["results"] if r["resource"]["kind"] == "CronJob"}  # type: ignore[attr-defined]
    assert "readinessProbeMissing" not in cron_checks
    assert "livenessProbeMissing" not in cron_checks
    assert "cpuLimitsMissing" in cron_checks


def test_list_items_are_inspected_one_by_one() -> None:
    report = lint_json("tests/fixtures/cli/list.yaml")
    found = failures(report)
    assert ("tests/fixtures/cli/list.yaml", 9, 7, "hostPIDSet") in found
    assert ("tests/fixtures/cli/list.yaml", 20, 11, "tagNotSpecified") in found
    names = {r["resource"]["name"] for r in report["results"]}  # type: ignore[attr-defined]
    assert names == {"first", "second"}


def test_json_input() -> None:
    report = lint_json("tests/fixtures/cli/pod.json")
    assert ("tests/fixtures/cli/pod.json", 6, 5, "hostIPCSet") in failures(report)


def test_stdin() -> None:
    text = (CLI / "list.yaml").read_text()
    report = lint_json("-", stdin=text)
    assert ("-", 9, 7, "hostPIDSet") in failures(report)


def test_non_kubernetes_documents_are_skipped_and_counted() -> None:
    proc = run_cli("lint", "tests/fixtures/cli/not-kubernetes.yaml")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "3 non-Kubernetes documents skipped" in proc.stdout
    report = lint_json("tests/fixtures/cli/not-kubernetes.yaml")
    assert report["summary"]["skipped_documents"] == 3  # type: ignore[index]
    assert report["summary"]["resources"] == 0  # type: ignore[index]
    assert report["summary"]["score"] == 100  # type: ignore[index]


def test_json_output_shape() -> None:
    report = lint_json("tests/fixtures/cli/clean.yaml", "tests/fixtures/cli/list.yaml")
    assert report["tool"]["name"] == "kinspect"  # type: ignore[index]
    summary = report["summary"]
    for key in ("resources", "checks_run", "passed", "warning", "danger", "score"):
        assert isinstance(summary[key], int), key  # type: ignore[index]
    results = report["results"]
    assert isinstance(results, list)
    assert {r["passed"] for r in results} == {True, False}
    first = results[0]
    for key in (
        "check",
        "passed",
        "severity",
        "category",
        "message",
        "fix",
        "file",
        "line",
        "column",
        "resource",
        "container",
        "container_type",
    ):
        assert key in first, key
    passed = sum(r["passed"] for r in results)
    warning = sum(1 for r in results if not r["passed"] and r["severity"] == "warning")
    danger = sum(1 for r in results if not r["passed"] and r["severity"] == "danger")
    assert (summary["passed"], summary["warning"], summary["danger"]) == (passed, warning, danger)  # type: ignore[index]
    assert summary["score"] == (200 * passed) // (2 * passed + warning + 2 * danger)  # type: ignore[index]


def test_clean_manifest_passes_everything() -> None:
    proc = run_cli(
        "lint", "--checks", CORE, "--fail-on", "warning", "tests/fixtures/cli/clean.yaml"
    )
    assert proc.returncode == 0, proc.stdout
    assert "0 warning, 0 danger; score 100" in proc.stdout


def test_exit_codes_follow_fail_on() -> None:
    bad = "tests/fixtures/cli/multi.yaml"
    warn_only = "tests/fixtures/cli/warnings-only.yaml"
    assert run_cli("lint", "--checks", CORE, bad).returncode == 1
    assert run_cli("lint", "--checks", CORE, "--fail-on", "never", bad).returncode == 0
    assert run_cli("lint", "--checks", CORE, warn_only).returncode == 0
    assert run_cli("lint", "--checks", CORE, "--fail-on", "warning", warn_only).returncode == 1


def test_text_format(tmp_path: Path) -> None:
    proc = run_cli("lint", "tests/fixtures/cli/multi.yaml")
    lines = proc.stdout.splitlines()
    head = next(line for line in lines if "hostNetworkSet" in line)
    assert head.startswith(
        "tests/fixtures/cli/multi.yaml:15:7: DANGER hostNetworkSet Deployment shop/api: "
    )
    assert lines[lines.index(head) + 1].strip().startswith("fix: Remove the hostNetwork field")
    summary = lint_json("tests/fixtures/cli/multi.yaml")["summary"]
    assert lines[-1] == (
        f"3 resources, {summary['results']} checks: {summary['passed']} passed, "
        f"{summary['warning']} warning, {summary['danger']} danger; score {summary['score']}"
    )


def test_broken_input_is_reported_and_others_still_inspected(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    shutil.copy(CLI / "list.yaml", tmp_path / "good.yaml")
    proc = run_cli("lint", "--format", "json", str(tmp_path))
    assert proc.returncode == 2
    error_lines = proc.stderr.strip().splitlines()
    assert len(error_lines) == 1
    assert error_lines[0].startswith(f"kinspect: {tmp_path}/broken.yaml:5:1: invalid YAML")
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert {r["resource"]["name"] for r in report["results"]} == {"first", "second"}
    assert report["errors"][0]["line"] == 5


def test_usage_errors_exit_2() -> None:
    proc = run_cli("lint", "--checks", "hostNetworkSet,noSuchCheck", "tests/fixtures/cli/list.yaml")
    assert proc.returncode == 2
    assert "unknown check id(s): noSuchCheck" in proc.stderr
    assert "hostNetworkSet" in proc.stderr  # the valid ids are listed
    near = run_cli("lint", "--checks", "hostnetworkSet", "tests/fixtures/cli/list.yaml")
    assert near.returncode == 2
    assert "did you mean: hostnetworkSet → hostNetworkSet?" in near.stderr
    assert run_cli("lint", "--no-such-option").returncode == 2
    missing = run_cli("lint", "does/not/exist.yaml")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "kinspect: does/not/exist.yaml: no such file or directory"


def test_checks_and_skip_checks_select_rules() -> None:
    only = lint_json("--checks", "hostPIDSet,tagNotSpecified", "tests/fixtures/cli/list.yaml")
    assert {r["check"] for r in only["results"]} == {"hostPIDSet", "tagNotSpecified"}  # type: ignore[attr-defined]
    skipped = lint_json("--skip-checks", "hostPIDSet", "tests/fixtures/cli/list.yaml")
    assert "hostPIDSet" not in {r["check"] for r in skipped["results"]}  # type: ignore[attr-defined]


def test_directory_walk_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b" / "deep").mkdir(parents=True)
    shutil.copy(CLI / "list.yaml", tmp_path / "b" / "deep" / "x.yml")
    shutil.copy(CLI / "pod.json", tmp_path / "a.json")
    (tmp_path / "notes.txt").write_text("kind: Pod")
    report = lint_json(str(tmp_path))
    files = [r["file"] for r in report["results"]]  # type: ignore[attr-defined]
    assert files == sorted(files)
    assert {Path(f).name for f in files} == {"a.json", "x.yml"}


def test_chinese_texts() -> None:
    proc = run_cli("lint", "--lang", "zh", "tests/fixtures/cli/list.yaml")
    assert "设置了 hostPID" in proc.stdout or "hostPID" in proc.stdout
    assert "修复" in proc.stdout
    assert "健康度" in proc.stdout


def test_rules_and_explain() -> None:
    proc = run_cli("rules")
    assert proc.returncode == 0
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    assert {"hostNetworkSet", "tagNotSpecified", "runAsRootAllowed"} <= set(ids)
    explained = run_cli("explain", "capabilitiesAdded")
    assert explained.returncode == 0
    assert "Risk:" in explained.stdout and "Example:" in explained.stdout
    zh = run_cli("explain", "hostNetworkSet", "--lang", "zh")
    assert "删除hostNetwork字段" in zh.stdout
    assert run_cli("explain", "nope").returncode == 2


def test_console_script_matches_module() -> None:
    script = shutil.which("kinspect", path=str(Path(ROOT / ".venv" / "bin")))
    if script is None:
        script = shutil.which("kinspect")
    assert script is not None, "the kinspect console script is not installed"
    proc = subprocess.run([script, "rules"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == run_cli("rules").stdout
