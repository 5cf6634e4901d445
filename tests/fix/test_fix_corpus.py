"""kinspect fix on real manifests from ../shared/corpus, copied to a temporary directory.

Run as a user would (the CLI on a directory), then: a second run changes nothing; `lint`
after the fix fails exactly the findings the fix reported as left; every original line is
kept unless it holds a field a fix changes; comments survive unless their line was removed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, run_cli

from .test_fix import CORE

SAMPLE = 120
MAX_BYTES = 200_000
FIXED_CHECKS = ",".join(check for check in CORE if check != "tagNotSpecified")
# Fields a fix may change; a line holding none of these must stay as it is.
TOUCHED = re.compile(
    r"hostNetwork|hostIPC|hostPID|hostPort|privileged|runAsNonRoot|runAsUser|securityContext|"
    r"allowPrivilegeEscalation|readOnlyRootFilesystem|capabilities|\badd\b|resources|requests|"
    r"limits|\bcpu\b|\bmemory\b|livenessProbe|readinessProbe|tcpSocket|\bport\b|TODO\(kinspect\)|"
    r"(?i:SYS_ADMIN|NET_ADMIN|\bALL\b)"
)
# Lines a fix removes whole (their trailing comment goes with them).
REMOVED = re.compile(
    r"^\s*(- )?(hostNetwork|hostIPC|hostPID|hostPort|runAsUser)\s*:"
    r"|^\s*- ['\"]?(?i:(CAP_)?(SYS_ADMIN|NET_ADMIN|ALL))\b"
)
_TRAILING = re.compile(r"\s(#.*)$")

if not CORPUS.is_dir():  # pragma: no cover - the corpus is part of the workspace
    pytest.skip("the shared corpus is not available", allow_module_level=True)


def _sample() -> list[Path]:
    """Workload manifests, a stable pseudo-random sample plus every CRLF one."""
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        data = path.read_bytes()
        if len(data) <= MAX_BYTES and b"containers:" in data and b"{{" not in data:
            found.append((path, b"\r\n" in data))
    # Keyed by the path within the corpus: the same sample wherever the checkout lies.
    chosen = sorted(found, key=lambda item: _key(item[0]))
    return sorted({p for p, _ in chosen[:SAMPLE]} | {p for p, crlf in found if crlf})


def _key(path: Path) -> str:
    return hashlib.sha1(path.relative_to(CORPUS).as_posix().encode()).hexdigest()


def _failing(directory: Path) -> Counter[str]:
    proc = run_cli(
        "lint", "--format", "json", "--fail-on", "never", "--checks", FIXED_CHECKS, str(directory)
    )
    assert proc.returncode in (0, 2), proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return Counter(
        f"{Path(r['file']).name}:{r['check']}"
        for r in report["results"]
        if not r["passed"] and not r.get("suppressed")
    )


def _comments(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            found[line.strip()] += 1
        elif "'" not in line and '"' not in line and (match := _TRAILING.search(line)):
            found[match.group(1).strip()] += 1
    return found


def _check_layout(name: str, old: str, new: str) -> None:
    before, after = old.splitlines(), new.splitlines()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for line in before[i1:i2]:
            # `- hostPort: 80` + `  containerPort: 80` become `- containerPort: 80`
            moved = any(line.strip() in joined for joined in after[j1:j2])
            assert TOUCHED.search(line) or moved, f"{name}: changed a line: {line!r}"
        for line in after[j1:j2]:
            moved = any(kept.strip() and kept.strip() in line for kept in before[i1:i2])
            assert TOUCHED.search(line) or moved, f"{name}: wrote an unexpected line: {line!r}"
    lost = _comments(old) - _comments(new)
    removed = _comments("\n".join(line for line in before if REMOVED.search(line)))
    assert not lost - removed, f"{name}: comments lost: {sorted(lost - removed)}"
    if "\r\n" in old:
        assert new.count("\n") == new.count("\r\n"), f"{name}: mixed line endings"
    assert old.endswith("\n") == new.endswith("\n"), f"{name}: final newline changed"


def test_fix_real_files(tmp_path: Path) -> None:
    originals: dict[str, str] = {}
    for path in _sample():
        name = str(path.relative_to(CORPUS)).replace("/", "__")
        shutil.copyfile(path, tmp_path / name)
        originals[name] = path.read_bytes().decode("utf-8-sig")
    before = _failing(tmp_path)

    proc = run_cli("fix", "--checks", ",".join(CORE), str(tmp_path))
    assert proc.returncode in (0, 2), proc.stderr
    assert "intended change" not in proc.stderr and "internal error" not in proc.stderr
    assert "still fails after the fix" not in proc.stderr
    reported: Counter[str] = Counter()
    for match in re.finditer(r"^kinspect: \S+/([^/:\s]+): fixed (\d+) finding", proc.stderr, re.M):
        reported[match.group(1)] += int(match.group(2))
    left = Counter(
        f"{Path(m.group(1)).name}:{m.group(2)}"
        for m in re.finditer(r"^kinspect: (\S+?):\d+:\d+: (\w+) not fixed: ", proc.stderr, re.M)
    )

    changed = 0
    for name, old in originals.items():
        new = (tmp_path / name).read_bytes().decode("utf-8-sig")
        if new != old:
            changed += 1
            _check_layout(name, old, new)
    assert changed >= SAMPLE // 3, "too few files were fixed to mean anything"

    refused = {
        Path(m.group(1)).name
        for m in re.finditer(r"^kinspect: note: (\S+?): .* not fixed", proc.stderr, re.M)
    }
    assert refused, "the sample holds Helm-rendered files: they must be refused"
    after = _failing(tmp_path)
    after = Counter({k: v for k, v in after.items() if k.split(":")[0] not in refused})
    assert after == Counter({k: v for k, v in left.items() if not k.endswith("tagNotSpecified")})
    before = Counter({k: v for k, v in before.items() if k.split(":")[0] not in refused})
    assert sum(reported.values()) == (before - after).total() > 0

    again = run_cli("fix", "--diff", "--checks", ",".join(CORE), str(tmp_path))
    assert again.returncode == proc.returncode, again.stdout[:2000]  # 2: unparsable files
    assert again.stdout == ""
