"""Cross-resource checks in the editor: the buffer's resources meet the other manifests of
its directory (open buffers as edited, the other files as saved), as `kinspect lint DIR`
would show them together."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from kinspect.check.facts import Fact
from kinspect.engine.run import inspect_text
from kinspect.engine.settings import Settings
from kinspect.errors import KinspectError
from kinspect.inputs.kustomization_files import patch_user, patches_of
from kinspect.inputs.sources import decode
from kinspect.inputs.streams import is_template_file
from kinspect.ruleset.model import Rule

Related = tuple[Rule, ...]
SUFFIXES = (".yaml", ".yml", ".json")
MOST_FILES = 200
"""Neighbours read per directory: a directory of thousands is `kinspect lint`'s."""


class Neighbours:
    """The cross-resource facts of each neighbouring file, kept while its text is the same."""

    def __init__(self) -> None:
        self._facts: dict[str, tuple[int, Settings, list[Fact]]] = {}

    def forget(self) -> None:
        self._facts.clear()

    def facts(self, name: str, settings: Settings, buffers: dict[str, str]) -> list[Fact]:
        """The facts of the manifests beside file `name` (`buffers`: open texts by path)."""
        related = tuple(rule for rule in settings.rules if rule.relations)
        path = Path(name)
        if not related or not path.is_absolute() or not path.parent.is_dir():
            return []
        found: list[Fact] = []
        patches = cache(patches_of)
        for neighbour in _neighbours(path):
            if patch_user(neighbour, patches) is not None:
                continue  # a kustomize patch: a partial object, no fact of its own
            text = buffers.get(str(neighbour))
            if text is None:
                text = _read(neighbour, settings)
            if text is not None and not is_template_file(str(neighbour), text):
                found.extend(self._of(str(neighbour), text, settings, related))
        return found

    def _of(self, name: str, text: str, settings: Settings, related: Related) -> list[Fact]:
        key = hash(text)
        known = self._facts.get(name)
        if known is not None and known[0] == key and known[1] is settings:
            return known[2]
        only_related = replace(settings, rules=related)
        facts = list(inspect_text(name, text, only_related).facts)
        self._facts[name] = (key, settings, facts)
        return facts


def _neighbours(path: Path) -> list[Path]:
    try:
        files = sorted(p for p in path.parent.iterdir() if p.suffix.lower() in SUFFIXES)
    except OSError:
        return []
    return [p for p in files if p != path and p.is_file()][:MOST_FILES]


def _read(path: Path, settings: Settings) -> str | None:
    try:
        if path.stat().st_size > settings.limits.max_file_size:
            return None
        return decode(path.read_bytes())
    except (OSError, KinspectError, UnicodeError):
        return None
