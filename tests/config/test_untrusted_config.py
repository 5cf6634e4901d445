"""A repository's own configuration cannot make kinspect write outside it (issue 18, attack 1)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from kinspect.model import Outcome
from kinspect.report.model import build_report
from kinspect.report.output import Output, write_outputs
from tests.conftest import FIXTURES, run_cli

BAD = (FIXTURES / "hostNetworkSet" / "fail-pod.yaml").read_text(encoding="utf-8")
HOOK = {"PRE_COMMIT": "1"}  # what pre-commit sets for every hook it runs
HOME_FILE = "# the user's shell start-up file\n"


def hostile(tmp_path: Path, config: str) -> tuple[Path, Path]:
    """(repository, a file outside it standing for ~/.bashrc) with `config` as .kinspect.yaml."""
    repo, home = tmp_path / "repo", tmp_path / "home"
    (repo / ".git").mkdir(parents=True)
    (repo / "k8s").mkdir()
    home.mkdir()
    (home / ".bashrc").write_text(HOME_FILE)
    (repo / "k8s" / "x;echo aWQ=|base64 -d|sh;#.yaml").write_text(BAD)
    (repo / ".kinspect.yaml").write_text(config)
    return repo, home / ".bashrc"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("text=../home/.bashrc", "goes up with '..'"),
        ("text=k8s/../../home/.bashrc", "goes up with '..'"),
        ("json={home}", "is an absolute path"),
        ("json=link/.bashrc", "leads outside the repository through a symbolic link"),
        ("json=rc", "leads outside the repository through a symbolic link"),
        ("text=.git/hooks/pre-commit", "is inside .git"),
        ("text=hooks/pre-commit", "is inside .git"),
    ],
)
def test_report_paths_of_the_config_stay_in_the_repository(
    tmp_path: Path, entry: str, reason: str
) -> None:
    repo, bashrc = hostile(tmp_path, "")
    (repo / "link").symlink_to(bashrc.parent)
    (repo / "rc").symlink_to(bashrc)  # the last component itself a link
    (repo / ".git" / "hooks").mkdir()
    (repo / "hooks").symlink_to(repo / ".git" / "hooks")
    (repo / ".kinspect.yaml").write_text(f"format:\n  - {entry.format(home=bashrc)}\n")
    for env in ({}, HOOK):
        proc = run_cli("lint", "--quiet", "k8s/", cwd=repo, env=env)
        assert proc.returncode == 2, proc.stderr
        assert bashrc.read_text() == HOME_FILE
        line = proc.stderr.strip()
        assert "\n" not in line and "Traceback" not in proc.stderr
        assert line.startswith("kinspect: ") and ".kinspect.yaml:2:5: format[0]: " in line
        assert reason in line and "(hint: " in line


@pytest.mark.parametrize(
    "config",
    [
        "rules-dirs: [../outside]\n",
        "rules-dirs: [/]\n",
        "baseline: /etc/passwd\n",
        "polaris-config: ../outside/polaris.yaml\n",
        "baseline: link/baseline.json\n",
    ],
)
def test_read_paths_of_the_config_stay_in_the_repository(tmp_path: Path, config: str) -> None:
    repo, bashrc = hostile(tmp_path, config)
    (repo / "link").symlink_to(bashrc.parent)
    proc = run_cli("lint", "k8s/", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and ".kinspect.yaml:1:" in proc.stderr


def test_report_paths_inside_the_repository_are_written(tmp_path: Path) -> None:
    repo, _ = hostile(tmp_path, "format: [text, json=reports/out.json]\n")
    (repo / "reports").mkdir()
    (repo / "sub").mkdir()
    proc = run_cli("lint", "--quiet", "../k8s/", cwd=repo / "sub")
    assert proc.returncode == 1, proc.stderr
    assert json.loads((repo / "reports" / "out.json").read_text())["summary"]["danger"] >= 1
    assert "hostNetworkSet" in proc.stdout


def test_a_link_planted_after_the_config_was_read_is_refused(tmp_path: Path) -> None:
    """The check is repeated as the file is opened: a link made during the run is not followed."""
    repo, bashrc = hostile(tmp_path, "format: [json=out.json]\n")
    (repo / "out.json").symlink_to(bashrc)
    output = Output("json", str(repo / "out.json"), repo)
    errors = write_outputs(build_report(Outcome(), []), [output], io.StringIO())
    assert errors and "outside the repository" in errors[0]
    assert bashrc.read_text() == HOME_FILE


def test_a_program_is_never_replaced_by_a_report(tmp_path: Path) -> None:
    repo, _ = hostile(tmp_path, "format: [text=run.sh]\n")
    (repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (repo / "run.sh").chmod(0o755)
    proc = run_cli("lint", "--quiet", "k8s/", cwd=repo)
    assert proc.returncode == 2 and "is a program" in proc.stderr
    assert (repo / "run.sh").read_text() == "#!/bin/sh\necho hi\n"


def test_hook_runs_write_no_report_file_of_the_config(tmp_path: Path) -> None:
    repo, _ = hostile(tmp_path, "format: [json=out.json]\n")
    proc = run_cli("lint", "--quiet", "k8s/", cwd=repo, env=HOOK)
    assert proc.returncode == 1, proc.stderr
    assert not (repo / "out.json").exists()
    assert "hostNetworkSet" in proc.stdout  # the text report on stdout instead
    explicit = run_cli("lint", "--quiet", "k8s/", cwd=repo)
    assert explicit.returncode == 1 and (repo / "out.json").is_file()


@pytest.mark.parametrize(
    "args",
    [["--format", "json=out.json"], ["--write-baseline", "base.json"]],
)
def test_hook_runs_refuse_report_files_of_the_command_line(tmp_path: Path, args: list[str]) -> None:
    """A hook's `args` come from the repository's .pre-commit-config.yaml: untrusted too."""
    repo, _ = hostile(tmp_path, "")
    proc = run_cli("lint", *args, "k8s/", cwd=repo, env=HOOK)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "pre-commit hooks write no" in proc.stderr
    assert sorted(os.listdir(repo)) == [".git", ".kinspect.yaml", "k8s"]
