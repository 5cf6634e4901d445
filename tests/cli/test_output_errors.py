"""Output that cannot be written (a full disk, a closed pipe) ends every command with exit
code 2 and one line on standard error, whether it runs here or in a server's fork."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinspect.server import sockets
from tests.conftest import ROOT
from tests.server import test_server
from tests.server.test_server import SMALL

server_dir = test_server.server_dir  # the fixtures of a private directory, a running server
served = test_server.served

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")

COMMANDS = [
    (["lint", str(SMALL)], None),
    (["lint", "--format", "json", str(SMALL)], None),
    (["fix", "-"], SMALL.read_text(encoding="utf-8")),
    (["rules"], None),
    (["--help"], None),
]


def run(args: list[str], stdin: str | None, env: dict[str, str], stdout: int) -> tuple[int, str]:
    """Exit code and standard error of `kinspect ARGS` writing its output to `stdout`."""
    proc = subprocess.run(
        [sys.executable, "-m", "kinspect", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1", **env},
        timeout=120,
    )
    return proc.returncode, proc.stderr


def full_disk(args: list[str], stdin: str | None, env: dict[str, str]) -> tuple[int, str]:
    with open("/dev/full", "w") as full:
        return run(args, stdin, env, full.fileno())


def closed_pipe(args: list[str], stdin: str | None, env: dict[str, str]) -> tuple[int, str]:
    reading, writing = os.pipe()
    os.close(reading)  # a reader that left before the first line
    try:
        return run(args, stdin, env, writing)
    finally:
        os.close(writing)


@pytest.mark.parametrize(("args", "stdin"), COMMANDS)
@pytest.mark.parametrize(
    ("output", "error"),
    [(full_disk, "No space left on device"), (closed_pipe, "Broken pipe")],
)
def test_unwritable_output_is_exit_code_2_here_and_served(
    args: list[str],
    stdin: str | None,
    output: object,
    error: str,
    served: dict[str, str],
) -> None:
    assert callable(output)
    code, stderr = output(args, stdin, {"KINSPECT_SERVER": "off"})
    assert code == 2
    line = f"kinspect: cannot write to standard output: {error} (hint: the output is incomplete)"
    assert stderr.splitlines()[-1] == line
    assert "Traceback" not in stderr
    if sockets.supported():
        assert output(args, stdin, served) == (code, stderr)


def test_unwritable_standard_error_is_exit_code_2(
    tmp_path: Path,
    served: dict[str, str],
) -> None:
    """`fix` reports on standard error; it exits 0 when that works."""
    pod = ROOT / "tests" / "fixtures" / "fix" / "hostNetworkSet" / "fail-block-comments.yaml"
    codes = []
    for env in ({"KINSPECT_SERVER": "off"}, served):
        target = tmp_path / "pod.yaml"
        target.write_bytes(pod.read_bytes())
        command = [sys.executable, "-m", "kinspect", "fix", "--checks", "hostNetworkSet"]
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                [*command, str(target)],
                stdout=subprocess.DEVNULL,
                stderr=full,
                env={**os.environ, **env},
                timeout=120,
            )
        codes.append(proc.returncode)
        assert target.read_bytes() != pod.read_bytes()  # the fix itself was done
    assert codes == [2, 2]
