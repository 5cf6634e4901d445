"""Fuzzing helpers shared by tests/test_fuzz*.py and bench/fuzz.py.

The invariant: any input gives findings or a clean one-line error, never an exception, and
every report format renders the outcome.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from kinspect.engine.run import Settings, TextOrigin, inspect_text
from kinspect.model import Outcome
from kinspect.report.formats import format_names, get_reporter
from kinspect.report.model import build_report
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
# Characters and tokens that stress YAML and the reporters.
TOKENS = [
    "\t",
    "\n",
    "\r\n",
    " ",
    "- ",
    ": ",
    "? ",
    "---\n",
    "...\n",
    "#",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "!!python/object:os.system ",
    "!x ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    '"',
    "|",
    ">",
    "%YAML 1.1\n",
    "\\",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x85",
    "\u2028",
    "\ufeff",
    "\u202e",
    "\U0001f680",
    "]]>",
    "<script>",
    "{{ .Values.x }}",
    "true",
    '"true"',
    "yes",
    "null",
    "~",
    "0x_",
    "9" * 40,
    ".nan",
    "-.inf",
    "1e400",
    "hostNetwork: true\n",
    "privileged: true",
    "containers: 5",
    "securityContext: x",
    "ports: 80",
    "apiVersion: v1\nkind: Pod\n",
]


@cache
def rules() -> tuple[Rule, ...]:
    """Every built-in rule, loaded once."""
    return tuple(load_rules())


@cache
def seeds() -> tuple[str, ...]:
    """Texts to mutate: every rule fixture and the decodable hostile cases."""
    paths = sorted((ROOT / "tests" / "fixtures").glob("*/*.yaml"))
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    return tuple(t for t in texts if len(t) < 30_000)


def pipeline(name: str, text: str) -> Outcome:
    """Inspect `text` as a file and render every format; exceptions propagate."""
    outcome = inspect_text(name, text, Settings(rules()), TextOrigin(is_file=True))
    for problem in outcome.problems:
        assert "\n" not in problem.render()
    report = build_report(outcome, list(rules()))
    for format_name in format_names():
        rendered = get_reporter(format_name)(report)
        rendered.encode("utf-8")
    return outcome


def mutate(text: str, rng: random.Random, steps: int = 3) -> str:
    """`text` after a few random edits: token inserts, deletions, line shuffles, re-indents."""
    for _ in range(steps):
        if not text:
            text = rng.choice(TOKENS)
            continue
        at = rng.randrange(len(text))
        action = rng.randrange(6)
        if action == 0:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif action == 1:
            text = text[:at] + text[at + rng.randrange(1, 20) :]
        elif action == 2:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif action == 3:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])  # a duplicate key, most of the time
            text = "\n".join(lines)
        elif action == 4:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = rng.choice(["", " ", "  ", "\t", "- "]) + lines[i]
            text = "\n".join(lines)
        else:
            text = text[:at] + chr(rng.randrange(0x20, 0x2FFF)) + text[at + 1 :]
    return text
