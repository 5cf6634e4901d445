"""`kinspect server`: commands handed to a real server behave exactly as commands run here.

Every test runs real processes: `kinspect server start` in a private directory of its own,
and clients started as a user (or pre-commit) starts them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinspect.server import sockets
from tests.conftest import FIXTURES, ROOT, run_cli

pytestmark = pytest.mark.skipif(not sockets.supported(), reason="needs fork and Unix sockets")

SMALL = FIXTURES / "cli" / "list.yaml"


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """A private socket directory (short: socket paths are limited to ~100 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="ks-"))
    yield directory
    run_cli("server", "stop", "--all", env={"KINSPECT_SERVER_DIR": str(directory)})
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def served(server_dir: Path) -> dict[str, str]:
    """The environment of clients of a running server."""
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    started = run_cli("server", "start", env=env)
    assert started.returncode == 0, started.stderr
    assert "started (pid" in started.stdout
    return env


def runs_served(env: dict[str, str]) -> int:
    status = run_cli("server", "status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    found = re.search(r"(\d+) runs", status.stdout)
    assert found, status.stdout
    return int(found.group(1))


def outcome(proc: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return proc.returncode, proc.stdout, proc.stderr


def test_served_commands_match_commands_run_here(served: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Pod\nmetadata: [\n", encoding="utf-8")
    (tmp_path / "deploy.yaml").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    cases: list[tuple[list[str], dict[str, str], str | None, Path]] = [
        (["lint", str(SMALL)], {}, None, ROOT),
        (["lint", "--fail-on", "never", "--format", "json", str(SMALL)], {}, None, ROOT),
        (["lint", "--format", "sarif", str(SMALL)], {}, None, ROOT),
        (["lint", str(broken), str(SMALL)], {}, None, ROOT),
        (["lint", "-"], {}, SMALL.read_text(encoding="utf-8"), ROOT),
        (["lint", "deploy.yaml"], {}, None, tmp_path),  # the client's working directory
        (["lint", str(SMALL)], {"LANG": "zh_CN.UTF-8"}, None, ROOT),  # its environment
        (["lint", str(SMALL)], {f"LARGE{n}": "x" * 100_000 for n in range(3)}, None, ROOT),
        (["lint", "--bogus"], {}, None, ROOT),  # a usage error names the command as started
        (["--help"], {}, None, ROOT),
        (["rules"], {}, None, ROOT),
        # hundreds of files (worker processes), kustomize and Helm directories (subprocesses)
        (["lint", "--fail-on", "never", "--format", "json", "tests/fixtures"], {}, None, ROOT),
    ]
    before = runs_served(served)
    for args, env, stdin, cwd in cases:
        here = run_cli(*args, stdin=stdin, cwd=cwd, env={**env, "KINSPECT_SERVER": "off"})
        there = run_cli(*args, stdin=stdin, cwd=cwd, env={**env, **served})
        assert outcome(there) == outcome(here), args
    assert runs_served(served) == before + len(cases)


def test_commands_about_the_process_itself_run_here(served: dict[str, str], tmp_path: Path) -> None:
    """Shell completion finds the shell among the process's parents: a fork has others."""
    for option in ("--show-completion", "--install-completion"):
        command = [option, "bash"]
        home = {"HOME": str(tmp_path)}  # where bash completion is installed
        here = run_cli(*command, env={**home, "KINSPECT_SERVER": "off"})
        assert outcome(run_cli(*command, env={**home, **served})) == outcome(here)
    assert runs_served(served) == 0


def test_files_a_served_run_writes_follow_the_clients_umask(
    served: dict[str, str], tmp_path: Path
) -> None:
    for where, env in (("here", {"KINSPECT_SERVER": "off"}), ("there", served)):
        report = tmp_path / f"{where}.json"
        lint = f"{sys.executable} -m kinspect lint --format json={report} {SMALL}"
        command = f"umask 077 && exec {lint}"
        proc = subprocess.run(["sh", "-c", command], env={**os.environ, **env}, capture_output=True)
        assert proc.returncode == 1, proc.stderr
        assert report.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "here.json").read_bytes() == (tmp_path / "there.json").read_bytes()
    assert runs_served(served) == 1


def test_a_served_command_imports_nothing_heavy(served: dict[str, str]) -> None:
    """The client's whole cost is the interpreter's start: no typing, socket, typer, YAML."""
    command = [sys.executable, "-X", "importtime", "-m", "kinspect", "lint", str(SMALL)]
    env = {**os.environ, **served}
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "kinspect.server.client" in imported
    heavy = {"typing", "socket", "enum", "typer", "click", "ruamel.yaml", "jsonschema_rs"}
    assert imported & heavy == set()
    assert runs_served(served) == 1


def test_different_settings_are_not_served(served: dict[str, str]) -> None:
    """A run with other KINSPECT_* settings needs a server started with them."""
    before = runs_served(served)
    other = run_cli("lint", str(SMALL), env={**served, "KINSPECT_JOBS": "1"})
    same = run_cli("lint", str(SMALL), env={**served, "KINSPECT_SERVER": "auto"})
    assert outcome(other) == outcome(same)
    assert runs_served(served) == before + 1


def test_status_start_stop(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    not_running = "kinspect server: not running\n"
    assert outcome(run_cli("server", "status", env=env)) == (1, not_running, "")
    assert outcome(run_cli("server", "stop", env=env)) == (0, not_running, "")
    assert run_cli("server", "start", env=env).returncode == 0
    again = run_cli("server", "start", env=env)
    assert again.returncode == 0 and "already running" in again.stdout
    sockets = client_sockets(server_dir)
    assert len(sockets) == 1
    stopped = run_cli("server", "stop", env=env)
    assert stopped.returncode == 0 and "stopped (pid" in stopped.stdout
    assert not sockets[0].exists()
    assert list(server_dir.iterdir()) == []  # socket, lock and log are gone
    assert run_cli("server", "status", env=env).returncode == 1


def test_a_relative_directory_is_the_callers() -> None:
    """KINSPECT_SERVER_DIR=relative: under the working directory of whoever starts or calls
    the server (the server itself works from `/`)."""
    workdir = Path(tempfile.mkdtemp(prefix="ks-"))  # short: socket paths are limited
    env = {"KINSPECT_SERVER_DIR": "sockets"}
    try:
        started = run_cli("server", "start", cwd=workdir, env=env)
        assert started.returncode == 0, started.stderr
        assert len(client_sockets(workdir / "sockets")) == 1
        served = run_cli("lint", str(SMALL), cwd=workdir, env=env)
        assert served.returncode == 1
        status = run_cli("server", "status", cwd=workdir, env=env)
        assert " 1 runs" in status.stdout
    finally:
        run_cli("server", "stop", cwd=workdir, env=env)
        shutil.rmtree(workdir, ignore_errors=True)


def client_sockets(directory: Path) -> list[Path]:
    return sorted(directory.glob("server-*.sock"))


def test_idle_server_stops(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    started = run_cli("server", "start", "--idle-timeout", "1", env=env)
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + 20
    while client_sockets(server_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client_sockets(server_dir) == []
    assert run_cli("server", "status", env=env).returncode == 1


def test_auto_mode_starts_a_server(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir), "KINSPECT_SERVER": "auto"}
    first = run_cli("lint", str(SMALL), env=env)
    here = run_cli("lint", str(SMALL), env={"KINSPECT_SERVER": "off"})
    assert outcome(first) == outcome(here)  # run here while the server starts
    deadline = time.monotonic() + 30
    while run_cli("server", "status", env=env).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert outcome(run_cli("lint", str(SMALL), env=env)) == outcome(here)
    assert runs_served(env) == 1


def test_a_directory_open_to_others_is_not_used(server_dir: Path) -> None:
    server_dir.chmod(0o755)
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    started = run_cli("server", "start", env=env)
    assert started.returncode == 2
    assert started.stderr.startswith(f"kinspect: cannot start the server: {server_dir}")
    assert len(started.stderr.splitlines()) == 1
    assert run_cli("lint", str(SMALL), env=env).returncode == 1  # run here
    assert client_sockets(server_dir) == []


def test_ctrl_c_reaches_the_served_run(served: dict[str, str]) -> None:
    """The run waits on standard input (a pipe kept open); Ctrl-C on the client stops it."""
    command = [sys.executable, "-m", "kinspect", "lint", "-"]
    env = {**os.environ, **served}
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        deadline = time.monotonic() + 20
        while runs_served(served) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130
        assert proc.stdin is not None
        proc.stdin.close()
    assert runs_served(served) == 1  # the server lives on


def test_termination_reaches_the_served_run(served: dict[str, str]) -> None:
    """SIGTERM to the client ends the run it waits for, then the client, as it would end a
    local run."""
    command = [sys.executable, "-m", "kinspect", "lint", "-"]
    env = {**os.environ, **served}
    unbuffered = 0  # a write fails at once when nobody reads, and nothing is left to flush
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=unbuffered, env=env
    ) as proc:
        deadline = time.monotonic() + 20
        while runs_served(served) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.terminate()
        assert proc.wait(timeout=20) == -signal.SIGTERM
        assert proc.stdin is not None
        with pytest.raises(BrokenPipeError):  # nobody reads standard input: the run is gone
            proc.stdin.write(b"kind: Pod\n")
    assert runs_served(served) == 1  # the server lives on


def fake_server(path: str, send_pid: bool) -> threading.Thread:
    """A socket that takes one request and closes, with or without starting a run."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def answer() -> None:
        connection, _ = listener.accept()
        with connection:
            _, descriptors, _, _ = socket.recv_fds(connection, 1 << 16, 3)
            for descriptor in descriptors:  # the client's streams: its reader waits for EOF
                os.close(descriptor)
            if send_pid:
                connection.sendall((12345678).to_bytes(4, "big"))
        listener.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


def expected_socket(env: dict[str, str]) -> str:
    """The socket path a client started with `env` looks for (computed by such a process)."""
    code = (
        "from kinspect.server import sockets; print(sockets.socket_path(sockets.socket_dir_path()))"
    )
    full = {**os.environ, "NO_COLOR": "1", **env}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)
    return found.stdout.strip()


def test_a_server_that_closes_before_the_run_means_running_here(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    thread = fake_server(expected_socket(env), send_pid=False)
    here = run_cli("lint", str(SMALL), env={"KINSPECT_SERVER": "off"})
    assert outcome(run_cli("lint", str(SMALL), env=env)) == outcome(here)
    thread.join(timeout=10)


def test_a_run_that_ends_without_exit_code_is_an_error(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    thread = fake_server(expected_socket(env), send_pid=True)
    lost = run_cli("lint", str(SMALL), env=env)
    assert outcome(lost) == (2, "", "kinspect: the server's run ended without a result\n")
    thread.join(timeout=10)


def test_a_stale_socket_file_means_running_here(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(expected_socket(env))
    stale.close()  # the file stays, nobody listens
    here = run_cli("lint", str(SMALL), env={"KINSPECT_SERVER": "off"})
    assert outcome(run_cli("lint", str(SMALL), env=env)) == outcome(here)
    assert run_cli("server", "start", env=env).returncode == 0  # and a server replaces it
    assert runs_served(env) == 0


def test_fingerprint_follows_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINSPECT_JOBS", raising=False)
    base = sockets.fingerprint()
    monkeypatch.setenv("KINSPECT_SERVER", "auto")
    monkeypatch.setenv("KINSPECT_SERVER_DIR", "/elsewhere")
    assert sockets.fingerprint() == base  # the client's own settings
    monkeypatch.setenv("KINSPECT_JOBS", "1")
    assert sockets.fingerprint() != base
