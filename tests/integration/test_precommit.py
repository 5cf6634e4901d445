"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit on real commits."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kinspect.server import client
from tests.conftest import FIXTURES, ROOT
from tests.support.gitrepo import git, init_repo, run, snapshot_checkout
from tests.support.readme import snippet

BAD = (FIXTURES / "hostNetworkSet" / "fail-pod.yaml").read_text(encoding="utf-8")
GOOD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: web
      image: registry.example.com/web:1.4.2
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 500m, memory: 128Mi}
      readinessProbe:
        httpGet: {path: /ready, port: 8080}
      livenessProbe:
        httpGet: {path: /live, port: 8080}
"""
NOT_KUBERNETES = "name: ci\non:\n  push:\n    branches: [main]\njobs: {}\n"


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as a hook repository, committed as it is on disk."""
    return snapshot_checkout(tmp_path_factory.mktemp("hook-repo") / "kinspect")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache, shared by the tests so the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


class UserRepo:
    """A user's repository with kinspect's hooks installed through pre-commit."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path = path
        self.env = {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}

    def write(self, name: str, text: str) -> None:
        (self.path / name).parent.mkdir(parents=True, exist_ok=True)
        (self.path / name).write_text(text, encoding="utf-8")

    def commit(self, *names: str) -> tuple[bool, str]:
        """`git add NAMES && git commit`: whether the commit was made, and the hook output."""
        git("add", *names, cwd=self.path)
        proc = run("git", "commit", "-m", "change", cwd=self.path, env=self.env)
        return proc.returncode == 0, proc.stdout


def readme_config(repo: str, rev: str) -> str:
    """The README's .pre-commit-config.yaml, pointed at `repo` and `rev`."""
    text = snippet("pre-commit-config")
    text, repos = re.subn(r"(?m)^(\s*- repo: ).*$", rf"\g<1>{repo}", text)
    text, revs = re.subn(r"(?m)^(\s*rev: ).*$", rf"\g<1>{rev}", text)
    assert repos == revs == 1, "the README snippet should name one repo and one rev"
    return text


@pytest.fixture
def user_repo(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> Iterator[UserRepo]:
    repo = UserRepo(init_repo(tmp_path / "project"), pre_commit_home)
    repo.write(".pre-commit-config.yaml", readme_config(str(hook_repo[0]), hook_repo[1]))
    git("add", ".pre-commit-config.yaml", cwd=repo.path)
    git("commit", "-q", "--no-verify", "-m", "config", cwd=repo.path)
    proc = run(sys.executable, "-m", "pre_commit", "install", cwd=repo.path, env=repo.env)
    assert proc.returncode == 0, proc.stdout
    yield repo


def test_hook_manifest_is_valid() -> None:
    proc = run(
        sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml", cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for hook in manifest}
    assert set(hooks) == {"kinspect", "kinspect-dirs", "kinspect-fix"}
    assert all(hook.get("minimum_pre_commit_version") for hook in hooks.values())
    # Hooks print; a report file would be left behind in the user's working tree.
    assert not any("--output" in hook["entry"] for hook in hooks.values())


def test_bad_manifest_blocks_the_commit_and_a_good_one_passes(user_repo: UserRepo) -> None:
    user_repo.write("manifests/bad.yaml", BAD)
    made, output = user_repo.commit("manifests/bad.yaml")
    assert not made, output
    line = next(n for n, text in enumerate(BAD.splitlines(), 1) if "expect: hostNetworkSet" in text)
    assert re.search(rf"manifests/bad\.yaml:{line}:\d+: DANGER hostNetworkSet", output), output

    user_repo.write("manifests/bad.yaml", GOOD)
    user_repo.write(".github/workflows/ci.yml", NOT_KUBERNETES)
    made, output = user_repo.commit("manifests/bad.yaml", ".github/workflows/ci.yml")
    assert made, output
    assert re.search(r"^kinspect\.+Passed$", output, re.MULTILINE), output
    assert "hostNetworkSet" not in output


def test_hooks_write_no_report_file_a_repository_names(user_repo: UserRepo) -> None:
    """A cloned repository's .kinspect.yaml names report files (issue 18): the hook writes none,
    inside the repository or out of it."""
    outside = user_repo.path.parent / "bashrc"
    outside.write_text("# the user's\n", encoding="utf-8")
    user_repo.write(".kinspect.yaml", "format: [text, json=reports/kinspect.json]\n")
    user_repo.write("manifests/bad.yaml", BAD)
    made, output = user_repo.commit(".kinspect.yaml", "manifests/bad.yaml")
    assert not made and "DANGER hostNetworkSet" in output, output
    assert not (user_repo.path / "reports").exists()
    user_repo.write(".kinspect.yaml", "format: [text=../bashrc]\n")
    made, output = user_repo.commit(".kinspect.yaml")
    assert not made and "format[0]: '../bashrc' goes up with '..'" in output, output
    assert outside.read_text(encoding="utf-8") == "# the user's\n"


def test_threshold_comes_from_the_hook_args(user_repo: UserRepo) -> None:
    warning_only = GOOD.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    user_repo.write("app.yaml", warning_only)
    config = user_repo.path / ".pre-commit-config.yaml"
    base = config.read_text(encoding="utf-8")
    hook = "- id: kinspect\n"
    only = f"{hook}        args: [--checks=notReadOnlyRootFileSystem"

    config.write_text(base.replace(hook, f"{only}]\n"))
    made, output = user_repo.commit("app.yaml", ".pre-commit-config.yaml")
    assert made, output  # a warning is below the default threshold (danger)

    config.write_text(base.replace(hook, f"{only}, --fail-on=warning]\n"))
    user_repo.write("app.yaml", warning_only + "# touched\n")
    made, output = user_repo.commit("app.yaml", ".pre-commit-config.yaml")
    assert not made, output
    assert re.search(r"app\.yaml:\d+:\d+: WARNING notReadOnlyRootFileSystem", output), output


def test_kustomize_directory_is_inspected_once(user_repo: UserRepo) -> None:
    base = "deploy/base"
    user_repo.write(f"{base}/kustomization.yaml", "resources:\n  - pod.yaml\n")
    user_repo.write(f"{base}/pod.yaml", BAD)
    user_repo.write(f"{base}/settings.env", "LOG_LEVEL=debug\n")
    made, output = user_repo.commit(base)
    assert not made, output
    dirs_hook = r"^kinspect \(kustomize and Helm directories\)\.+Failed$"
    assert re.search(dirs_hook, output, re.MULTILINE), output
    # Three files of one directory changed: it is built and inspected once.
    assert len(re.findall(r"DANGER hostNetworkSet", output)) == 1, output
    assert "deploy/base/pod.yaml" in output


def test_hooks_start_and_then_use_a_server_with_auto(user_repo: UserRepo) -> None:
    """KINSPECT_SERVER=auto: the first hook run starts a server from the hook's own
    installation, and the next commit's hook is served by it, with the same output."""
    directory = Path(tempfile.mkdtemp(prefix="ks-"))
    user_repo.env.update({"KINSPECT_SERVER": "auto", "KINSPECT_SERVER_DIR": str(directory)})
    try:
        user_repo.write("manifests/bad.yaml", BAD)
        made, first = user_repo.commit("manifests/bad.yaml")
        assert not made, first
        socket = _running_server(directory)
        before = _runs(socket)
        user_repo.write("manifests/bad.yaml", BAD + "# touched\n")
        made, second = user_repo.commit("manifests/bad.yaml")
        assert not made
        assert _hook_output(second) == _hook_output(first)
        assert _runs(socket) == before + 2  # the hooks kinspect and kinspect-dirs
    finally:
        for path in directory.glob("server-*.sock"):
            client.send_control("stop", str(path))
        shutil.rmtree(directory, ignore_errors=True)


def _hook_output(output: str) -> list[str]:
    """What the hooks printed (not pre-commit's notes on building their environment)."""
    return [line for line in output.splitlines() if not line.startswith("[INFO]")]


def _runs(socket: str) -> int:
    status = client.send_control("status", socket)
    assert status is not None
    runs = status["runs"]
    assert isinstance(runs, int)
    return runs


def _running_server(directory: Path) -> str:
    """The socket of the one server in `directory`, once it answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sockets = sorted(directory.glob("server-*.sock"))
        if sockets and client.send_control("status", str(sockets[0])) is not None:
            assert len(sockets) == 1, sockets
            return str(sockets[0])
        time.sleep(0.1)
    raise AssertionError(f"no server started in {directory}: {list(directory.iterdir())}")
