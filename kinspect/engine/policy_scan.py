"""Whether any Pod Security policy can apply to a run: else its versioned rules are skipped.

A policy applies through `--pod-security` (or the configuration) or a Namespace's labels, and
a labelled Namespace may lie in any input, read by any worker. So before the run, each plain
file is read once more (the workers then find it in the page cache) and its text searched for
a label that could set a level (kinspect.kube.pod_security.may_set_level). Inputs known only
during the run (charts, kustomizations, stdin, clusters) may hold any label: with one of them,
the rules run.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable
from dataclasses import replace

from kinspect.engine.prefilter import enabled as fast_path_enabled
from kinspect.engine.settings import Settings
from kinspect.errors import KinspectError
from kinspect.inputs.kinds import FILE, Source
from kinspect.inputs.sources import decode
from kinspect.kube.pod_security import LABEL_PREFIX, may_set_level
from kinspect.parse.limits import Limits

_PREFIX = LABEL_PREFIX.encode()
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # and UTF-32 LE


def without_idle_rules(sources: list[Source], settings: Settings) -> Settings:
    """The settings, told to skip the versioned rules when no Pod Security policy can apply:
    no `--pod-security` level and no input that may label a namespace with one (a fast path:
    `KINSPECT_REFERENCE=1` always evaluates them, and a test compares the two reports)."""
    default = settings.pod_security
    if not settings.pod_security_possible or (default and default.level != "privileged"):
        return settings
    if not fast_path_enabled() or not any(rule.versions for rule in settings.rules):
        return settings
    if policy_possible(sources, settings.limits):
        return settings
    return replace(settings, pod_security_possible=False)


def policy_possible(sources: Iterable[Source], limits: Limits) -> bool:
    """Whether any input may give a namespace a Pod Security level (no `--pod-security`)."""
    return any(_may_set_level(source, limits) for source in sources)


def _may_set_level(source: Source, limits: Limits) -> bool:
    if source.kind != FILE or source.path is None:
        return True
    data = _read(str(source.path), limits.max_file_size)
    if data is None:  # not a regular file (a FIFO is read only once), or grew meanwhile
        return True
    if not data.startswith(_WIDE_BOMS) and _PREFIX not in data and b"\\" not in data:
        return False
    try:
        return may_set_level(decode(data))
    except KinspectError:  # not text: the run reports it
        return False


def _read(path: str, limit: int) -> bytes | None:
    """The bytes of a regular file (b"" when the run cannot read it either: too large,
    unreadable); None for anything else, or a file that grew while it was read."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:
            return b""
        descriptor = os.open(path, os.O_RDONLY)
        try:
            data = os.read(descriptor, info.st_size + 1)
        finally:
            os.close(descriptor)
    except OSError:
        return b""
    return None if len(data) > info.st_size else data
