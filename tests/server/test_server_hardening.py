"""`kinspect server` against another local user and against its own client's death.

Real processes throughout: a directory that another uid owns (chown, as root), a symbolic link
in place of the socket directory, a listener that runs as another uid (it binds, then drops to
`nobody` before listening, as a second local user would), a planted log link, a server left
behind by an edit that set the file's time back, and a client killed with SIGKILL.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kinspect.server import sockets
from tests.conftest import ROOT, run_cli
from tests.server import test_server
from tests.server.test_server import SMALL, expected_socket, outcome, runs_served

server_dir = test_server.server_dir  # the fixtures of a private directory, a running server
served = test_server.served

pytestmark = pytest.mark.skipif(not sockets.supported(), reason="needs fork and Unix sockets")
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another uid")
OTHER_UID = 65534  # nobody


def listening(path: str) -> socket.socket:
    """A listener nobody should ever reach (non-blocking: accept tells whether someone did)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    listener.setblocking(False)
    return listener


def never_reached(listener: socket.socket) -> bool:
    with listener:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return True
        connection.close()
        return False


def local(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    return outcome(run_cli(*args, stdin=stdin, env={"KINSPECT_SERVER": "off"}))


@needs_root
def test_a_directory_of_another_user_is_never_used(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    listener = listening(expected_socket(env))
    os.chown(server_dir, OTHER_UID, OTHER_UID)  # mode 0700, another owner
    assert outcome(run_cli("lint", str(SMALL), env=env)) == local("lint", str(SMALL))
    assert run_cli("server", "status", env=env).returncode == 1
    started = run_cli("server", "start", env=env)
    assert started.returncode == 2
    message = f"kinspect: cannot start the server: {server_dir}: the server directory must"
    assert started.stderr.startswith(message)
    assert never_reached(listener)


@pytest.mark.parametrize("variable", ["KINSPECT_SERVER_DIR", "XDG_RUNTIME_DIR"])
def test_a_symlinked_socket_directory_is_never_used(variable: str, server_dir: Path) -> None:
    """The link points at a private directory of this user's: still refused, since whoever
    owns the link (or the directory holding it) can point it elsewhere at any time."""
    runtime = server_dir / "runtime"
    runtime.mkdir(mode=0o700)
    link = runtime / "kinspect" if variable == "XDG_RUNTIME_DIR" else server_dir / "link"
    real = server_dir / "real"
    real.mkdir(mode=0o700)
    link.symlink_to(real)
    env = {variable: str(runtime if variable == "XDG_RUNTIME_DIR" else link)}
    clean = {k: v for k, v in os.environ.items() if k != "KINSPECT_SERVER_DIR"}
    code = (
        "from kinspect.server import sockets; print(sockets.socket_path(sockets.socket_dir_path()))"
    )
    path = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    ).stdout.strip()
    assert path.startswith(str(link))
    listener = listening(path)
    command = [sys.executable, "-m", "kinspect", "lint", str(SMALL)]
    proc = subprocess.run(command, env={**clean, **env, "NO_COLOR": "1"}, capture_output=True)
    assert (proc.returncode, proc.stdout.decode(), proc.stderr.decode()) == local(
        "lint", str(SMALL)
    )
    start = [sys.executable, "-m", "kinspect", "server", "start"]
    started = subprocess.run(start, env={**clean, **env}, capture_output=True, text=True)
    assert started.returncode == 2
    assert "the server directory is a symbolic link" in started.stderr
    assert never_reached(listener)


FOREIGN_SERVER = f"""
import os, socket, sys
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
os.setgid({OTHER_UID})
os.setuid({OTHER_UID})
listener.listen(4)  # the kernel records who listens: now another user
print("ready", flush=True)
listener.settimeout(60)
received = 0
for _ in range(2):  # a command, then `kinspect server status`
    connection, _ = listener.accept()
    connection.settimeout(30)
    while chunk := connection.recv(1 << 16):
        received += len(chunk)
    connection.close()
print(received, flush=True)
"""


@needs_root
def test_a_server_of_another_user_is_sent_nothing(server_dir: Path) -> None:
    """Another user answering at the right path (a swapped directory, a race) learns nothing:
    the client checks who listens before it sends its environment and terminal."""
    env = {"KINSPECT_SERVER_DIR": str(server_dir)}
    command = [sys.executable, "-c", FOREIGN_SERVER, expected_socket(env)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as fake:
        assert fake.stdout is not None
        assert fake.stdout.readline() == "ready\n"
        secret = {"GITHUB_TOKEN": "ghp_secret"}
        lint = run_cli("lint", str(SMALL), env={**env, **secret})
        assert outcome(lint) == local("lint", str(SMALL))
        assert run_cli("server", "status", env=env).returncode == 1
        assert fake.stdout.readline() == "0\n"  # both connected, closed, sent no byte
        assert fake.wait(timeout=30) == 0


def test_a_planted_log_link_is_neither_followed_nor_truncated(server_dir: Path) -> None:
    env = {"KINSPECT_SERVER_DIR": str(server_dir), "KINSPECT_SERVER": "auto"}
    victim = server_dir.parent / f"{server_dir.name}-bashrc"
    victim.write_text("export PATH\n", encoding="utf-8")
    log = Path(sockets.log_path(expected_socket(env)))
    log.symlink_to(victim)
    try:
        assert outcome(run_cli("lint", str(SMALL), env=env)) == local("lint", str(SMALL))
        deadline = time.monotonic() + 30
        while run_cli("server", "status", env=env).returncode != 0:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        assert victim.read_text(encoding="utf-8") == "export PATH\n"
        assert not log.is_symlink()
    finally:
        run_cli("server", "stop", env=env)
        victim.unlink()


def test_an_edit_that_sets_the_time_back_retires_the_server(tmp_path: Path) -> None:
    """Same size, modification time set earlier than before: the change time still moves."""
    copy = tmp_path / "k"
    for name in ("kinspect", "rules", "schemas"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    directory = Path(tempfile.mkdtemp(prefix="ks-"))  # short: socket paths are limited
    env = {"KINSPECT_SERVER_DIR": str(directory)}
    try:
        assert run_cli("server", "start", cwd=copy, env=env).returncode == 0
        assert run_cli("lint", str(SMALL), cwd=copy, env=env).returncode == 1
        assert " 1 runs" in run_cli("server", "status", cwd=copy, env=env).stdout
        old_sockets = sorted(directory.glob("*.sock"))
        edited = copy / "kinspect" / "errors.py"
        before = edited.stat()
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("Input errors", "INPUT errors", 1), encoding="utf-8")
        earlier = before.st_mtime_ns - 10**10
        os.utime(edited, ns=(before.st_atime_ns, earlier))
        assert edited.stat().st_size == before.st_size
        assert run_cli("server", "status", cwd=copy, env=env).returncode == 1  # not this one
        assert run_cli("lint", str(SMALL), cwd=copy, env=env).returncode == 1  # run here
        assert sorted(directory.glob("*.sock")) == old_sockets  # the old one still listens
    finally:
        run_cli("server", "stop", "--all", cwd=copy, env=env)
        shutil.rmtree(directory, ignore_errors=True)


def test_installed_distributions_are_part_of_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    (site / "ruamel.yaml-0.18.6.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    before = sockets.fingerprint()
    (site / "ruamel.yaml-0.18.6.dist-info").rename(site / "ruamel.yaml-0.18.7.dist-info")
    upgraded = sockets.fingerprint()
    assert upgraded != before
    (site / "ruamel.yaml-0.18.7.dist-info").rmdir()
    (site / "ruamel.yaml-0.18.7.dist-info").mkdir()  # reinstalled: same name, new directory
    assert sockets.fingerprint() != upgraded


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  hostNetwork: true
  containers:
    - name: agent
      image: registry.example/agent:1.0
"""


def test_a_killed_client_takes_its_served_fix_with_it(
    served: dict[str, str], tmp_path: Path
) -> None:
    """The fork blocks reading a FIFO given first; SIGKILL to the client must end it before it
    reaches the second file, which stays as it was."""
    fifo = tmp_path / "a-first.yaml"
    os.mkfifo(fifo)
    target = tmp_path / "b-second.yaml"
    target.write_text(POD, encoding="utf-8")
    command = [sys.executable, "-m", "kinspect", "fix", "--checks", "hostNetworkSet"]
    env = {**os.environ, **served}
    with subprocess.Popen([*command, str(fifo), str(target)], env=env) as client:
        writer = open_when_read(fifo)  # the served run now waits for our data
        try:
            client.send_signal(signal.SIGKILL)
            assert client.wait(timeout=20) == -signal.SIGKILL
            assert reader_gone(writer)
        finally:
            os.close(writer)
    time.sleep(0.5)
    assert target.read_text(encoding="utf-8") == POD
    assert runs_served(served) == 1  # the server lives on
    fixed = run_cli("fix", "--checks", "hostNetworkSet", str(target), env=served)
    assert fixed.returncode == 0 and target.read_text(encoding="utf-8") != POD


def open_when_read(fifo: Path) -> int:
    """A writing end of `fifo`, once a process has it open for reading."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            assert time.monotonic() < deadline, "the served run never read the FIFO"
            time.sleep(0.02)


def reader_gone(writer: int) -> bool:
    """Whether the FIFO's reader went away (the kernel flags the writing end with POLLERR)."""
    poller = select.poll()
    poller.register(writer, select.POLLOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(event & select.POLLERR for _, event in poller.poll(100)):
            return True
    return False
