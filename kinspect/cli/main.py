"""The command line's entry point: run `app`, turn every way out into one exit code."""

from __future__ import annotations

import gc
import sys
from functools import cache

import click
import typer

from kinspect.cli.app import app, error_line
from kinspect.cli.streams import OutputError, flush_standard_streams, guard_standard_streams
from kinspect.errors import EXIT_ERROR, EXIT_OK, UsageError


@cache
def command() -> click.Command:
    """The click command of `app`, built once per process (a server's forks find it built)."""
    return typer.main.get_command(app)


def main(args: list[str] | None = None, prog_name: str | None = None) -> None:
    """Console entry point: usage errors and crashes become one line and exit code 2; so
    does output that cannot be written (a full disk, a closed pipe), here or in a server's
    fork (kinspect.cli.streams).

    `args`: the command line (None: this process's); `prog_name`: what usage messages call
    the command (None: as this process was started).
    """
    # Parsing allocates millions of short-lived, acyclic objects; the default thresholds make
    # the cycle collector rescan them over and over (about 15 % of a large run).
    gc.set_threshold(50_000, 20, 100)
    guard_standard_streams()
    code = _run(args, prog_name)
    try:
        flush_standard_streams()
    except OutputError as exc:
        code = _output_failed(exc)
    sys.exit(code)


def _run(args: list[str] | None, prog_name: str | None) -> int:
    """The command's exit code."""
    try:
        # The server commands run the command line in a server's forks: handed over as `obj`.
        code = command().main(args, prog_name, standalone_mode=False, obj=main)
    except UsageError as exc:
        error_line(str(exc))
        return EXIT_ERROR
    except typer.Exit as exc:
        return exc.exit_code
    except OutputError as exc:
        return _output_failed(exc)
    except (KeyboardInterrupt, click.exceptions.Abort):
        return 130
    except click.ClickException as exc:  # click's own usage errors: its message, exit 2
        exc.show()
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line, never a traceback
        error_line(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        return EXIT_ERROR
    return code if isinstance(code, int) else EXIT_OK


def _output_failed(error: OutputError) -> int:
    """Say so on standard error (unless that is what failed): exit code 2."""
    try:
        error_line(f"{error} (hint: the output is incomplete)")
        sys.stderr.flush()
    except OutputError:
        pass
    return EXIT_ERROR
