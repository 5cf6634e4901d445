"""Nothing silently skipped (issue 18, attack 7): stray templates, concatenated JSON objects."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kinspect.parse.loader import load_documents
from tests.conftest import run_cli
from tests.parse.test_yaml_tags import kubectl

HIDDEN = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent
  annotations:
    note: "rendered by {{ .Release.Name }}"
spec:
  hostNetwork: true
  hostPID: true
  containers:
    - name: agent
      image: registry.example.com/agent:1.0
      securityContext:
        privileged: true
"""


def failed(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {r["check"] for r in json.loads(proc.stdout)["results"] if not r["passed"]}


def test_a_template_outside_any_chart_that_parses_is_inspected(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "agent.yaml").write_text(HIDDEN)
    proc = run_cli("lint", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert {"hostNetworkSet", "hostPIDSet", "runAsPrivileged"} <= failed(proc)
    assert "templates/agent.yaml: looks like a Helm template" in proc.stderr
    named = run_cli("lint", "--format", "json", "templates/agent.yaml", cwd=tmp_path)
    assert named.returncode == 1 and "hostNetworkSet" in failed(named)


def test_a_template_of_a_chart_is_left_to_the_chart(tmp_path: Path) -> None:
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "chart" / "templates" / "agent.yaml").write_text(HIDDEN)
    proc = run_cli("lint", "--format", "json", "chart/templates/agent.yaml", cwd=tmp_path)
    assert proc.returncode == 0 and "not inspected on its own" in proc.stderr


def test_a_template_that_is_not_yaml_keeps_its_note(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.yaml").write_text("{{- if .Values.on }}\nkind: Pod\n{{- end }}\n")
    proc = run_cli("lint", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0 and "not inspected on its own" in proc.stderr


POD = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{%s"containers":[]}}'


@pytest.mark.parametrize("name", ["stream.json", "stream.yaml"])
@pytest.mark.parametrize("between", ["\n", "", "\n\n  ", " "])
def test_concatenated_json_objects_are_read_as_kubectl_reads_them(
    tmp_path: Path, name: str, between: str
) -> None:
    text = POD % ("a", "") + between + POD % ("b", '"hostNetwork":true,') + "\n"
    (tmp_path / name).write_text(text)
    read = [d.data["metadata"]["name"] for d in load_documents(text)]
    assert read == ["a", "b"]
    proc = run_cli("lint", "--format", "json", name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["resources"] == 2 and not report["errors"]
    [hit] = [r for r in report["results"] if r["check"] == "hostNetworkSet" and not r["passed"]]
    lines = text.splitlines()
    assert lines[hit["line"] - 1][hit["column"] - 1 :].startswith('"hostNetwork"')
    listed = subprocess.run(
        [kubectl(), "annotate", "--local", "-f", str(tmp_path / name), "x=y", "-o", "name"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.stdout.split() == ["pod/a", "pod/b"]


def test_a_broken_json_stream_is_one_error_where_it_breaks(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(POD % ("a", "") + "\n" + '{"kind": "Pod",\n  "x": }\n')
    proc = run_cli("lint", "s.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kinspect: s.json:3:")
