"""Where findings of chart renders land: template lines, first lines, approximate lines.

Usage: python bench/helm_lines.py [CHART_DIR ...] [--corpus DIR] [--kinspect CMD]

Lints each chart (every directory with a Chart.yaml under the corpus by default) with the
JSON format and counts, over the failures of the charts that render: how many land on line 1
or 2 of a template (not a `_` partial, where a define's body may start), how many have no
template line (`source_line` null), how many are flagged approximate, and how many point at
a line whose text holds none of the path's keys, no list item and no action (a line that
cannot be the field's). `--kinspect` runs another build (for
a before/after comparison), e.g. `--kinspect "env PYTHONPATH=/tmp/old python -m kinspect"`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("charts", nargs="*", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--kinspect", default=f"{sys.executable} -m kinspect")
    args = parser.parse_args()
    charts = args.charts or sorted(p.parent for p in args.corpus.rglob("Chart.yaml"))
    total: Counter[str] = Counter()
    for chart in charts:
        counts = _chart(shlex.split(args.kinspect), chart)
        total.update(counts)
        print(f"{chart}: {dict(counts)}")
    print(f"total: {dict(total)}")


def _chart(command: list[str], chart: Path) -> Counter[str]:
    run = [*command, "lint", "--format", "json", "--fail-on", "never", str(chart)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=600, check=False)
    counts: Counter[str] = Counter()
    report = json.loads(done.stdout)
    if report["errors"]:
        counts["charts not rendered"] += 1
        return counts
    counts["charts"] += 1
    for result in report["results"]:
        if not result["passed"]:
            _count(result, counts)
    return counts


def _count(result: dict[str, Any], counts: Counter[str]) -> None:
    counts["failures"] += 1
    partial = Path(result["file"]).name.startswith("_")  # a define's body may start there
    counts["on line 1-2 of a template"] += result["line"] <= 2 and not partial
    counts["no source line"] += result["source_line"] is None
    counts["approximate"] += bool(result.get("approximate"))
    if not result.get("approximate") and not _plausible(result):
        counts["implausible line"] += 1


def _plausible(result: dict[str, Any]) -> bool:
    try:
        lines = Path(result["file"]).read_text(encoding="utf-8").splitlines()
        text = lines[result["line"] - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return False
    keys = [key for key in result["path"].split(".") if key]
    return any(key in text for key in keys) or "{{" in text or text.lstrip().startswith("-")


if __name__ == "__main__":
    main()
