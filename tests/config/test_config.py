"""`.kinspect.yaml`: discovery, validation errors, and precedence (CLI > file > defaults)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinspect.bundled import rules_dir
from kinspect.config.plan import Options, make_plan
from kinspect.config.project import Config, find_config, load_config
from kinspect.errors import UsageError
from tests.conftest import run_cli

# Fails hostNetworkSet (danger) and, for the container, several checks (danger and warning).
DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: registry.example.com/agent:2.3.1
"""
# Passes every danger check; fails warnings only (probes, limits, read-only root, ...).
WARNINGS_ONLY = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: web
      image: registry.example.com/web:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
"""


def repo(tmp_path: Path, config: str | None = None, manifest: str = DAEMONSET) -> Path:
    """A repository root (it has .git) with a manifest and, optionally, a config file."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "app.yaml").write_text(manifest)
    if config is not None:
        (tmp_path / ".kinspect.yaml").write_text(config)
    return tmp_path


def lint(cwd: Path, *args: str) -> tuple[int, dict[str, object], str]:
    proc = run_cli("lint", "--no-progress", "--format", "json", *args, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def failed_checks(report: dict[str, object]) -> dict[str, str]:
    results = report["results"]
    assert isinstance(results, list)
    return {r["check"]: r["severity"] for r in results if not r["passed"] and not r["suppressed"]}


def test_found_in_a_parent_directory_up_to_the_repository_root(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail-on: warning\n")
    nested = root / "deploy" / "sub"
    nested.mkdir()
    assert find_config(nested) == root / ".kinspect.yaml"
    # Above the repository root nothing is looked at, even a config that exists there.
    inner = root / "inner"
    (inner / ".git").mkdir(parents=True)
    assert find_config(inner) is None


def test_no_config_is_the_defaults(tmp_path: Path) -> None:
    root = repo(tmp_path)
    plan = make_plan(Options(), cwd=root)
    assert plan.config == Config()
    assert plan.fail_on == "danger"
    assert {rule.id for rule in plan.rules} >= {"hostNetworkSet", "livenessProbeMissing"}


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / ".kinspect.yaml"
    path.write_text(
        "fail-on: warning\nexemptions:\n  - checks: [all]\n    reason: x\n    kind: [Pod]\n"
    )
    with pytest.raises(UsageError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:5:5: exemptions[0].kind: unknown key (hint: did you mean kinds?)"
    )


def test_every_error_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / ".kinspect.yaml"
    path.write_text("checks:\n  hostPIDSet: high\nfail-on: sometimes\nformat: [text, xml]\n")
    with pytest.raises(UsageError) as info:
        load_config(path)
    lines = str(info.value).split("\nkinspect: ")
    assert lines == [
        f'{path}:2:3: checks.hostPIDSet: "high" is not one of: danger, warning, ignore',
        f'{path}:3:1: fail-on: "sometimes" is not one of: danger, warning, never',
    ]


def test_unknown_format_in_config(tmp_path: Path) -> None:
    path = tmp_path / ".kinspect.yaml"
    path.write_text("format:\n  - text\n  - xml=out.xml\n")
    with pytest.raises(UsageError, match=r":3:5: format\[1\]: unknown format 'xml'"):
        load_config(path)


def test_unknown_check_id_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    root = repo(tmp_path, "checks:\n  livenessProbeMising: ignore\nskip-checks: [hostPIDSet]\n")
    code, _, stderr = lint(root, "deploy")
    assert code == 2
    assert stderr.strip() == (
        f"kinspect: {root / '.kinspect.yaml'}:2:3: checks.livenessProbeMising: unknown check id"
        " 'livenessProbeMising' (hint: did you mean livenessProbeMissing?)"
    )


def test_malformed_yaml_config_exits_2_with_the_line(tmp_path: Path) -> None:
    root = repo(tmp_path, "checks:\n  hostPIDSet: [danger\n")
    code, report, stderr = lint(root, "deploy")
    assert code == 2 and report == {}
    assert stderr.startswith(f"kinspect: {root / '.kinspect.yaml'}:3:1: invalid YAML")
    assert "Traceback" not in stderr


def test_config_file_given_on_the_command_line(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail-on: never\n")
    other = tmp_path / "strict.yaml"
    other.write_text("fail-on: warning\nchecks: {hostNetworkSet: ignore}\n")
    code, report, _ = lint(root, "--config", str(other), "deploy")
    assert code == 1  # strict.yaml, not the discovered .kinspect.yaml
    assert "hostNetworkSet" not in failed_checks(report)
    code, _, stderr = lint(root, "--config", "missing.yaml", "deploy")
    assert code == 2 and "missing.yaml: configuration file not found" in stderr


def test_precedence_fail_on(tmp_path: Path) -> None:
    root = repo(tmp_path, manifest=WARNINGS_ONLY)
    assert lint(root, "deploy")[0] == 0  # default: danger
    (root / ".kinspect.yaml").write_text("fail-on: warning\n")
    assert lint(root, "deploy")[0] == 1  # the file
    assert lint(root, "--fail-on", "never", "deploy")[0] == 0  # the command line wins


def test_precedence_severity_and_checks(tmp_path: Path) -> None:
    config = "checks:\n  livenessProbeMissing: ignore\n  cpuLimitsMissing: danger\n"
    root = repo(tmp_path, config)
    _, report, _ = lint(root, "deploy")
    failed = failed_checks(report)
    assert failed["cpuLimitsMissing"] == "danger"  # default warning, raised by the file
    assert "livenessProbeMissing" not in failed  # ignore: not run at all
    results = report["results"]
    assert isinstance(results, list)
    assert not [r for r in results if r["check"] == "livenessProbeMissing"]
    # --checks names it: the command line wins over `ignore`.
    _, report, _ = lint(root, "--checks", "livenessProbeMissing,cpuLimitsMissing", "deploy")
    assert failed_checks(report) == {
        "livenessProbeMissing": "warning",
        "cpuLimitsMissing": "danger",
    }


def test_only_and_skip_checks_from_file_and_command_line(tmp_path: Path) -> None:
    config = "only-checks: [hostNetworkSet, tagNotSpecified]\nskip-checks: [tagNotSpecified]\n"
    root = repo(tmp_path, config)

    def chosen(options: Options) -> set[str]:
        return {rule.id for rule in make_plan(options, cwd=root).rules}

    assert chosen(Options()) == {"hostNetworkSet"}
    # --skip-checks replaces skip-checks; --checks replaces only-checks.
    assert chosen(Options(skip_checks=["hostNetworkSet"])) == {"tagNotSpecified"}
    assert chosen(Options(checks=["runAsRootAllowed"])) == {"runAsRootAllowed"}
    with pytest.raises(UsageError, match="unknown check id"):
        chosen(Options(checks=["runAsRootAlowed"]))


def test_severity_turns_on_a_check_that_is_off_by_default(tmp_path: Path) -> None:
    root = repo(tmp_path, "rules-dirs: [rules]\nchecks:\n  hostPIDOptIn: danger\n")
    source = (rules_dir() / "hostPIDSet.yaml").read_text()
    (root / "rules").mkdir()
    opt_in = source.replace("id: hostPIDSet", "id: hostPIDOptIn\nenabled: false", 1)
    (root / "rules" / "hostPIDOptIn.yaml").write_text(opt_in.replace("danger", "warning", 1))
    (root / "empty.yaml").write_text("rules-dirs: [rules]\n")
    assert "hostPIDOptIn" not in [
        r.id for r in make_plan(Options(config=str(root / "empty.yaml"))).rules
    ]
    plan = make_plan(Options(), cwd=root)
    assert [rule.severity for rule in plan.rules if rule.id == "hostPIDOptIn"] == ["danger"]


def test_lang_format_and_exclude_from_the_file(tmp_path: Path) -> None:
    root = repo(tmp_path, "lang: zh\nformat: json\nexclude: ['*.skip.yaml']\n")
    (root / "deploy" / "old.skip.yaml").write_text(DAEMONSET.replace("agent", "old"))
    proc = run_cli("lint", "--no-progress", "deploy", cwd=root)
    report = json.loads(proc.stdout)  # json from the file, no --format given
    assert report["lang"] == "zh"
    assert {r["file"] for r in report["results"]} == {"deploy/app.yaml"}
    assert any("主机" in r["message"] for r in report["results"] if not r["passed"])
    proc = run_cli("lint", "--no-progress", "--lang", "en", "-f", "text", "deploy", cwd=root)
    assert "DANGER hostNetworkSet" in proc.stdout


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    root = repo(tmp_path, "baseline: ci/baseline.json\nrules-dirs: [ci/rules]\n")
    (root / "ci" / "rules").mkdir(parents=True)
    plan = make_plan(Options(), cwd=root / "deploy")
    assert plan.baseline == root.resolve() / "ci" / "baseline.json"
    assert plan.config.rules_dirs == [root.resolve() / "ci" / "rules"]
