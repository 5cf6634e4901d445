"""Report options end to end: several --format outputs, language, colour, progress, imports."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kinspect.cli.progress import ProgressBar, progress_bar
from kinspect.errors import UsageError
from kinspect.report.output import Output, detect_language, parse_outputs
from tests.conftest import ROOT, run_cli
from tests.support.report import CORE_CHECKS, FIXTURE_SET, REPORT_FIXTURES

SHOP = f"{FIXTURE_SET}/shop.yaml"
NO_LOCALE = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}


def test_one_run_writes_several_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(
        "lint",
        "--checks",
        CORE_CHECKS,
        "-f",
        "text",
        "-f",
        f"sarif={out}/kinspect.sarif",
        "--format",
        f"html={out}/deep/report.html",
        "-f",
        f"junit={out}/junit.xml",
        "-f",
        f"markdown={out}/summary.md",
        "-f",
        f"json={out}/report.json",
        SHOP,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"{SHOP}:") and "Overview" in proc.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    sarif = json.loads((out / "kinspect.sarif").read_text(encoding="utf-8"))
    assert (
        len(sarif["runs"][0]["results"])
        == report["summary"]["warning"] + report["summary"]["danger"]
    )
    assert (out / "deep" / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (out / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert (out / "summary.md").read_text(encoding="utf-8").startswith("## kinspect report")


def test_format_errors_are_usage_errors() -> None:
    for values, message in (
        (["text", "json"], "only one format can go to standard output"),
        (["yaml"], "unknown format 'yaml'"),
        (["html="], "the file name after '=' is empty"),
        (["json=a.out", "sarif=a.out"], "several formats would be written to a.out"),
    ):
        with pytest.raises(UsageError, match=re.escape(message)):
            parse_outputs(values)
    assert parse_outputs(None) == [Output("text")]
    both = [Output("sarif", "x=y.sarif"), Output("text")]
    assert parse_outputs(["SARIF=x=y.sarif", "text"]) == both
    proc = run_cli("lint", "-f", "text", "-f", "json", SHOP)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("kinspect: only one format can go to standard output")


def test_unwritable_report_is_an_error_the_others_are_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = run_cli(
        "lint", "-f", f"json={blocker}/report.json", "-f", f"sarif={tmp_path}/ok.sarif", SHOP
    )
    assert proc.returncode == 2
    assert f"kinspect: {blocker}/report.json: cannot write the json report" in proc.stderr
    assert (tmp_path / "ok.sarif").exists()


def test_language_follows_the_environment() -> None:
    def summary(*args: str, **env: str) -> str:
        proc = run_cli("lint", "--checks", CORE_CHECKS, *args, SHOP, env={**NO_LOCALE, **env})
        return proc.stdout.splitlines()[-1]

    assert "个资源" in summary(LANG="zh_CN.UTF-8")
    assert "resources" in summary(LC_ALL="en_US.UTF-8", LANG="zh_CN.UTF-8")
    assert "resources" in summary("--lang", "en", LANG="zh_CN.UTF-8")
    assert "个资源" in summary("--lang", "zh")


def test_detect_language() -> None:
    assert detect_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert detect_language(None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert detect_language(None, {"LC_ALL": "", "LC_MESSAGES": "zh_SG", "LANG": "en"}) == "zh"
    assert detect_language("en", {"LANG": "zh_CN"}) == "en"
    assert detect_language(None, {}) == "en"


def test_quiet_and_show_passed() -> None:
    quiet = run_cli("lint", "--checks", CORE_CHECKS, "--quiet", SHOP)
    assert "Overview" not in quiet.stdout and "score" not in quiet.stdout
    assert all(line.startswith((f"{SHOP}:", "    fix: ")) for line in quiet.stdout.splitlines())
    passed = run_cli("lint", "--checks", CORE_CHECKS, "--show-passed", SHOP)
    assert " PASSED " in passed.stdout


def _spawn_on_terminal(
    args: list[str], env: dict[str, str], stream: str
) -> tuple[subprocess.Popen[bytes], int]:
    """Run the CLI with `stream` (stdout or stderr) on a pseudo-terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kinspect", "lint", *args],
        stdin=subprocess.PIPE,
        stdout=terminal if stream == "stdout" else subprocess.DEVNULL,
        stderr=terminal if stream == "stderr" else subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "TERM": "xterm", "CI": "", **env},  # as on a developer's terminal
    )
    os.close(terminal)
    return process, controller


def _read_terminal(controller: int, process: subprocess.Popen[bytes]) -> str:
    data = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the other end is closed
                break
            if not chunk:
                break
            data += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return data.decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color() -> None:
    for env, coloured in (({"NO_COLOR": ""}, True), ({"NO_COLOR": "1"}, False)):
        process, controller = _spawn_on_terminal(["--checks", CORE_CHECKS, SHOP], env, "stdout")
        assert process.stdin is not None
        process.stdin.close()
        output = _read_terminal(controller, process)
        process.wait(timeout=60)
        assert ("\x1b[1;31m" in output) is coloured, output[:200]
    piped = run_cli("lint", "--checks", CORE_CHECKS, SHOP, env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.stdout


def _slow_run(tmp_path: Path, *extra: str) -> str:
    """A run on a terminal whose second input (a FIFO) takes 1.3 s to arrive."""
    fifo = tmp_path / f"slow{len(extra)}.yaml"
    os.mkfifo(fifo)
    args = ["--checks", CORE_CHECKS, *extra, f"{FIXTURE_SET}/clean.yaml", str(fifo)]
    process, controller = _spawn_on_terminal(args, {}, "stderr")
    writer = _open_when_read(fifo, process)
    time.sleep(1.3)  # kinspect is now waiting for this input
    os.write(writer, (REPORT_FIXTURES / "shop.yaml").read_bytes())
    os.close(writer)
    output = _read_terminal(controller, process)
    process.wait(timeout=60)
    return output


def _open_when_read(fifo: Path, process: subprocess.Popen[bytes]) -> int:
    """Open the FIFO for writing as soon as kinspect opens it for reading."""
    deadline = time.monotonic() + 60
    while True:
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            assert process.poll() is None and time.monotonic() < deadline, "kinspect did not read"
            time.sleep(0.02)
            continue
        os.set_blocking(writer, True)
        return writer


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    shown = _slow_run(tmp_path)
    assert "2/2 files" in shown and "[#" in shown
    assert shown.endswith("\r\x1b[2K")  # erased before the report is printed
    assert "files" not in _slow_run(tmp_path, "--no-progress")


def test_progress_bar_only_on_an_interactive_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    controller, terminal = pty.openpty()
    with open(terminal, "w") as tty, open(controller, "rb"):
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.delenv("CI", raising=False)
        assert progress_bar(3, tty) is not None
        assert progress_bar(3, tty, enabled=False) is None  # --no-progress
        monkeypatch.setenv("CI", "true")
        assert progress_bar(3, tty) is None
        monkeypatch.delenv("CI")
        monkeypatch.setenv("TERM", "dumb")
        assert progress_bar(3, tty) is None
    assert progress_bar(3, io.StringIO()) is None  # not a terminal


def test_progress_bar_waits_a_second_and_fits_the_line() -> None:
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar(4, stream, clock=lambda: now[0])
    bar(1, "a.yaml")
    assert stream.getvalue() == ""  # quick runs show nothing
    now[0] = 1.5
    bar(2, "deploy/" + "x" * 200 + ".yaml")
    line = stream.getvalue().split("\r\x1b[2K")[-1]
    assert line.startswith("[############------------] 2/4 files  …") and len(line) <= 80
    now[0] = 1.55
    bar(3, "c.yaml")  # within 0.1 s of the last draw: skipped
    assert "3/4" not in stream.getvalue()
    bar(4, "")
    assert stream.getvalue().endswith("[########################] 4/4 files")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_text_run_does_not_import_other_reporters() -> None:
    def imported(fmt: str) -> list[str]:
        script = (
            "import json, sys\n"
            "from kinspect.cli.main import main\n"
            f"sys.argv = ['kinspect', 'lint', '-f', {fmt!r}, {SHOP!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('kinspect.report.formats.'))\n"
            "print(json.dumps(loaded), file=sys.stderr)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        modules: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
        return [m for m in modules if m.endswith("_format")]

    assert imported("text") == ["kinspect.report.formats.text_format"]
    assert imported("sarif") == ["kinspect.report.formats.sarif_format"]
