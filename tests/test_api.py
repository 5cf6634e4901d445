"""The Python API (`kinspect.lint`): same results as the command line, typed for users."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kinspect
from kinspect.report.model import Report
from tests.conftest import FIXTURES, ROOT, run_cli
from tests.support.readme import snippet

BAD = FIXTURES / "hostNetworkSet" / "fail-pod.yaml"


def keys(report: Report) -> list[tuple[str, int, int, str, bool]]:
    return [(r.file, r.line, r.column, r.check, r.passed) for r in report.results]


@pytest.mark.parametrize("path", ["examples", "tests/fixtures/hostNetworkSet"])
def test_same_results_as_the_command_line(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = kinspect.lint([path])
    data = json.loads(run_cli("lint", "--format", "json", path).stdout)
    expected = [
        (r["file"], r["line"], r["column"], r["check"], r["passed"]) for r in data["results"]
    ]
    assert keys(report) == expected and expected
    assert report.counts.score == data["summary"]["score"]


def test_one_path_a_language_and_a_selection() -> None:
    report = kinspect.lint(BAD, lang="zh", checks=["hostNetworkSet", "tagNotSpecified"])
    assert isinstance(report, kinspect.Report)
    assert {r.check for r in report.results} == {"hostNetworkSet", "tagNotSpecified"}
    (failure,) = report.failures
    assert failure.file == str(BAD) and failure.line == 7 and "共享主机的网络" in failure.message
    skipped = kinspect.lint([BAD], skip_checks=["hostNetworkSet"])
    assert "hostNetworkSet" not in {r.check for r in skipped.results} and skipped.results


def test_text_input_and_unreadable_inputs() -> None:
    report = kinspect.lint_text(BAD.read_text(encoding="utf-8"), name="pod.yaml")
    assert [(r.file, r.line) for r in report.failures if r.check == "hostNetworkSet"] == [
        ("pod.yaml", 7)
    ]
    missing = kinspect.lint(["no/such/file.yaml"])
    assert [p.render() for p in missing.problems] == [
        "no/such/file.yaml: no such file or directory"
    ]
    assert kinspect.lint([]).results == []


def test_configuration_file_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "team.yaml"
    config.write_text(
        "checks:\n  hostNetworkSet: warning\nskip-checks: [tagNotSpecified]\nlang: zh\n",
        encoding="utf-8",
    )
    report = kinspect.lint([BAD], config)
    (host,) = [r for r in report.failures if r.check == "hostNetworkSet"]
    assert host.severity == "warning" and "共享主机的网络" in host.message
    assert "tagNotSpecified" not in {r.check for r in report.results}
    # Without `config`, the file is found from the working directory, as on the command line.
    (tmp_path / ".kinspect.yaml").write_text(config.read_text(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = kinspect.lint_text(BAD.read_text(encoding="utf-8"), "pod.yaml")
    assert {(r.check, r.severity) for r in found.failures} >= {("hostNetworkSet", "warning")}
    with pytest.raises(kinspect.UsageError, match="configuration file not found"):
        kinspect.lint([BAD], tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"checks": ["noSuchCheck"]}, "unknown check id(s): noSuchCheck"),
        ({"checks": "hostNetworkSet"}, "as a list"),
        ({"lang": "fr"}, "unknown language 'fr'"),
    ],
)
def test_bad_arguments_raise_usage_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(kinspect.UsageError) as caught:
        kinspect.lint([BAD], **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_readme_example_runs(tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(snippet("python-api"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(run_cli("lint", "--format", "json", "examples/").stdout)
    failures = [r for r in data["results"] if not r["passed"]]
    expected = [
        f"{r['file']}:{r['line']}:{r['column']}: {r['severity']} {r['check']}" for r in failures
    ]
    assert failures and proc.stdout.splitlines() == [*expected, f"score {data['summary']['score']}"]


def test_types_reach_users(tmp_path: Path) -> None:
    """mypy --strict sees the API's annotations (py.typed): good code passes, bad code fails."""
    good = tmp_path / "good.py"
    good.write_text(snippet("python-api"), encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text("import kinspect\n\nscore: str = kinspect.lint(['x']).counts.score\n")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    proc = subprocess.run([*mypy, str(good)], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    proc = subprocess.run([*mypy, str(bad)], cwd=tmp_path, capture_output=True, text=True)
    assert 'expression has type "int", variable has type "str"' in proc.stdout, proc.stdout


def test_text_input_runs_cross_resource_checks() -> None:
    pod = BAD.read_text(encoding="utf-8").replace("  namespace: default\n", "  labels: {app: x}\n")
    pod = pod.replace("hostNetwork: true", "hostNetwork: false")  # host-network pods are exempt
    policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all}\n"
    policy += "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
    only = ["missingNetworkPolicy"]
    alone = kinspect.lint_text(pod, checks=only)
    assert [r.check for r in alone.failures] == only
    covered = kinspect.lint_text(f"{pod}---\n{policy}", checks=only)
    assert covered.failures == [] and covered.results
