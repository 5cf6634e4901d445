"""`kinspect server start|stop|status`: the command line of `kinspect.server.daemon`."""

import os
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from kinspect.errors import EXIT_FINDINGS, UsageError
from kinspect.server import client, sockets

if TYPE_CHECKING:  # the fork's module loads only when a server starts
    from kinspect.server.fork import Command

server_app = typer.Typer(
    help=(
        "Keep kinspect loaded in the background: every kinspect command of this installation"
        " (and the same KINSPECT_* settings) then runs in a fork of it and starts in a few"
        " milliseconds. Set KINSPECT_SERVER=auto to have the first command start it."
    ),
    no_args_is_help=True,
)

IdleTimeout = Annotated[
    float,
    typer.Option("--idle-timeout", min=1, help="Stop after this many seconds without a run."),
]
_START_SECONDS = 30.0


@server_app.command()
def start(
    context: typer.Context,
    idle_timeout: IdleTimeout = 3600.0,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Serve in this process until stopped.")
    ] = False,
) -> None:
    """Start this installation's server (nothing to do when it runs already)."""
    _require_support()
    try:
        sockets.prepare_dir()
    except OSError as exc:
        raise UsageError(f"cannot start the server: {exc}") from None
    running = client.send_control("status")
    if running:
        _say(f"already running (pid {running['pid']}, socket {running['socket']})")
        return
    if foreground:
        _serve(idle_timeout, context.find_root().obj)
        return
    started = client.start_in_background(idle_timeout)
    if started is None:
        raise UsageError(f"cannot start the server: {sys.executable} did not run")
    pid, path = started
    answer = _wait_until_ready(pid, path)
    _say(f"started (pid {answer['pid']}, socket {path}, stops after {idle_timeout:g} s idle)")


@server_app.command()
def stop(
    every: Annotated[
        bool,
        typer.Option("--all", help="Stop every server of yours: other installations, settings."),
    ] = False,
) -> None:
    """Stop this installation's server."""
    paths = sockets.server_sockets() if every else [None]
    stopped = [answer for path in paths if (answer := client.send_control("stop", path))]
    for answer in stopped:
        _wait_until_gone(str(answer["socket"]))
        _say(f"stopped (pid {answer['pid']}, {answer['runs']} runs)")
    if not stopped:
        _say("not running")


@server_app.command()
def status() -> None:
    """Whether this installation's server runs (exit code 0) or not (exit code 1)."""
    answer = client.send_control("status")
    if answer is None:
        _say("not running")
        raise typer.Exit(EXIT_FINDINGS)
    _say(
        f"running (pid {answer['pid']}, socket {answer['socket']}, up {answer['uptime']} s,"
        f" {answer['runs']} runs, stops after {answer['idle_seconds']:g} s idle)"
    )


def _require_support() -> None:
    if not sockets.supported():
        raise UsageError("the server needs fork and Unix sockets (Linux or macOS)")


def _serve(idle_timeout: float, command: "Command") -> None:
    from kinspect.server.daemon import serve

    try:
        served = serve(idle_timeout, command, ready=sys.stdout)
    except OSError as exc:
        raise UsageError(f"cannot start the server: {exc}") from None
    if not served:
        _say("already running")


def _wait_until_ready(pid: int, path: str) -> dict[str, object]:
    """The new server's status once it answers; UsageError if it fails or never answers."""
    deadline = time.monotonic() + _START_SECONDS
    ours = True
    while time.monotonic() < deadline:
        answer = client.send_control("status")
        if answer is not None:
            return answer
        if ours:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished and os.waitstatus_to_exitcode(status) != 0:
                raise UsageError(f"the server did not start: {_last_line(sockets.log_path(path))}")
            ours = not finished  # exit code 0: another start won the race and will answer
        time.sleep(0.02)
    raise UsageError(f"the server did not answer within {_START_SECONDS:g} s")


def _wait_until_gone(path: str) -> None:
    """Return once a stopping server has removed its socket, so that a start may follow."""
    deadline = time.monotonic() + _START_SECONDS
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


def _last_line(log: str) -> str:
    try:
        descriptor = os.open(log, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with open(descriptor, encoding="utf-8", errors="replace") as lines:
            last = [line.strip() for line in lines if line.strip()]
    except OSError:
        return "no log"
    return last[-1] if last else "no message"


def _say(message: str) -> None:
    sys.stdout.write(f"kinspect server: {message}\n")
