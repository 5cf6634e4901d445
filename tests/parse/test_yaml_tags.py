"""YAML forms and tags read as Kubernetes reads them, pinned against kubectl (issue 18, attack 2).

Each form is read by kinspect's loader and by `kubectl annotate --local -o json` (offline):
both must give the value in the table, so a change in either is caught.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kinspect.errors import KinspectError
from kinspect.parse.loader import load_documents
from tests.conftest import FIXTURES, run_cli

# (the value as written, what Kubernetes reads); docs/robustness.md lists the same forms.
FORMS: list[tuple[str, Any]] = [
    ("yes", True),
    ("On", True),
    ("n", False),
    ("~", None),
    ("0755", 493),
    ("0o17", 15),
    ("0x1F", 31),
    ("0b101", 5),
    ("1_000", 1000),
    ("+12", 12),
    ("1e3", 1000.0),
    ("0x_", "0x_"),
    ("12:30", "12:30"),
    ("2001-12-14", "2001-12-14"),
    ('"true"', "true"),
    ("!!str 123", "123"),
    ("!!str yes", "yes"),
    ("! 123", "123"),
    ("!foo 123", "123"),
    ("!!python/object/apply:os.system 12", "12"),
    ("!<tag:yaml.org,2002:int> 7", 7),
    ('!!int "12"', 12),
    ("!!int 0x1F", 31),
    ("!!float 1", 1.0),
    ('!!bool "true"', True),
    ("!!bool yes", True),
    ('!!null ""', None),
    ("!!timestamp 2001-12-14", "2001-12-14"),
    ("!!merge x", "x"),
    ("!!binary UG9k", "Pod"),
    ('!!binary "U1lTX0FETUlO"', "SYS_ADMIN"),
    ("!<tag:yaml.org,2002:binary> UEFTU1dPUkQ=", "PASSWORD"),
    ("!!binary |\n    U1lT\n    X0FE", "SYS_AD"),
    ('!!binary ""', ""),
    ("!!binary /w==", "\ufffd"),  # not UTF-8: each invalid byte becomes U+FFFD, as in Go
    ("!!binary 4oI=", "\ufffd\ufffd"),
    ("!!set {a, b}", {"a": None, "b": None}),
    ("!!omap [a: 1, b: 2]", [{"a": 1}, {"b": 2}]),
    ("!!str [1]", [1]),
    ("!!binary {a: 1}", {"a": 1}),
    ("!foo {x: 1}", {"x": 1}),
    ("[!!binary U1lTX0FETUlO, !foo true]", ["SYS_ADMIN", "true"]),
    ("{!!binary a2luZA==: Pod}", {"kind": "Pod"}),
    ("{!!str <<: x}", {"<<": "x"}),
]

# Forms kubectl refuses (the whole file): kinspect reports them, with the line and column.
REFUSED: list[tuple[str, str]] = [
    ("!!int abc", "cannot decode !!str `abc` as a !!int"),
    ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
    ("!!int ~", "cannot decode !!null `~` as a !!int"),
    ("!!bool foo", "cannot decode !!str `foo` as a !!bool"),
    ("!!null foo", "cannot decode !!str `foo` as a !!null"),
    ("!!float abc", "cannot decode !!str `abc` as a !!float"),
    ("!!timestamp foo", "cannot decode !!str `foo` as a !!timestamp"),
    ("!!binary U1l", "!!binary value contains invalid base64 data"),
    ('!!binary "U1lT X0FE"', "!!binary value contains invalid base64 data"),
]


def document(value: str) -> str:
    return f"apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  v: {value}\n"


def kinspect_reads(value: str) -> Any:
    return next(load_documents(document(value))).data["spec"]["v"]


def kubectl() -> str:
    found = shutil.which("kubectl") or shutil.which("kubectl", path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip("kubectl is not installed (scripts/setup installs it in .venv)")
    return found


def kubectl_reads(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    command = [kubectl(), "annotate", "--local", "-f", str(path), "a=b", "-o", "json"]
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none"), "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def same(found: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return isinstance(found, (int, float)) and math.isclose(found, expected)
    return bool(found == expected and type(found) is type(expected))


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=[f for f, _ in FORMS])
def test_kinspect_reads_each_form_as_kubernetes(value: str, expected: Any) -> None:
    assert same(kinspect_reads(value), expected)


def test_kubectl_reads_each_form_as_the_table_says(tmp_path: Path) -> None:
    lines = [f"  f{n}: {value}" for n, (value, _) in enumerate(FORMS)]
    text = document("0").replace("  v: 0\n", "\n".join(lines) + "\n")
    proc = kubectl_reads(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    spec = json.loads(proc.stdout)["spec"]
    for n, (value, expected) in enumerate(FORMS):
        assert same(spec[f"f{n}"], expected), (
            value
        )  # JSON writes 1000.0 as 1000: compared as numbers


@pytest.mark.parametrize(("value", "message"), REFUSED, ids=[f for f, _ in REFUSED])
def test_forms_kubectl_refuses_are_errors(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(KinspectError) as caught:
        kinspect_reads(value)
    assert caught.value.message == message
    assert (caught.value.line, caught.value.column) == (6, 6)
    proc = kubectl_reads(tmp_path, document(value))
    assert proc.returncode != 0 and message in proc.stderr


POD = (FIXTURES / "hostNetworkSet" / "fail-pod.yaml").read_text(encoding="utf-8")
ATTACK = """\
apiVersion: v1
kind: !!binary UG9k
metadata:
  name: hidden
spec:
  hostNetwork: true
  hostPID: true
  containers:
    - name: app
      image: registry.example.com/app:1.0
      env:
        - name: !!binary UEFTU1dPUkQ=
          value: hunter2
      securityContext:
        privileged: true
        capabilities:
          add: [!!binary U1lTX0FETUlO]
"""


def failed(proc: subprocess.CompletedProcess[str]) -> dict[str, int]:
    report = json.loads(proc.stdout)
    return {r["check"]: r["line"] for r in report["results"] if not r["passed"]}


def test_binary_tags_hide_no_resource_and_no_value(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(ATTACK)
    proc = run_cli("lint", "--format", "json", "pod.yaml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    found = failed(proc)
    assert found["hostNetworkSet"] == 6 and found["hostPIDSet"] == 7
    assert found["runAsPrivileged"] == 15
    assert found["capabilitiesAdded"] == 17  # SYS_ADMIN, read through !!binary
    assert found["sensitiveContainerEnvVar"] == 13  # PASSWORD, read through !!binary
    assert json.loads(proc.stdout)["summary"]["score"] < 100


def test_a_tagged_kind_key_is_not_masked_as_another_kind(tmp_path: Path) -> None:
    """A large file is prefiltered by its text: a tagged key must not pass for a ConfigMap."""
    padding = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{n}\ndata:\n  k: v\n"
        for n in range(300)
    )
    disguised = POD.replace("kind: Pod", "kind: ConfigMap\n!!binary a2luZA==: Pod")
    (tmp_path / "all.yaml").write_text(padding + "---\n" + disguised)
    proc = run_cli("lint", "--format", "json", "all.yaml", cwd=tmp_path)
    assert "hostNetworkSet" in failed(proc) and "duplicateKey" in failed(proc)


def test_a_refused_tag_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(POD.replace("hostNetwork: true", "hostNetwork: !!bool no!"))
    proc = run_cli("lint", "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kinspect: bad.yaml:")
    assert "cannot decode !!str `no!` as a !!bool (hint: " in proc.stderr
    assert proc.stderr.count("\n") == 1
