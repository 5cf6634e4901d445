"""A cache of validated rule data across runs, so that start-up skips YAML parsing and
JSON Schema validation of unchanged rule files (importing `jsonschema` alone costs more than
a whole small-file run should).

An entry is keyed by the rule file's name and bytes, kinspect's version, the rule format
schema and the code that validates rules; anything else changing means a miss. The cache is
one JSON file per kinspect version under `$KINSPECT_CACHE_DIR`, else `$XDG_CACHE_HOME/kinspect`,
else `~/.cache/kinspect`; `KINSPECT_NO_CACHE=1` turns it off. An unwritable cache is no error.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kinspect.bundled import schema_path
from kinspect.version import __version__

# Modules whose code decides whether a rule file is valid and what data it yields.
_VALIDATING_MODULES = (
    "ruleset/rules.py",
    "ruleset/safety.py",
    "ruleset/relation_spec.py",
    "ruleset/fixspec.py",
    "ruleset/template.py",
    "parse/loader.py",
)


def cache_dir() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("KINSPECT_NO_CACHE"):
        return None
    explicit = os.environ.get("KINSPECT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kinspect"


class RuleCache:
    """Validated rule data by content key; load once, save once at the end if changed."""

    def __init__(self) -> None:
        self._dir = cache_dir()
        self._entries: dict[str, Any] | None = None
        """Read at the first lookup: a run whose rules are all built already reads nothing."""
        self._used: set[str] = set()
        self._dirty = False
        self._stamp: str | None = None

    def _file(self) -> Path:
        assert self._dir is not None
        return self._dir / f"rules-{__version__}.json"

    def data(self, path: Path, text: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The validated data of one rule file, from the cache or from `build()`."""
        entries = self._read()
        key = self.keep(path, text)
        cached = entries.get(key)
        if isinstance(cached, dict):
            return cached
        data = build()
        entries[key] = data
        self._dirty = True
        return data

    def keep(self, path: Path, text: str) -> str:
        """Mark the entry of this rule file as used (a save keeps only those); its key."""
        if self._stamp is None:
            self._stamp = _code_stamp()
        key = _digest(f"{self._stamp}\0{path.name}\0{text}".encode())
        self._used.add(key)
        return key

    def _read(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = _read(self._file()) if self._dir is not None else {}
        return self._entries

    def save(self) -> None:
        """Write the cache back (atomically) if anything was added; failures are ignored.

        Entries this run did not use are dropped then, so edits do not pile up stale ones.
        """
        if self._dir is None or not self._dirty or self._entries is None:
            return
        self._entries = {key: self._entries[key] for key in self._used if key in self._entries}
        import tempfile  # only when the cache changed: most runs never write it

        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._dir, prefix=".rules-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self._entries, stream, ensure_ascii=False)
            os.replace(temporary, self._file())
        except OSError:
            return
        self._dirty = False


def _read(file: Path) -> dict[str, Any]:
    try:
        entries = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _code_stamp() -> str:
    """Version, rule format schema and the validating modules' size and modification time."""
    package = Path(__file__).resolve().parent.parent
    parts = [__version__]
    for name in _VALIDATING_MODULES:
        try:
            info = (package / name).stat()
        except OSError:
            continue
        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    try:
        parts.append(_digest(schema_path("rule.schema.json").read_bytes()))
    except OSError:
        parts.append("no-rule-schema")
    return "|".join(parts)


def _digest(data: bytes) -> str:
    """A 64-bit content key: CRC-32 and Adler-32 (zlib is loaded already by the command line).

    Not hashlib: loading its OpenSSL binding costs ~2.5 ms on every start. The key only has
    to notice edits, not resist forgery: whoever can write the rule files can write the cache.
    """
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
