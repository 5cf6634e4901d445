"""What `kinspect fix` prints on standard error once it is done."""

from __future__ import annotations

from kinspect.fix.files import FixOutcome
from kinspect.fix.texts import text


def report_lines(run: FixOutcome, lang: str, diff: bool, quiet: bool = False) -> list[str]:
    """What `kinspect fix` prints on standard error: each file's fixes, what is left, a total."""
    lines = []
    for file in run.files:
        if file.fixed:
            checks = ", ".join(
                check + (f" ({count})" if count > 1 else "")
                for check, count in sorted(file.fixed.items())
            )
            label = "would" if diff else "fixed"
            lines.append(text(lang, label, file=file.name, count=file.fixed.total(), checks=checks))
        if quiet:
            continue
        for left in file.left:
            shown = left.result if file.changed and not diff else left.original
            where = f"{shown.file}:{shown.line}:{shown.column}"
            lines.append(text(lang, "left", where=where, check=shown.check, reason=left.reason))
    count = sum(file.fixed.total() for file in run.files)
    files = sum(1 for file in run.files if file.fixed)
    left_count = sum(len(file.left) for file in run.files)
    if count or left_count:
        summary = "summaryDiff" if diff else "summary"
        lines.append(text(lang, summary, count=count, files=files, left=left_count))
    elif not run.problems:
        lines.append(text(lang, "nothing"))
    return lines
