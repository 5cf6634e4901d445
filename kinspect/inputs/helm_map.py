"""Rendered Helm documents → their templates.

Each document of a `helm template` stream follows a `# Source: <chart>/templates/<file>`
comment. With the chart on disk, a finding also gets the line of the offending key in the
template, when one line of the template matches the key's path better than any other.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from kinspect.inputs.keylines import find, has_content, key_lines, segments
from kinspect.kube.paths import Path as KeyPath
from kinspect.kube.paths import split_dotted
from kinspect.kube.targets import Resource
from kinspect.model import ResourceRef, Result
from kinspect.parse.loader import Document
from kinspect.parse.locate import locate

_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_CHART_NAME = re.compile(r"""^name:\s*["']?([^"'\s#]+)""", re.MULTILINE)
Part = tuple[int, list[str]]


@dataclass(frozen=True, slots=True)
class _Segment:
    first: int
    source: str | None
    ordinal: int


class HelmMapper:
    """Adds the source template (and line) to results; `rebase` makes it their location."""

    def __init__(self, text: str, root: str | None, rebase: bool) -> None:
        self.root = root
        self.rebase = rebase
        self.annotates_only = not rebase
        self.segments = _scan(text)
        self._firsts = [segment.first for segment in self.segments]
        self._counts = Counter(s.source for s in self.segments if s.ordinal >= 0)
        self._parts: dict[str, Part | None] = {}
        self._found: dict[tuple[str, int, KeyPath], tuple[int, int] | None] = {}

    @staticmethod
    def chart_names(text: str) -> set[str]:
        """Chart names that `# Source:` comments start with."""
        return {s.source.split("/", 1)[0] for s in _scan(text) if s.source}

    def admit(self, document: Document, resource: Resource) -> bool:
        """Every rendered resource is inspected."""
        return True

    def ref(self, document: Document, resource: Resource, ref: ResourceRef) -> ResourceRef:
        """For a chart render, the resource starts in its template."""
        placed = self._where(document)
        if placed is None or not self.rebase:
            return ref
        file, _, part = placed
        return replace(ref, file=file, line=_first_key_line(part) or 1)

    def result(self, document: Document, resource: Resource, result: Result) -> Result:
        """Annotate a result with its template (and line); for a chart render, move it there."""
        placed = self._where(document)
        if placed is None:
            return result
        file, segment, part = placed
        path = split_dotted(result.path)
        _, depth = locate(document.root, path)
        node = path[:depth][len(resource.path) :]
        key = (file, segment.ordinal, node)
        if key not in self._found:
            self._found[key] = find(part[1], node, part[0]) if part and node else None
        found = self._found[key]
        line = found[0] if found else None
        if not self.rebase:
            return replace(result, source_file=file, source_line=line)
        start = _first_key_line(part) or 1
        column = found[1] if found else 1
        return replace(
            result, file=file, line=line or start, column=column, source_file=file, source_line=line
        )

    def _where(self, document: Document) -> tuple[str, _Segment, Part | None] | None:
        """The template a document was rendered from, and its part of the template."""
        index = bisect.bisect_right(self._firsts, document.line) - 1
        segment = self.segments[index] if index >= 0 else None
        if segment is None or segment.source is None:
            return None
        file = self.source_file(segment.source)
        return file, segment, self._part(file, segment)

    def source_file(self, source: str) -> str:
        """The template's path: under the chart root when known, else as in the comment."""
        if self.root is None:
            return source
        rest = source.split("/", 1)[1] if "/" in source else source
        return str(PurePosixPath(self.root) / rest)

    def _part(self, file: str, segment: _Segment) -> Part | None:
        """The template's document that rendered this one, else the whole template."""
        if file not in self._parts:
            self._parts[file] = _template(file)
        whole = self._parts[file]
        if whole is None:
            return None
        parts = [p for p in segments("\n".join(whole[1])) if has_content(p[1], template=True)]
        if len(parts) == self._counts[segment.source] and 0 <= segment.ordinal < len(parts):
            return parts[segment.ordinal]
        return whole


def _template(file: str) -> Part | None:
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return 1, text.splitlines()


def _first_key_line(part: Part | None) -> int | None:
    if part is None:
        return None
    entries = key_lines(part[1], part[0])
    return entries[0].line if entries else None


def _scan(text: str) -> list[_Segment]:
    """The documents of a stream: first line, `# Source:` and rank among its source's."""
    found: list[_Segment] = []
    seen: Counter[str | None] = Counter()
    for first, lines in segments(text):
        source = next((m.group(1) for line in lines if (m := _SOURCE.match(line))), None)
        ordinal = -1
        if has_content(lines):
            ordinal = seen[source]
            seen[source] += 1
        found.append(_Segment(first, source, ordinal))
    return found


def find_chart_root(names: set[str], near: Path | None) -> str | None:
    """The chart directory a render came from: next to the input or the working directory."""
    if len(names) != 1:
        return None
    (name,) = names
    bases = [near, near.parent, near.parent.parent] if near is not None else []
    for base in [*bases, Path(".")]:
        for candidate in (base, base / name, base / "charts" / name):
            if chart_name(candidate) == name:
                return os.path.normpath(candidate).replace(os.sep, "/")
    return None


def chart_name(directory: Path) -> str | None:
    """The `name` in a directory's Chart.yaml, if it has one."""
    try:
        text = (directory / "Chart.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _CHART_NAME.search(text)
    return match.group(1) if match else None
