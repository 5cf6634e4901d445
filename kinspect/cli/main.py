"""The command line's entry point: run `app`, turn every way out into one exit code."""

from __future__ import annotations

import gc
import sys
from functools import cache

import click
import typer

from kinspect.cli.app import app, error_line
from kinspect.errors import EXIT_ERROR, EXIT_OK, UsageError


@cache
def command() -> click.Command:
    """The click command of `app`, built once per process (a server's forks find it built)."""
    return typer.main.get_command(app)


def main(args: list[str] | None = None, prog_name: str | None = None) -> None:
    """Console entry point: usage errors and crashes become one line and exit code 2.

    `args`: the command line (None: this process's); `prog_name`: what usage messages call
    the command (None: as this process was started).
    """
    # Parsing allocates millions of short-lived, acyclic objects; the default thresholds make
    # the cycle collector rescan them over and over (about 15 % of a large run).
    gc.set_threshold(50_000, 20, 100)
    try:
        # The server commands run the command line in a server's forks: handed over as `obj`.
        code = command().main(args, prog_name, standalone_mode=False, obj=main)
    except UsageError as exc:
        error_line(str(exc))
        sys.exit(EXIT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except click.ClickException as exc:  # click's own usage errors: its message, exit 2
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except Exception as exc:  # a bug: one line, never a traceback
        error_line(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
