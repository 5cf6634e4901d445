"""Speed and memory of kinspect, measured against a C YAML parser and (optionally) Checkov.

Usage: python bench/bench.py [--corpus DIR] [--runs N] [--with-checkov] [--skip-scaling]

Every figure comes from this one run on the same file list: the floor (PyYAML's C parser
composing every document), kinspect over the corpus with JSON output, kinspect on one small
manifest against `python -c pass` (started cold, and handed to a running `kinspect server`),
peak memory, the corpus replicated 10x, and Checkov.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SMALL = ROOT / "tests" / "fixtures" / "cli" / "list.yaml"
CHECKOV_VENV = Path(tempfile.gettempdir()) / "kinspect-bench-checkov"


def best_of(runs: int, action: Callable[[], None]) -> float:
    """Fastest wall time of `runs` calls, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def corpus_files(corpus: Path) -> list[Path]:
    """The files kinspect's own directory walk inspects, so both sides read the same list."""
    sys.path.insert(0, str(ROOT))
    from kinspect.inputs.sources import collect

    sources, _ = collect([str(corpus)], render=False)
    return [source.path for source in sources if source.path is not None]


def floor(files: list[Path]) -> None:
    """PyYAML + libyaml composing every document of every file (positions kept in marks)."""
    import yaml

    for path in files:
        try:
            text = path.read_bytes().decode("utf-8-sig")
            for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                pass
        except (yaml.YAMLError, UnicodeDecodeError):
            continue


def run_command(command: list[str], env: dict[str, str] | None = None) -> None:
    """Run a command with its output discarded; exit codes 0-2 are normal for a linter."""
    quiet = subprocess.DEVNULL
    proc = subprocess.run(command, stdout=quiet, stderr=quiet, env=env)
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"{command[:3]}... failed with exit code {proc.returncode}")


def served(runs: int, kinspect: list[str]) -> tuple[float, float]:
    """Best time of the small-file lint handed to a running server, and the server's peak RSS
    (MB) after those runs. The server lives in a directory of its own and stops afterwards."""
    with tempfile.TemporaryDirectory(prefix="kb-") as directory:
        env = {**os.environ, "KINSPECT_SERVER": "on", "KINSPECT_SERVER_DIR": directory}
        subprocess.run([*kinspect, "server", "start"], env=env, check=True, capture_output=True)
        try:
            command = [*kinspect, "lint", str(SMALL)]
            seconds = best_of(runs, lambda: run_command(command, env))
            status = subprocess.run([*kinspect, "server", "status"], env=env, capture_output=True)
            pid = re.search(r"pid (\d+)", status.stdout.decode())
            assert pid, status
            rss = Path(f"/proc/{pid.group(1)}/status").read_text()
            peak = re.search(r"VmHWM:\s+(\d+) kB", rss)
            assert peak, rss
        finally:
            subprocess.run([*kinspect, "server", "stop"], env=env, capture_output=True)
    return seconds, int(peak.group(1)) / 1024


def peak_rss_mb(command: list[str]) -> float:
    """Peak resident memory (MB) of the largest process a command runs, via a fresh waiter."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def replicate(corpus: Path, copies: int, into: Path) -> Path:
    """`copies` hard-linked copies of the corpus side by side (cheap on disk)."""
    for index in range(copies):
        target = into / f"copy{index}"
        if not target.exists():
            shutil.copytree(corpus, target, copy_function=os.link)
    return into


def checkov_command(directory: Path) -> list[str]:
    """Install Checkov into its own venv (once) and return its command line."""
    checkov = CHECKOV_VENV / "bin" / "checkov"
    if not checkov.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "checkov"], check=True)
    options = ["--framework", "kubernetes", "--quiet", "-o", "json"]
    return [str(checkov), "-d", str(directory), *options]


def report(name: str, seconds: float, base: float | None = None, base_name: str = "") -> None:
    ratio = f"   {seconds / base:6.2f}x {base_name}" if base else ""
    print(f"{name:<44} {seconds:8.3f} s{ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="best of N for each timing")
    parser.add_argument("--with-checkov", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true", help="skip the 10x corpus")
    args = parser.parse_args()

    kinspect = [sys.executable, "-m", "kinspect"]
    os.environ["KINSPECT_SERVER"] = "off"  # cold starts, whatever server the caller runs
    files = corpus_files(args.corpus)
    size = sum(path.stat().st_size for path in files)
    print(f"corpus: {args.corpus} ({len(files)} files, {size / 1e6:.1f} MB); best of {args.runs}")

    # Warm-up with bytecode writing allowed: any normal machine caches bytecode (pip compiles
    # it at install), but with PYTHONDONTWRITEBYTECODE set (as in some CI and sandbox shells)
    # every edited module would be compiled again on each timed start.
    compiling = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*kinspect, "lint", str(SMALL)], capture_output=True, env=compiling)

    floor_s = best_of(args.runs, lambda: floor(files))
    report("floor: PyYAML C compose_all", floor_s)
    # --no-render: read chart and kustomize files as plain YAML, as the floor does.
    lint = [*kinspect, "lint", "--no-render", "--format", "json", "--fail-on", "never"]
    lint.append(str(args.corpus))
    whole = best_of(args.runs, lambda: run_command(lint))
    report("kinspect lint --format json (corpus)", whole, floor_s, "floor (goal <= 1.0)")

    python_s = best_of(args.runs * 5, lambda: run_command([sys.executable, "-c", "pass"]))
    report("python -c pass", python_s)
    small = best_of(args.runs * 5, lambda: run_command([*kinspect, "lint", str(SMALL)]))
    report("kinspect lint one small file, cold", small, python_s, "python -c pass")
    small_served, server_mb = served(args.runs * 5, kinspect)
    name = "kinspect lint one small file, server running"
    report(name, small_served, python_s, "python -c pass (goal <= 6)")
    print(f"{'peak RSS, server (after those runs)':<44} {server_mb:8.1f} MB")

    print(f"{'peak RSS, corpus':<44} {peak_rss_mb(lint):8.1f} MB")
    if not args.skip_scaling:
        with tempfile.TemporaryDirectory(prefix="kinspect-bench-") as scratch:
            tenfold = replicate(args.corpus, 10, Path(scratch))
            lint10 = [*lint[:-1], str(tenfold)]
            ten = best_of(1, lambda: run_command(lint10))
            report("kinspect, corpus x10", ten, whole, "1x time (goal <= 10.5)")
            print(f"{'peak RSS, corpus x10':<44} {peak_rss_mb(lint10):8.1f} MB (goal <= 200)")
    if args.with_checkov:
        command = checkov_command(args.corpus)
        checkov_s = best_of(1, lambda: run_command(command))
        report("checkov --framework kubernetes", checkov_s)
        print(f"{'kinspect / checkov':<44} {whole / checkov_s:8.3f}x (goal <= 0.05)")


if __name__ == "__main__":
    main()
