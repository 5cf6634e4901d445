"""The README's copy-pastable snippets, so that tests run what users are told to run."""

from __future__ import annotations

import re

from tests.conftest import ROOT

# A snippet is the fenced block right after an HTML comment `<!-- snippet: NAME -->`.
_SNIPPET = re.compile(r"<!-- snippet: ([\w.-]+) -->\s*\n(`{3,})[^\n]*\n(.*?)\n\2", re.DOTALL)


def snippets(text: str | None = None) -> dict[str, str]:
    """Every named snippet of the README (or of `text`)."""
    if text is None:
        text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for match in _SNIPPET.finditer(text):
        name, body = match.group(1), match.group(3)
        assert name not in found, f"README snippet {name!r} is defined twice"
        found[name] = body + "\n"
    return found


def snippet(name: str) -> str:
    """One named README snippet; a missing one fails the test that needs it."""
    found = snippets()
    assert name in found, f"README has no snippet {name!r} (known: {sorted(found)})"
    return found[name]
