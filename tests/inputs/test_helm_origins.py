"""Helm: findings placed on the template line that printed them, through named templates."""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

from kinspect.inputs.helm import render_with_sdk
from kinspect.inputs.helm_marks import Marker, actions, instrument
from kinspect.inputs.helm_origins import Origins, align, marked_origins
from kinspect.inputs.streams import HelmOptions
from tests.conftest import FIXTURES, lint_json, run_cli

CHART = FIXTURES / "helm" / "named"
NAME = "tests/fixtures/helm/named"


def line_of(relative: str, text: str) -> int:
    lines = (CHART / relative).read_text(encoding="utf-8").splitlines()
    (number,) = [n for n, line in enumerate(lines, start=1) if text in line]
    return number


def placed(report: dict[str, Any], check: str, name: str) -> set[tuple[str, int, int]]:
    return {
        (r["file"].removeprefix(f"{NAME}/"), r["line"], r["column"])
        for r in report["results"]
        if r["check"] == check
        and not r["passed"]
        and name in (r["container"], r["resource"]["name"])
    }


def test_pod_spec_containers_and_security_contexts_in_named_templates() -> None:
    report = lint_json(NAME)
    assert report["errors"] == []
    pod = "templates/_pod.tpl"
    assert placed(report, "hostNetworkSet", "release-name-named") == {
        (pod, line_of(pod, "hostNetwork: true"), 1)
    }
    # A container built by a nested include: at its first field, not at the list dash.
    container = line_of(pod, "- name: {{ .name }}")
    assert placed(report, "livenessProbeMissing", "app") == {(pod, container, 3)}
    # privileged comes from values through toYaml | nindent: the line of that action.
    printed = line_of(pod, "toYaml .root.Values.securityContext")
    assert placed(report, "runAsPrivileged", "app") == {(pod, printed, 5)}
    # The sidecar's security context is a library chart's named template, through indent.
    library = "charts/lib/templates/_hardening.tpl"
    assert placed(report, "privilegeEscalationAllowed", "sidecar") == {
        (library, line_of(library, "allowPrivilegeEscalation"), 1)
    }
    sub = "charts/sub/templates/_helpers.tpl"
    assert placed(report, "hostPIDSet", "release-name-agent") == {(sub, 2, 1)}


def test_whole_resources_printed_by_a_named_template_in_a_range() -> None:
    report = lint_json(NAME)
    workload = "templates/_workload.tpl"
    expected = (workload, line_of(workload, "hostIPC: true"), 7)
    assert (
        placed(report, "hostIPCSet", "cart") == placed(report, "hostIPCSet", "quote") == {expected}
    )
    container = line_of("templates/_pod.tpl", "- name: {{ .name }}")
    assert placed(report, "livenessProbeMissing", "quote") == {("templates/_pod.tpl", container, 3)}
    failed = [r for r in report["results"] if not r["passed"]]
    assert not any(r["approximate"] for r in failed)
    # Nothing lands on the first lines of a calling template (the bug this replaces).
    assert not [r for r in failed if r["file"].endswith("component.yaml")]


def test_flow_style_fields_in_a_template() -> None:
    report = lint_json(NAME)
    flow = "templates/flow.yaml"
    line = (CHART / flow).read_text().splitlines()[5]
    assert placed(report, "runAsPrivileged", "flow") == {(flow, 6, line.index("privileged") + 1)}
    assert placed(report, "livenessProbeMissing", "flow") == {(flow, 6, line.index("{name") + 1)}


def _package(chart: Path, name: str) -> None:
    with tarfile.open(chart / "charts" / f"{name}-0.1.0.tgz", "w:gz") as tar:
        tar.add(chart / "charts" / name, arcname=name)
    shutil.rmtree(chart / "charts" / name)


def test_packaged_charts_point_at_the_call_or_say_the_line_is_approximate(tmp_path: Path) -> None:
    chart = tmp_path / "named"
    shutil.copytree(CHART, chart)
    _package(chart, "lib")
    _package(chart, "sub")
    report = lint_json("named", cwd=tmp_path)
    assert report["errors"] == []
    # The library's template cannot be shown: the include that printed it can.
    call = line_of("templates/_pod.tpl", 'include "lib.hardening"')
    sidecar = [r for r in report["results"] if r["container"] == "sidecar" and not r["passed"]]
    escalation = [r for r in sidecar if r["check"] == "privilegeEscalationAllowed"]
    assert [(r["file"], r["line"], r["approximate"]) for r in escalation] == [
        ("named/templates/_pod.tpl", call, False)
    ]
    # A packaged subchart's own template: the resource's line, flagged approximate.
    agent = [r for r in report["results"] if r["resource"]["name"] == "release-name-agent"]
    assert agent and {(r["file"], r["line"], r["approximate"]) for r in agent} == {
        ("named/charts/sub/templates/daemonset.yaml", 1, True)
    }
    sarif = json.loads(run_cli("lint", "--format", "sarif", "named", cwd=tmp_path).stdout)
    locations = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "startColumn" in r["locations"][0]["physicalLocation"]["region"],
            r["properties"].get("approximate", False),
        )
        for r in sarif["runs"][0]["results"]
    }
    assert ("named/charts/sub/templates/daemonset.yaml", True, True) in locations
    assert {approximate for uri, _, approximate in locations if "charts/sub" not in uri} == {False}
    text = run_cli("lint", "named", cwd=tmp_path).stdout
    assert "approximate line" in text


def _marked_render(chart: Path) -> tuple[str, str, Origins | None]:
    """The render of `chart`, the render of its marked copy, and the origins found."""
    plain = render_with_sdk(chart, HelmOptions())
    captured: list[str] = []

    def render(copy: Path) -> str:
        captured.append(render_with_sdk(copy, HelmOptions()))
        return captured[-1]

    origins = marked_origins(chart, plain, render)
    return plain, captured[0], origins


def test_the_marked_render_is_the_render_once_its_marks_are_out() -> None:
    pattern = re.compile(r"(?: #K[0-9a-f]+A|K[0-9a-f]+L)\d+\.\d+\.\d+Q")
    for chart in (CHART, FIXTURES / "helm" / "webapp"):
        plain, marked, origins = _marked_render(chart)
        assert origins is not None and origins.files
        documents = pattern.sub("", marked).split("---\n")
        # The same documents, and a test hook (its marked annotation is not seen as one).
        assert [d for d in documents if "test-connection" not in d] == plain.split("---\n")
        content = [n for n, line in enumerate(plain.splitlines(), 1) if line.strip()[:1].isalpha()]
        assert set(content) <= set(origins.lines)


def test_actions_are_told_apart_from_text() -> None:
    text = 'a: {{ "}}" }}\nb: {{/* {{ "x */}}\nc: {{ `\n}}` }}\nd: {{ \'}\' }}'
    spans = actions(text)
    assert spans is not None
    assert [text[s:e] for s, e in spans] == [
        '{{ "}}" }}',
        '{{/* {{ "x */}}',
        "{{ `\n}}` }}",
        "{{ '}' }}",
    ]
    assert actions("a: {{ .x ") is None
    assert instrument("a: {{ .x ", 0, False, Marker("n")) == "a: {{ .x "


def test_marks_keep_trimming_and_skip_value_templates() -> None:
    marker = Marker("n")
    text = (
        '{{- define "v" -}}\n{{ .Release.Name | trunc 5 }}\n{{- end }}\n'
        '{{- define "y" -}}\nkey: 1\n# note\n{{- end }}\n'
    )
    marked = instrument(text, 0, True, marker)
    assert "KnL0.2" not in marked  # a template printing a value is left alone
    assert "KnL0.5.0Qkey: 1" in marked and "# note" in marked.splitlines()[5]
    template = "spec:\n  {{- if .x }}\n  - name: a{{ .y -}}  tail\n  {{- toYaml .z | nindent 2 }}\n"
    marked = instrument(template, 3, False, marker)
    assert marked.splitlines() == [
        "KnL3.1.0Qspec:",
        "  {{- if .x }}",
        "  - KnL3.3.4Qname: a{{ .y -}}  KnL3.3.22Qtail",
        '  {{- " #KnA3.4.2Q" }}{{ toYaml .z | nindent 2 }}',
    ]
    # `{{-3}}` prints -3: no trim marker without a space after the dash.
    assert instrument("{{-3}}\n", 0, False, marker) == '{{ " #KnA0.1.0Q" }}{{-3}}\n'


def test_lines_that_differ_from_the_render_get_no_place() -> None:
    pattern = Marker("n").pattern()
    plain = "# Source: c/templates/a.yaml\nkind: A\nname: real\nx: 1\n"
    marked = "# Source: c/templates/a.yaml\nKnL0.1.0Qkind: A\nKnL0.2.0Qname: other\nKnL0.3.0Qx: 1\n"
    origins = align(plain, marked, pattern, ["templates/a.yaml"])
    assert set(origins.lines) == {2, 4}
    assert origins.lines[4][-1] == (0, 0, 3, 0, False)


def test_a_chart_that_refuses_its_marked_copy_is_still_inspected(tmp_path: Path) -> None:
    """A template that checks what a named template prints fails on the marked copy only."""
    chart = tmp_path / "picky"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: picky\nversion: 0.1.0\n")
    (chart / "templates" / "_pod.tpl").write_text(
        '{{- define "picky.pod" -}}\nhostNetwork: true\n{{- end }}\n'
    )
    (chart / "templates" / "pod.yaml").write_text(
        '{{- if ne (include "picky.pod" .) "hostNetwork: true" }}{{ fail "changed" }}{{ end }}\n'
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: picky\nspec:\n"
        '  {{- include "picky.pod" . | nindent 2 }}\n'
        "  containers:\n    - name: app\n      image: nginx:1.25\n"
    )
    report = lint_json("picky", cwd=tmp_path)
    assert report["errors"] == []
    failed = {r["check"]: r for r in report["results"] if not r["passed"]}
    host = failed["hostNetworkSet"]  # printed by the include: no line of pod.yaml holds it
    assert (host["file"], host["line"], host["approximate"]) == (
        "picky/templates/pod.yaml",
        2,
        True,
    )
    probe = failed["livenessProbeMissing"]  # spelled out in pod.yaml: found there
    assert (probe["line"], probe["column"], probe["approximate"]) == (9, 7, False)


def test_marking_never_writes_outside_the_copy(tmp_path: Path) -> None:
    """Templates reached through links are rendered as Helm renders them, never marked."""
    outside = tmp_path / "outside"
    outside.mkdir()
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    (outside / "cm.yaml").write_text(text)
    chart = tmp_path / "linked"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: linked\nversion: 0.1.0\n")
    (chart / "templates" / "dir").symlink_to(outside)
    (chart / "templates" / "file.yaml").symlink_to(outside / "cm.yaml")
    whole = tmp_path / "whole"
    whole.mkdir()
    (whole / "Chart.yaml").write_text("apiVersion: v2\nname: whole\nversion: 0.1.0\n")
    (whole / "templates").symlink_to(outside)
    for name in ("linked", "whole"):
        proc = run_cli("lint", name, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert (outside / "cm.yaml").read_text() == text
    assert [p.name for p in outside.iterdir()] == ["cm.yaml"]
