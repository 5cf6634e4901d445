"""Finding a field's line in a Helm template, which is not YAML until rendered."""

from __future__ import annotations

from kinspect.inputs.keylines import find, has_content, segments

TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.name" . }}
spec:
  template:
    spec:
      {{- if .Values.hostNetwork }}
      hostNetwork: true
      {{- end }}
      initContainers:
        - name: init
          securityContext:
            privileged: true
      containers:
        - name: app
          image: "{{ .Values.image }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
        - name: sidecar
          securityContext:
            privileged: false
"""
LINES = TEMPLATE.splitlines()


def line(text: str, after: int = 0) -> int:
    return next(n for n, item in enumerate(LINES, start=1) if n > after and text in item)


def test_a_key_found_by_its_path() -> None:
    assert find(LINES, ("spec", "template", "spec", "hostNetwork")) == (line("hostNetwork:"), 7)
    assert find(LINES, ("spec",)) == (line("spec:"), 1)  # the top-level spec, not the pod's


def test_same_key_in_several_places_is_told_apart_by_its_parents() -> None:
    init = ("spec", "template", "spec", "initContainers", 0, "securityContext", "privileged")
    assert find(LINES, init) == (line("privileged: true"), 13)
    sidecar = ("spec", "template", "spec", "containers", 1, "securityContext", "privileged")
    assert find(LINES, sidecar) == (line("privileged: false"), 13)
    # Both containers have a securityContext under `containers`: only the index could tell.
    assert find(LINES, ("spec", "template", "spec", "containers", 0, "securityContext")) is None


def test_list_items_and_missing_keys() -> None:
    assert find(LINES, ("spec", "template", "spec", "containers", 1)) == (
        line("- name: sidecar"),
        9,
    )
    assert find(LINES, ("spec", "template", "spec", "containers", 2)) is None
    assert find(LINES, ("spec", "template", "spec", "hostPID")) is None
    ranged = [
        "spec:",
        "  ports:",
        "  {{- range .Values.ports }}",
        "    - port: {{ . }}",
        "  {{- end }}",
    ]
    assert find(ranged, ("spec", "ports", 3)) == (4, 5)  # every item comes from the one in range


def test_documents_and_their_content() -> None:
    parts = segments("a: 1\n---\n{{- if .x }}\n---\nb: 2\n")
    assert [first for first, _ in parts] == [1, 2, 4]
    assert [has_content(lines, template=True) for _, lines in parts] == [True, False, True]
    assert has_content(["{{- if .x }}"]) is True  # outside templates an action is text
