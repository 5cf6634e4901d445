"""Which template line made each line of a chart's render, from a second render with marks.

The chart is copied, its templates marked (kinspect.inputs.helm_marks) and rendered again. Each
document of the marked render, its marks taken out, is lined up with the same document of
the real render: a line that matches gets the marks that came with it, and a line that does
not (a template that compared or hashed marked text) gets none, so it is never given a
wrong line.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from kinspect.inputs.helm_marks import Marker, instrument
from kinspect.inputs.keylines import has_content, segments

Mark = tuple[int, int, int, int, bool]
"""Column (0-based) in the rendered line, template file index, template line (1-based),
template column (0-based), and whether the mark stands for an action's output. A column of
-1: the mark was met on a line above (the line continues what that template line printed)."""
Reader = Callable[[int, int], str | None]
"""The text of a template's line (file index, 1-based line), if it can be read."""
_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_MAX_TEMPLATE_BYTES = 4 << 20
_MAX_ALIGNED_LINES = 5_000


@dataclass
class Origins:
    """Marks of each line of a render (1-based line → marks), and the templates they name."""

    files: list[str]
    lines: dict[int, tuple[Mark, ...]] = field(default_factory=dict)

    def place(self, line: int, column: int, read: Reader) -> tuple[int, int, int] | None:
        """Template file index, line and column (1-based) of a line and column of the render."""
        marks = self.lines.get(line, ())
        before = [mark for mark in marks if mark[0] <= column - 1]
        own = [mark for mark in marks if mark[0] >= 0]
        if own and not own[0][4] and (not before or before[-1][0] < 0):
            mark = own[0]  # the line's own text, left of its first mark (a list dash)
        elif before:
            mark = before[-1]
        else:
            return None
        rendered, file, number, start, after = mark
        text = read(file, number)
        if after or text is None:
            return file, number, start + 1
        if rendered < 0:  # the line continues what an action of that template line printed
            action = text.find("{{", start)
            return file, number, (action if action >= 0 else start) + 1
        delta = column - 1 - rendered
        end = max(start, start + delta)
        action = text.rfind("{{", start, end)
        return file, number, (max(0, start + delta) if action < 0 else action) + 1


def marked_origins(chart: Path, plain: str, render: Callable[[Path], str]) -> Origins | None:
    """The origins of `plain`, the render of `chart`; None when the marked copy cannot render."""
    marker = Marker(secrets.token_hex(4))
    with tempfile.TemporaryDirectory(prefix="kinspect-helm-") as temporary:
        copy = Path(temporary) / "chart"
        shutil.copytree(chart, copy, symlinks=True, ignore=_special_files)
        files = _instrument_tree(copy, marker)
        if not files:
            return None
        try:
            marked = render(copy)
        except Exception:  # the marked copy is a best effort: without it, lines are approximate
            return None
    return align(plain, marked, marker.pattern(), files)


def _special_files(directory: str, names: list[str]) -> list[str]:
    """Sockets, pipes and devices: never copied (reading a pipe would wait forever)."""
    skipped = []
    for name in names:
        mode = os.lstat(os.path.join(directory, name)).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            skipped.append(name)
    return skipped


def _instrument_tree(copy: Path, marker: Marker) -> list[str]:
    """Mark the templates of the chart and of its unpacked subcharts; their relative paths."""
    files: list[str] = []
    inside = copy.resolve()
    for chart in _charts(copy):
        templates = chart / "templates"
        if templates.is_symlink() or not templates.is_dir():
            continue
        for path in sorted(templates.rglob("*")):
            if path.is_symlink() or not path.is_file() or path.name == "NOTES.txt":
                continue
            if not path.resolve().is_relative_to(inside):  # through a linked directory
                continue
            if path.stat().st_size > _MAX_TEMPLATE_BYTES:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            partial = path.name.startswith("_")
            path.write_text(instrument(text, len(files), partial, marker), encoding="utf-8")
            files.append(path.relative_to(copy).as_posix())
    return files


def _charts(root: Path) -> list[Path]:
    found = [root]
    charts = root / "charts"
    if charts.is_dir() and not charts.is_symlink():
        for sub in sorted(charts.iterdir()):
            if sub.is_dir() and not sub.is_symlink() and (sub / "Chart.yaml").is_file():
                found.extend(_charts(sub))
    return found


def align(plain: str, marked: str, pattern: re.Pattern[str], files: list[str]) -> Origins:
    """Line up each document of the marked render with the same one of the plain render."""
    origins = Origins(files)
    stripped, marks = _strip(marked, pattern)
    marked_documents = _documents(stripped)
    for key, (first, lines) in _documents(plain.splitlines()).items():
        other = marked_documents.get(key)
        if other is None:
            continue
        other_first, other_lines = other
        carried = _carried(marks, other_first, len(other_lines))
        if lines == other_lines:
            blocks = [(0, 0, len(lines))]
        elif max(len(lines), len(other_lines)) > _MAX_ALIGNED_LINES:
            continue  # lining up costs up to the product of the lengths: left unplaced
        else:
            matcher = SequenceMatcher(None, lines, other_lines, autojunk=False)
            blocks = [(m.a, m.b, m.size) for m in matcher.get_matching_blocks()]
        for a, b, size in blocks:
            for offset in range(size):
                found = carried[b + offset]
                if found:
                    origins.lines[first + a + offset + 1] = found
    return origins


def _strip(text: str, pattern: re.Pattern[str]) -> tuple[list[str], list[list[Mark]]]:
    """The lines without marks, and each line's marks at their column in the bare line."""
    lines: list[str] = []
    marks: list[list[Mark]] = []
    for line in text.splitlines():
        bare: list[str] = []
        found: list[Mark] = []
        width = last = 0
        for match in pattern.finditer(line):
            bare.append(line[last : match.start()])
            width += match.start() - last
            last = match.end()
            after, file, number, column = match.groups()
            found.append((width, int(file), int(number), int(column), after is not None))
        bare.append(line[last:])
        lines.append("".join(bare))
        marks.append(found)
    return lines, marks


def _carried(marks: list[list[Mark]], first: int, count: int) -> list[tuple[Mark, ...]]:
    """Each line's marks, led by the last mark of the lines above it in the document."""
    result: list[tuple[Mark, ...]] = []
    carry: Mark | None = None
    for found in marks[first : first + count]:
        result.append(((-1, *carry[1:]), *found) if carry else tuple(found))
        if found:
            carry = found[-1]
    return result


def _documents(lines: list[str]) -> dict[tuple[str | None, int], tuple[int, list[str]]]:
    """Documents by (`# Source:`, rank among that source's): 0-based first line, lines."""
    found: dict[tuple[str | None, int], tuple[int, list[str]]] = {}
    seen: Counter[str | None] = Counter()
    for first, part in segments("\n".join(lines)):
        if not has_content(part):
            continue
        source = next((m.group(1) for line in part if (m := _SOURCE.match(line))), None)
        found[(source, seen[source])] = (first - 1, part)
        seen[source] += 1
    return found
