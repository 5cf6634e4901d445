"""`python -m kinspect`, and the `kinspect` command (its console script calls `main`)."""

import gc
import sys


def main() -> None:
    """Hand the command to a waiting server if there is one, else run it here."""
    from kinspect.server.client import run_on_server

    code = run_on_server(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    # Tuned before the command line's modules are imported: with the default thresholds the
    # cycle collector runs ~30 times during those imports alone (~3.5 ms of every start).
    gc.set_threshold(50_000, 20, 100)
    from kinspect.cli.main import main as run

    run()


if __name__ == "__main__":
    main()
