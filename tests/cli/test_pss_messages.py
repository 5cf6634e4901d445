"""Pod Security messages name the container and the offending value, never a whole mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

PSS_FIXTURES = sorted(str(p) for p in FIXTURES.iterdir() if p.name.startswith("pss"))

CAPS = """\
apiVersion: v1
kind: Pod
metadata: {name: caps}
spec:
  containers:
    - name: adds
      image: registry.example.com/app:1.0.0
      securityContext: {capabilities: {drop: [ALL], add: [SYS_ADMIN, NET_RAW]}}
    - name: keeps
      image: registry.example.com/app:1.0.0
      securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}
"""


def failures(*args: str, cwd: Path | None = None) -> list[dict[str, str]]:
    proc = run_cli("lint", "--format", "json", "--fail-on", "never", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["results"]
    return [r for r in results if not r["passed"] and r["check"].startswith("pss")]


@pytest.mark.parametrize("policy", ["baseline:v1.10", "restricted:v1.20", "restricted:latest"])
def test_no_message_quotes_a_whole_container(policy: str) -> None:
    found = failures("--pod-security", policy, *PSS_FIXTURES)
    assert found
    for result in found:
        assert '"image":' not in result["message"], result["message"]


def test_capabilities_restricted_says_what_is_added_or_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "caps.yaml").write_text(CAPS, encoding="utf-8")
    found = failures("--pod-security", "restricted", "caps.yaml", cwd=tmp_path)
    caps = {r["container"]: r for r in found if r["check"] == "pssCapabilitiesRestricted"}
    assert caps["adds"]["message"].startswith("container adds adds SYS_ADMIN, NET_RAW;")
    assert (caps["adds"]["line"], caps["adds"]["column"]) == (8, 59)  # SYS_ADMIN
    assert caps["keeps"]["message"].startswith("container keeps does not drop ALL capabilities;")
