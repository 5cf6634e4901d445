"""`--format gitlab`: GitLab Code Quality JSON, and the example job in docs/ci/gitlab-ci.yml."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, run_cli
from tests.support.gitrepo import init_repo
from tests.support.readme import snippet

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
BAD = FIXTURES / "hostNetworkSet" / "fail-pod.yaml"
JOBS = {
    "docs/ci/gitlab-ci.yml": (ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"),
    "README": snippet("gitlab-ci"),
}


def gitlab(*args: str, cwd: Path) -> tuple[int, list[dict[str, Any]]]:
    proc = run_cli("lint", "--format", "gitlab", *args, cwd=cwd)
    issues: list[dict[str, Any]] = json.loads(proc.stdout)
    return proc.returncode, issues


def assert_code_quality(issues: list[dict[str, Any]]) -> None:
    """The fields GitLab reads, with the types it expects."""
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in SEVERITIES
        path = issue["location"]["path"]
        assert isinstance(path, str) and not path.startswith(("/", "./"))
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and begin >= 1
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)


def test_issues_match_the_text_report(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "k8s").mkdir()
    shutil.copy(BAD, repo / "k8s" / "pod.yaml")
    code, issues = gitlab("pod.yaml", cwd=repo / "k8s")  # paths are made relative to the repo
    assert code == 1
    assert_code_quality(issues)
    text = run_cli("lint", "--quiet", "pod.yaml", cwd=repo / "k8s").stdout
    failures = re.findall(r"^pod\.yaml:(\d+):\d+: (DANGER|WARNING) (\w+)", text, re.MULTILINE)
    assert failures
    expected = sorted(
        (int(line), check, {"DANGER": "critical", "WARNING": "major"}[sev])
        for line, sev, check in failures
    )
    got = sorted((i["location"]["lines"]["begin"], i["check_name"], i["severity"]) for i in issues)
    assert got == expected
    assert {i["location"]["path"] for i in issues} == {"k8s/pod.yaml"}
    host = next(i for i in issues if i["check_name"] == "hostNetworkSet")
    assert host["description"].startswith("Pod default/net-debug: ")


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "pod.yaml")
    _, before = gitlab("pod.yaml", cwd=tmp_path)
    (tmp_path / "pod.yaml").write_text("# a comment\n\n" + BAD.read_text(), encoding="utf-8")
    _, after = gitlab("pod.yaml", cwd=tmp_path)
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in after] == [
        i["location"]["lines"]["begin"] + 2 for i in before
    ]


def test_duplicate_resources_get_distinct_fingerprints(tmp_path: Path) -> None:
    text = BAD.read_text(encoding="utf-8")
    (tmp_path / "twice.yaml").write_text(f"{text}---\n{text}", encoding="utf-8")
    _, issues = gitlab("twice.yaml", cwd=tmp_path)
    assert_code_quality(issues)
    assert sum(i["check_name"] == "hostNetworkSet" for i in issues) == 2


def test_chinese_descriptions_and_input_errors(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "pod.yaml")
    (tmp_path / "broken.yaml").write_text("kind: Pod\nspec: [unclosed\n", encoding="utf-8")
    code, issues = gitlab("--lang", "zh", "pod.yaml", "broken.yaml", cwd=tmp_path)
    assert code == 2  # an unreadable input is reported, the others still are
    assert_code_quality(issues)
    host = next(i for i in issues if i["check_name"] == "hostNetworkSet")
    assert "共享主机的网络" in host["description"]
    (error,) = [i for i in issues if i["check_name"] == "inputError"]
    assert error["location"]["path"] == "broken.yaml" and error["severity"] == "blocker"


def test_nothing_found_is_an_empty_array(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 3\n", encoding="utf-8")
    assert gitlab("values.yaml", cwd=tmp_path) == (0, [])


@pytest.mark.parametrize("source", sorted(JOBS))
def test_example_job_writes_the_report_gitlab_reads(source: str, tmp_path: Path) -> None:
    """Run the kinspect lines of the example job as GitLab would."""
    job = yaml.safe_load(JOBS[source])["kinspect"]
    variables = job["variables"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    repo = init_repo(tmp_path / "repo")
    (repo / variables["MANIFESTS"]).mkdir(parents=True)
    shutil.copy(BAD, repo / variables["MANIFESTS"] / "pod.yaml")
    commands = [line for line in job["script"] if line.startswith("kinspect ")]
    assert commands, "the job runs kinspect"
    for line in commands:
        words = [variables.get(w[1:], w) if w.startswith("$") else w for w in shlex.split(line)]
        proc = run_cli(*words[1:], cwd=repo)
        assert proc.returncode == 1, proc.stderr  # the finding fails the job
        assert "DANGER hostNetworkSet" in proc.stdout  # and shows in the job log
    issues = json.loads((repo / report).read_text(encoding="utf-8"))
    assert_code_quality(issues)
    assert any(i["check_name"] == "hostNetworkSet" for i in issues)
