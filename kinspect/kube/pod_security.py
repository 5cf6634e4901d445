"""Pod Security Admission policies: levels, versions and a namespace's labels.

Resolution follows the admission library: each of the six labels falls back to its default
separately, an invalid enforce level fails closed (`restricted`), an invalid warn or audit
level fails open (`privileged`), an invalid version means `latest`, and warn inherits a
stricter, valid enforce level when it has no label of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("privileged", "baseline", "restricted")
"""From the least to the most strict."""
MODES = ("enforce", "warn", "audit")
"""The order in which a workload's failures are decided: the first mode that fails reports."""
LABEL_PREFIX = "pod-security.kubernetes.io/"
_VERSION = re.compile(r"v1\.(0|[1-9][0-9]*)")
# After the prefix, a label that sets no level: a version (alone it changes nothing), or a
# level of `privileged` written on one line (a plain value is checked for continuation lines).
_VERSION_KEY = re.compile(r"(?:enforce|warn|audit)-version(?P<q>[\"']?)[ \t]*:")
_PRIVILEGED = re.compile(
    r"(?:enforce|warn|audit)(?P<q>[\"']?)[ \t]*:[ \t]*"
    r"(?:(?P<v>[\"'])privileged(?P=v)[ \t]*(?:[,}\]][^\n]*|#[^\n]*)?|privileged[ \t]*(?:#[^\n]*)?)"
    r"\r?(?:\n|$)"
)
# Escapes that could spell the prefix in a double-quoted scalar: \x2f, \u002F, \/ or a line
# break escaped away.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|/|\r?\n[ \t]*)")


@dataclass(frozen=True, slots=True)
class Policy:
    """A level at a version: `latest` or `v1.N` as requested (not capped)."""

    level: str
    version: str = "latest"

    @property
    def minor(self) -> int | None:
        """N of `v1.N`; None for `latest` (newer than every definition)."""
        return None if self.version == "latest" else int(self.version[3:])

    @property
    def text(self) -> str:
        """`level:version`, as the admission controller prints a policy."""
        return f"{self.level}:{self.version}"


PRIVILEGED = Policy("privileged")


def valid_version(text: object) -> bool:
    """`latest` or `v1.N` with no leading zero, exactly."""
    return text == "latest" or (isinstance(text, str) and _VERSION.fullmatch(text) is not None)


def parse_policy(text: str) -> Policy:
    """`LEVEL[:VERSION]` (the command line and the configuration); ValueError when invalid."""
    level, _, version = text.partition(":")
    version = version if ":" in text else "latest"
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (valid: {', '.join(LEVELS)})")
    if not valid_version(version):
        raise ValueError(f"invalid version {version!r} (valid: latest or v1.N, e.g. v1.30)")
    return Policy(level, version)


@dataclass(frozen=True, slots=True)
class ModePolicy:
    """The policy of one mode in one namespace and what decided it."""

    mode: str
    policy: Policy
    source: str
    """`pod-security.kubernetes.io/enforce=restricted`, `--pod-security`, `default`, ..."""
    errors: tuple[str, ...] = ()
    """Invalid label values, each with the value the admission controller used instead."""


def namespace_policies(
    labels: dict[str, str], default: Policy | None, default_source: str = "--pod-security"
) -> tuple[ModePolicy, ...]:
    """The enforce, warn and audit policies of a namespace with these labels.

    `default` is the enforce default for a label that is absent (warn and audit default to
    privileged:latest): what `--pod-security` sets for namespaces without labels.
    """
    enforce = _mode(labels, "enforce", default or PRIVILEGED, default_source, "restricted")
    warn = _mode(labels, "warn", PRIVILEGED, "default", "privileged")
    audit = _mode(labels, "audit", PRIVILEGED, "default", "privileged")
    enforce_label = labels.get(LABEL_PREFIX + "enforce")
    inherit = (
        LABEL_PREFIX + "warn" not in labels
        and enforce_label in LEVELS
        and _strictness(enforce.policy.level) > _strictness(warn.policy.level)
    )
    if inherit:
        version = (
            warn.policy.version
            if LABEL_PREFIX + "warn-version" in labels
            else enforce.policy.version
        )
        source = f"{LABEL_PREFIX}enforce={enforce_label} (inherited by warn)"
        warn = ModePolicy("warn", Policy(enforce.policy.level, version), source, warn.errors)
    return enforce, warn, audit


def _strictness(level: str) -> int:
    return LEVELS.index(level)


def _mode(
    labels: dict[str, str], mode: str, default: Policy, default_source: str, fallback: str
) -> ModePolicy:
    key, version_key = LABEL_PREFIX + mode, f"{LABEL_PREFIX}{mode}-version"
    level, version, errors, sources = default.level, default.version, [], []
    if key in labels:
        value = labels[key]
        level = value if value in LEVELS else fallback
        if value not in LEVELS:
            errors.append(f"{key}={value!r} is not a level: {fallback} is used")
        sources.append(f"{key}={value}" if value in LEVELS else errors[-1])
    if version_key in labels:
        value = labels[version_key]
        version = value if valid_version(value) else "latest"
        if not valid_version(value):
            errors.append(f"{version_key}={value!r} is not a version: latest is used")
        sources.append(f"{version_key}={value}" if valid_version(value) else errors[-1])
    source = ", ".join(sources) if sources else default_source
    return ModePolicy(mode, Policy(level, version), source, tuple(errors))


def psa_labels(labels: object) -> dict[str, str]:
    """The Pod Security Admission labels of a label mapping (values as strings)."""
    if not isinstance(labels, dict):
        return {}
    return {
        str(k): "" if v is None else str(v)
        for k, v in labels.items()
        if isinstance(k, str) and k.startswith(LABEL_PREFIX)
    }


def may_set_level(text: str) -> bool:
    """Whether `text` may give a namespace a Pod Security level other than privileged: a
    `pod-security.kubernetes.io/` label that is not a version, nor a level of privileged.

    Textual and conservative: anything unusual (an alias, a tag, a flow mapping, a plain value
    continued on the next line, an escape that could spell the prefix) counts as a level.
    """
    if "\\" in text and _ESCAPE.search(text) and _sets_level(_ESCAPE.sub(_unescape, text)):
        return True
    return _sets_level(text)


def _sets_level(text: str) -> bool:
    start = text.find(LABEL_PREFIX)
    while start >= 0:
        after = start + len(LABEL_PREFIX)
        if not _sets_no_level(text, start, after):
            return True
        start = text.find(LABEL_PREFIX, after)
    return False


def _sets_no_level(text: str, start: int, after: int) -> bool:
    """Whether the label key at `start` is a version, or a level of privileged."""
    opening = text[start - 1] if start and text[start - 1] in "\"'" else ""
    version = _VERSION_KEY.match(text, after)
    if version is not None:
        return version["q"] == opening
    level = _PRIVILEGED.match(text, after)
    if level is None or level["q"] != opening:
        return False
    if level["v"] is not None:  # a quoted value ends at its quote
        return True
    return not _continued(text, level.end(), start - len(opening))


def _continued(text: str, end: int, key: int) -> bool:
    """Whether a plain value may go on after `end`: the next line that is not blank is
    indented more than its key (at offset `key`), or holds a line break other than \\n."""
    column = key - (text.rfind("\n", 0, key) + 1)
    while end < len(text):
        stop = text.find("\n", end)
        stop = len(text) if stop < 0 else stop
        line = text[end:stop]
        if any(mark in line for mark in "\x85\u2028\u2029"):
            return True
        if line.strip():
            return len(line) - len(line.lstrip(" \t")) > column
        end = stop + 1
    return False


def _unescape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape[1] in "xuU":
        return chr(min(int(escape[2:], 16), 0x10FFFF))
    return "/" if escape[1] == "/" else ""
