"""Inline `# kinspect:` directives, found by a plain text scan (no YAML parsing).

image: app:1.0   # kinspect: ignore[tagNotSpecified,runAsRootAllowed] pinned by digest upstream
# kinspect: ignore[hostNetworkSet] on its own line: applies to the next content line
# kinspect: ignore-document            every result of this YAML document
# kinspect: ignore-file[livenessProbeMissing]   the listed checks (or all) in the whole file
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

MARKER = "kinspect:"
ALL = "all"
_COMMENT = re.compile(r"(?:^|\s)#\s*kinspect:\s*(.*)$")
_DIRECTIVE = re.compile(r"(ignore-file|ignore-document|ignore)(?:\[([^\]]*)\])?(?:\s+(.*))?$")
_SEPARATOR = re.compile(r"(---|\.\.\.)(\s|$)")


@dataclass(frozen=True, slots=True)
class Directive:
    """One `# kinspect:` comment.

    `scope` is `line`, `document`, `file`, or `invalid` (a comment kinspect cannot read);
    `target` is the line a `line` directive covers; `checks` is empty for all checks.
    """

    scope: str
    line: int
    column: int
    target: int
    checks: tuple[str, ...]
    reason: str
    text: str

    def covers(self, check: str) -> bool:
        """Whether the directive names `check` (or all checks)."""
        return not self.checks or check in self.checks


@dataclass(frozen=True, slots=True)
class Scan:
    """The directives of one text and the lines where its YAML documents are separated."""

    directives: tuple[Directive, ...]
    separators: tuple[int, ...]
    by_target: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Indexes of the `line` directives, by the line they cover."""
    wide: tuple[int, ...] = ()
    """Indexes of the `document` and `file` directives."""

    def region(self, line: int) -> int:
        """Index of the `---`-separated region that holds `line`."""
        return bisect_right(self.separators, line)

    def candidates(self, line: int) -> tuple[int, ...]:
        """Indexes of the directives that may cover a result on `line`."""
        return self.by_target.get(line, ()) + self.wide


EMPTY = Scan((), ())


def scan(text: str) -> Scan:
    """Directives and document separators; cheap when the text has no `kinspect:` at all."""
    if MARKER not in text:
        return EMPTY
    lines = text.split("\n")
    directives: list[Directive] = []
    separators: list[int] = []
    for index, line in enumerate(lines):
        if _SEPARATOR.match(line):
            separators.append(index + 1)
        if MARKER in line:
            match = _COMMENT.search(line)
            if match is not None:
                directives.append(_directive(lines, index, match))
    by_target: dict[int, tuple[int, ...]] = {}
    for index, directive in enumerate(directives):
        if directive.scope == "line":
            by_target[directive.target] = (*by_target.get(directive.target, ()), index)
    wide = tuple(i for i, d in enumerate(directives) if d.scope in ("document", "file"))
    return Scan(tuple(directives), tuple(separators), by_target, wide)


def _directive(lines: list[str], index: int, match: re.Match[str]) -> Directive:
    line = index + 1
    hash_index = match.start() if match.group(0)[0] == "#" else match.start() + 1
    body = match.group(1).strip()
    own_line = not lines[index][:hash_index].strip()
    target = _next_content_line(lines, index) if own_line else line
    parsed = _DIRECTIVE.match(body)
    if parsed is None:
        return Directive("invalid", line, hash_index + 1, target, (), "", body)
    word, listed, reason = parsed.groups()
    checks = tuple(c.strip() for c in (listed or "").split(",") if c.strip())
    scope = {"ignore": "line", "ignore-document": "document", "ignore-file": "file"}[word]
    if (listed is not None and not checks) or (word == "ignore" and listed is None):
        scope = "invalid"
    if ALL in checks:
        checks = ()
    return Directive(scope, line, hash_index + 1, target, checks, (reason or "").strip(), body)


def _next_content_line(lines: list[str], index: int) -> int:
    """The first line after `index` that is neither blank nor a comment (0: none)."""
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return 0
