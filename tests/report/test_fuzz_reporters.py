"""Every report format is safe with any string a manifest can hold: control characters,
quotes, newlines, `]]>`, markup, emoji, right-to-left overrides, NUL."""

from __future__ import annotations

import html.parser
import json
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinspect.engine.run import Settings, TextOrigin, inspect_text
from kinspect.report.formats import format_names, get_reporter
from kinspect.report.model import build_report
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES, ROOT

RULES = tuple(load_rules())
NASTY = [
    "<script>alert(1)</script>",
    "\"'&<>",
    "]]>",
    "<!-- x -->",
    "line1\nline2\r\nline3",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://evil\x07link\x1b]8;;\x07",
    "nul\x00byte",
    "\x7f\x85\u2028\u2029",
    "\u202eexe.txt",
    "שלום עולם",
    "emoji \U0001f680 \U0001f9d1\u200d\U0001f4bb",
    "| pipe | `tick` *star* _u_ [link](http://x) ![img](x)",
    "{{ template }} ${VAR} %s {0}",
    "\\ backslash \\n",
]
TEMPLATE = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {name}
  labels: {{app: {name}}}
spec:
  hostNetwork: true
  containers:
    - name: {name}
      image: {name}
"""


def _quoted(text: str) -> str:
    """`text` as an ASCII YAML double-quoted scalar: every other character escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char in '\\"':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _report(text: str, file: str = "nasty.yaml") -> Any:
    outcome = inspect_text(
        file, TEMPLATE.format(name=_quoted(text)), Settings(RULES), TextOrigin(is_file=True)
    )
    assert not outcome.problems, [p.render() for p in outcome.problems]
    assert any(not r.passed for r in outcome.results)
    return build_report(outcome, list(RULES))


class _Tags(html.parser.HTMLParser):
    """Collects start tags and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def check_output(name: str, output: str, nasty: str) -> None:
    """Format-specific safety of one rendered report holding `nasty`."""
    assert isinstance(output, str)
    output.encode("utf-8")  # no lone surrogates
    if name in ("json", "sarif", "gitlab"):
        text = json.dumps(json.loads(output), ensure_ascii=False)
        assert json.dumps(nasty, ensure_ascii=False)[1:-1] in text
    elif name == "junit":
        ElementTree.fromstring(output.encode("utf-8"))  # well-formed: ]]> and controls handled
    elif name == "html":
        parser = _Tags()
        parser.feed(output)
        baseline = _Tags()
        baseline.feed(get_reporter("html")(_report("plain")))
        assert parser.tags.count("script") == baseline.tags.count("script"), "script injected"
        assert not {"x", "b"} & set(parser.tags), "markup injected"
        # Data embedded in a script must not close it early.
        assert not any("</" in script.replace("<\\/", "") for script in parser.scripts)
    elif name in ("text", "markdown"):
        assert "\x1b" not in output, "terminal escape sequence passed through"
        assert "\x00" not in output


@pytest.mark.parametrize(
    ("name", "nasty"),
    [(name, nasty) for nasty in NASTY for name in format_names()],
    ids=[f"{name}-{i}" for i in range(len(NASTY)) for name in format_names()],
)
def test_every_format_is_safe_with_nasty_strings(name: str, nasty: str) -> None:
    check_output(name, get_reporter(name)(_report(nasty)), nasty)


NASTY_FILE = "dir/<b>x</b> ]]>\u202e\x1b[2J.yaml"


@pytest.mark.parametrize(("name", "file"), [(name, NASTY_FILE) for name in format_names()])
def test_every_format_is_safe_with_a_nasty_file_name(name: str, file: str) -> None:
    # SARIF and GitLab turn paths into URIs: only the report's safety is checked there.
    check_output(name, get_reporter(name)(_report("plain", file)), "")


@pytest.mark.parametrize(("name", "text"), [(name, "\x1b[31m") for name in format_names()])
def test_every_format_renders_the_hostile_seed_corpus(name: str, text: str) -> None:
    """The reports of the seed corpus (problems included) render in every format."""
    from kinspect.engine.run import inspect_sources
    from kinspect.inputs.sources import collect

    sources, problems = collect([str(FIXTURES / "hostile")])
    outcome = inspect_sources(sources, Settings(RULES))
    outcome.problems[:0] = problems
    report = build_report(outcome, list(RULES))
    assert report.problems
    check_output(name, get_reporter(name)(report), text)  # nasty-strings.yaml holds `text`


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_every_format_is_safe_with_any_text(text: str) -> None:
    for name in format_names():
        check_output(name, get_reporter(name)(_report(text)), text)


def test_formats_are_discovered() -> None:
    assert {"json", "text"} <= set(format_names())
    assert all(
        (ROOT / "kinspect" / "report" / "formats" / f"{n}_format.py").exists()
        for n in format_names()
    )
