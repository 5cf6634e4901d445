"""Structural validation: unknown fields, wrong types and missing fields, with exact positions,
did-you-mean suggestions, and notes in the checks that read a misspelt field."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from kinspect.bundled import rules_dir
from kinspect.engine.run import Settings, inspect_text
from kinspect.model import Result
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rule
from kinspect.structure.diagnosis import edit_distance, suggest

STRUCTURAL = ("unknownField", "invalidFieldType", "missingRequiredField")


def rule(rule_id: str) -> Rule:
    return load_rule(rules_dir() / f"{rule_id}.yaml")


def lint(text: str, *rule_ids: str, lang: str = "en") -> list[Result]:
    rules = tuple(rule(r) for r in rule_ids or STRUCTURAL)
    outcome = inspect_text("test.yaml", dedent(text), Settings(rules, lang))
    assert not outcome.problems, [p.render() for p in outcome.problems]
    return sorted(outcome.results)


def failures(text: str, *rule_ids: str, lang: str = "en") -> list[Result]:
    return [r for r in lint(text, *rule_ids, lang=lang) if not r.passed]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  {field}
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
"""


CONTAINER = POD.format(field="hostname: p") + "      {field}\n"


def test_unknown_security_field_is_danger_with_suggestion_at_the_key() -> None:
    (found,) = failures(POD.format(field="hostnetwork: true"))
    assert (found.check, found.severity, found.line, found.column) == (
        "unknownField",
        "danger",
        6,
        3,
    )
    assert found.message == "unknown field `hostnetwork` in PodSpec; did you mean `hostNetwork`?"
    assert found.path == "spec.hostnetwork"


def test_unknown_ordinary_field_is_a_warning() -> None:
    (found,) = failures(POD.format(field="restartPolicyy: Never"))
    assert found.severity == "warning"
    assert "did you mean `restartPolicy`?" in found.message


def test_unknown_field_without_a_near_miss_has_no_suggestion() -> None:
    (found,) = failures(POD.format(field="colour: blue"))
    assert found.message == "unknown field `colour` in PodSpec"
    assert found.severity == "warning"


def test_security_field_at_the_wrong_level_is_danger_and_says_where_it_belongs() -> None:
    (found,) = failures(POD.format(field="securityContext: {privileged: true}"))
    assert found.severity == "danger"
    assert found.message == (
        "`privileged` is not a field of PodSecurityContext and is not applied here; "
        "it belongs in SecurityContext"
    )
    assert (found.line, found.column) == (6, 21)


def test_misspelt_security_field_at_the_wrong_level() -> None:
    text = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: d}
    spec:
      selector: {matchLabels: {app: d}}
      hostnetwork: true
      template:
        metadata: {labels: {app: d}}
        spec:
          containers: [{name: app, image: "registry.example.com/app:1.0.0"}]
    """
    (found,) = failures(text)
    assert found.severity == "danger" and found.line == 6
    assert "did you mean `hostNetwork`? It is a field of PodSpec, not of DeploymentSpec" in (
        found.message
    )


def test_container_and_list_item_positions() -> None:
    text = """\
    apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: app
              image: registry.example.com/app:1.0.0
              securityContext:
                runAsNonroot: true
    """
    (found,) = failures(text)
    assert (found.line, found.column, found.container) == (12, 13, "app")
    assert found.path == "items.0.spec.containers.0.securityContext.runAsNonroot"


def test_chinese_messages() -> None:
    (found,) = failures(POD.format(field="hostnetwork: true"), lang="zh")
    assert found.message == "PodSpec 中存在未知字段 `hostnetwork`；是否想写 `hostNetwork`？"


@pytest.mark.parametrize(
    ("field", "message", "column"),
    [
        ("hostNetwork: 'true'", '`hostNetwork` must be boolean, not the string "true"', 3),
        ("priority: 1.5", "`priority` must be integer, not the number 1.5", 3),
        ("volumes: {data: {emptyDir: {}}}", "`volumes` must be list, not a mapping", 3),
        ("nodeSelector: [linux]", "`nodeSelector` must be mapping, not a list", 3),
        ("tolerations: [1]", "`tolerations[0]` must be mapping, not the integer 1", 17),
    ],
)
def test_invalid_types(field: str, message: str, column: int) -> None:
    (found,) = failures(POD.format(field=field))
    assert (found.check, found.message, found.line, found.column) == (
        "invalidFieldType",
        message,
        6,
        column,
    )


@pytest.mark.parametrize(
    "field",
    [
        "hostNetwork: null",
        "hostNetwork: yes",  # YAML 1.1 boolean, as Kubernetes' decoder reads it
        "priority: 3.0",  # written as 3 by the YAML-to-JSON step
        "terminationGracePeriodSeconds: ${GRACE:-30}",
        "terminationGracePeriodSeconds: '{{ .Values.grace }}'",
        "overhead: {cpu: 1, memory: 64Mi}",
        "nodeSelector: {Any_Key.example.com/x: v}",
    ],
)
def test_valid_values(field: str) -> None:
    assert failures(POD.format(field=field)) == []


@pytest.mark.parametrize("port", ["8080", "http", "null"])
def test_int_or_string_takes_both_forms(port: str) -> None:
    probe = f"readinessProbe: {{httpGet: {{port: {port}}}}}"
    assert failures(CONTAINER.format(field=probe)) == []


def test_int_or_string_rejects_other_types() -> None:
    (found,) = failures(CONTAINER.format(field="readinessProbe: {tcpSocket: {port: true}}"))
    assert found.message == "`port` must be string/integer, not the boolean true"
    assert (found.line, found.column) == (10, 36)


def test_missing_required_fields_point_at_the_object() -> None:
    text = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - image: registry.example.com/app:1.0.0
        - name: sidecar
    """
    first, second = failures(text)
    assert (first.line, first.column, first.message) == (
        6,
        7,
        "container containers[0] has no `name`, which every container requires",
    )
    assert (second.line, second.container) == (7, "sidecar")
    assert "has no `image`" in second.message


def test_every_resource_of_a_covered_kind_gets_one_pass_per_check() -> None:
    results = lint(POD.format(field="hostname: p"))
    assert sorted(r.check for r in results) == sorted(STRUCTURAL)
    assert all(r.passed and (r.line, r.column) == (1, 1) for r in results)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("example.com/v1", "Widget"), ("apps/v1beta1", "Deployment"), ("v1", "Binding")],
)
def test_kinds_without_a_bundled_schema_are_skipped(api_version: str, kind: str) -> None:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n"
    text += "spec: {hostnetwork: 1}\n"
    assert lint(text) == []


def test_patch_directives_and_unrendered_template_keys_are_not_fields() -> None:
    field = "$patch: replace\n  resources: {{ .Resources }}"
    text = POD.format(field=field).replace("  resources:", "  overhead:")
    assert failures(text) == []


def test_kind_filters_of_the_rule_apply(tmp_path: Path) -> None:
    source = (rules_dir() / "unknownField.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "unknownField.yaml"
    custom.write_text(
        source.replace("  scope: resource\n", "  scope: resource\n  kinds: [Service]\n")
    )
    only_services = load_rule(custom)
    outcome = inspect_text(
        "t.yaml", POD.format(field="hostnetwork: true"), Settings((only_services,))
    )
    assert outcome.results == []


# Point 3: the checks that read a misspelt field say so.


def test_passing_check_names_the_typo_that_made_it_pass() -> None:
    results = lint(POD.format(field="hostnetwork: true"), "unknownField", "hostNetworkSet")
    (check,) = [r for r in results if r.check == "hostNetworkSet"]
    assert check.passed
    assert check.message.endswith(
        "— note: `hostnetwork` on line 6 is not a field Kubernetes applies here; "
        "it looks like `hostNetwork`, which this check reads (see unknownField)"
    )


def test_note_in_chinese() -> None:
    results = lint(POD.format(field="hostnetwork: true"), *STRUCTURAL, "hostNetworkSet", lang="zh")
    (check,) = [r for r in results if r.check == "hostNetworkSet"]
    assert "注意：第 6 行的 `hostnetwork`" in check.message


def test_pod_level_typo_is_noted_in_every_container_and_container_typos_only_in_their_own() -> None:
    text = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      securityContext:
        runAsNonroot: true
      containers:
        - name: a
          image: registry.example.com/a:1.0.0
          securityContext:
            readOnlyRootFileSystem: true
        - name: b
          image: registry.example.com/b:1.0.0
    """
    results = lint(text, "unknownField", "runAsRootAllowed", "notReadOnlyRootFileSystem")
    by = {(r.check, r.container): r.message for r in results if r.check != "unknownField"}
    assert "`runAsNonroot` on line 6" in by[("runAsRootAllowed", "a")]
    assert "`runAsNonroot` on line 6" in by[("runAsRootAllowed", "b")]
    assert "`readOnlyRootFileSystem` on line 11" in by[("notReadOnlyRootFileSystem", "a")]
    assert "note:" not in by[("notReadOnlyRootFileSystem", "b")]
    assert "readOnlyRootFileSystem" not in by[("runAsRootAllowed", "a")]


def test_misplaced_security_field_is_noted_by_the_check_that_reads_it() -> None:
    results = lint(
        POD.format(field="securityContext: {privileged: true}"), *STRUCTURAL, "runAsPrivileged"
    )
    (check,) = [r for r in results if r.check == "runAsPrivileged"]
    assert check.passed
    assert "`privileged` on line 6 is not applied in PodSecurityContext" in check.message
    assert "belongs in SecurityContext" in check.message


def test_wrong_type_is_noted_by_the_check_that_reads_the_field() -> None:
    text = CONTAINER.format(field="securityContext: {runAsNonRoot: 'true'}")
    results = lint(text, "invalidFieldType", "runAsRootAllowed")
    (check,) = [r for r in results if r.check == "runAsRootAllowed"]
    assert "note: `runAsNonRoot` on line 10 has the type string, not boolean" in check.message


def test_no_note_without_the_structural_check_or_for_unrelated_checks() -> None:
    text = POD.format(field="hostnetwork: true")
    (alone,) = lint(text, "hostNetworkSet")
    assert "note" not in alone.message
    results = lint(text, "unknownField", "hostPIDSet")
    assert all("note" not in r.message for r in results if r.check == "hostPIDSet")


# Did-you-mean.


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("hostnetwork", "hostNetwork"),
        ("host_network", "hostNetwork"),
        ("hostNetwrok", "hostNetwork"),
        ("hostNetworks", "hostNetwork"),
        ("hostNetwork", "hostNetwork"),
        ("hostPid", "hostPID"),
        ("hostIpcc", "hostIPC"),
        ("priorityClass", "priorityClassName"),
        ("hostess", None),
        ("host", None),
    ],
)
def test_suggest(key: str, expected: str | None) -> None:
    fields = ["hostNetwork", "hostPID", "hostIPC", "hostname", "priorityClassName", "priority"]
    assert suggest(key, fields) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "abc", 3),
        ("abc", "abc", 0),
        ("abc", "acb", 1),
        ("kitten", "sitting", 3),
        ("ab", "ba", 1),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)
