"""Baselines: record today's failures once, then report only the new ones.

The file (JSON, documented by schemas/baseline.schema.json) lists one entry per accepted
failure, keyed by check, file, resource, container and field path, never by line:

    {"kinspect_baseline": 1, "entries": [{"check": "hostNetworkSet",
      "file": "deploy/agent.yaml", "kind": "DaemonSet", "namespace": "kube-system",
      "name": "agent", "container": null, "path": "spec.template.spec.hostNetwork"}]}
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from kinspect.bundled import schema_path
from kinspect.errors import UsageError
from kinspect.model import Result

VERSION = 1
_LIST_ITEM = re.compile(r"^(items\.\d+\.)+")
_REASON = {"en": "in the baseline {file}", "zh": "已记录在基线文件 {file} 中"}


@dataclass(frozen=True, slots=True)
class Entry:
    """What identifies one failure across edits of its file."""

    check: str
    file: str
    kind: str
    namespace: str | None
    name: str
    container: str | None
    path: str

    def sort_key(self) -> tuple[str, ...]:
        """Entries are written in this order (None sorts first)."""
        return (self.file, self.kind, self.namespace or "", self.name, self.check, self.path)

    def render(self) -> str:
        """`file: check Kind namespace/name [container] path`, for the list of stale entries."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        container = f" container {self.container}" if self.container else ""
        return f"{self.file}: {self.check} {self.kind} {where}{container} {self.path}"


def entry_of(result: Result, base: Path) -> Entry:
    """The baseline entry of a result; file paths are relative to `base`."""
    return Entry(
        result.check,
        _relative(result.file, str(base)),
        result.kind,
        result.namespace,
        result.name,
        result.container,
        key_path(result),
    )


def key_path(result: Result) -> str:
    """The result's field path inside its resource, with its container named, not numbered."""
    path = _LIST_ITEM.sub("", result.path)
    label, kind = result.container, result.container_type
    if label is None or kind is None or label.startswith(f"{kind}["):
        return path
    return re.sub(rf"(^|\.){kind}\.\d+(?=\.|$)", rf"\g<1>{kind}[{label}]", path, count=1)


@cache
def _relative(file: str, base: str) -> str:
    if file == "-":
        return file
    return os.path.relpath(os.path.abspath(file), base).replace(os.sep, "/")


def write_baseline(path: Path, results: Iterable[Result]) -> int:
    """Record every counted failure in `path`; the number of entries written."""
    base = path.resolve().parent
    entries = sorted(
        (entry_of(r, base) for r in results if not r.passed and r.suppressed is None),
        key=Entry.sort_key,
    )
    document = {"kinspect_baseline": VERSION, "entries": [asdict(e) for e in entries]}
    try:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def read_baseline(path: Path) -> list[Entry]:
    """The entries of a baseline file; a missing or malformed file is a UsageError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise UsageError(
            f"{path}: cannot read the baseline: {reason}"
            " (hint: create it with --write-baseline FILE)"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    _validate(data, text, path)
    return [Entry(**entry) for entry in data["entries"]]


def _validate(data: Any, text: str, path: Path) -> None:
    from kinspect.config.project import schema_problems
    from kinspect.parse.loader import load_documents

    if _validator().is_valid(data):
        return
    root = next(iter(load_documents(text))).root
    errors = schema_problems(data, root, _validator(), str(path))
    raise UsageError("\nkinspect: ".join(errors))


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("baseline.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def apply_baseline(
    results: list[Result], entries: list[Entry], path: Path, ran: Iterable[str], lang: str = "en"
) -> tuple[list[Result], list[Entry]]:
    """(results with baselined failures suppressed, stale entries).

    An entry is stale when nothing matched it although its check ran and its file was
    inspected (or no longer exists): it can be deleted from the baseline.
    """
    base = path.resolve().parent
    remaining = Counter(entries)
    reason = _REASON.get(lang, _REASON["en"]).format(file=path)
    out = []
    for result in results:
        if not result.passed and result.suppressed is None:
            entry = entry_of(result, base)
            if remaining[entry] > 0:
                remaining[entry] -= 1
                result = replace(result, suppressed=reason)
        out.append(result)
    inspected = {_relative(r.file, str(base)) for r in results}
    checks = set(ran)
    stale = [
        entry
        for entry, count in sorted(remaining.items(), key=lambda item: item[0].sort_key())
        for _ in range(count)
        if entry.check in checks and (entry.file in inspected or _gone(entry.file, base))
    ]
    return out, stale


def _gone(file: str, base: Path) -> bool:
    return file != "-" and not (base / file).exists()
