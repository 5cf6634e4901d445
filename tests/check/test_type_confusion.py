"""Wrong types inside Kubernetes objects: no crash, the field is named, siblings still judged,
and the documented decision on a quoted "true" holds for each boolean check."""

from __future__ import annotations

import itertools

import pytest

from kinspect.engine.run import Settings, inspect_text
from kinspect.ruleset.rules import load_rules

RULES = {rule.id: rule for rule in load_rules()}
ALL = tuple(RULES.values())
POD = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  %s
  containers:
    - name: app
      image: app:1
      securityContext: {%s}
"""
# The risky fields: a quoted "true" (any case) states the intent, so it fails like true.
RISKY = [
    ("hostNetworkSet", "hostNetwork: V", ""),
    ("hostPIDSet", "hostPID: V", ""),
    ("hostIPCSet", "hostIPC: V", ""),
    ("runAsPrivileged", "x: 1", "privileged: V"),
]
# The safety fields: only a real boolean is safe; a quoted one protects nothing.
SAFETY = [
    ("privilegeEscalationAllowed", "x: 1", "allowPrivilegeEscalation: V", "false"),
    ("runAsRootAllowed", "x: 1", "runAsNonRoot: V", "true"),
    ("notReadOnlyRootFileSystem", "x: 1", "readOnlyRootFilesystem: V", "true"),
]


def passed(check: str, pod: str, context: str, value: str) -> bool:
    text = POD % (pod.replace("V", value), context.replace("V", value))
    outcome = inspect_text("p.yaml", text, Settings((RULES[check],)))
    results = [r.passed for r in outcome.results if r.check == check]
    assert results, f"{check} was not evaluated"
    return all(results)


@pytest.mark.parametrize(("check", "pod", "context"), RISKY)
def test_a_quoted_true_counts_as_true_for_risky_fields(check: str, pod: str, context: str) -> None:
    verdicts = {v: passed(check, pod, context, v) for v in ("true", '"true"', '"True"', "yes")}
    assert verdicts == {"true": False, '"true"': False, '"True"': False, "yes": False}
    assert passed(check, pod, context, "false") and passed(check, pod, context, '"false"')


@pytest.mark.parametrize(("check", "pod", "context", "safe"), SAFETY)
def test_safety_fields_need_a_real_boolean(check: str, pod: str, context: str, safe: str) -> None:
    assert passed(check, pod, context, safe)
    for quoted in (f'"{safe}"', f"'{safe}'", '"yes"', "1"):
        assert not passed(check, pod, context, quoted), quoted


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: LABELS
spec:
  replicas: REPLICAS
  template:
    spec:
      hostPID: true
      hostNetwork: HOST
      securityContext: POD_CONTEXT
      containers: CONTAINERS
"""
VARIANTS = {
    "LABELS": ["{a: b}", "[a, b]", "7"],
    "REPLICAS": ["2", '"3"', "[1]"],
    "HOST": ["false", '"true"', "{a: 1}", "null"],
    "POD_CONTEXT": ["{runAsNonRoot: true}", '"restricted"', "5", "[]", "{runAsUser: .nan}"],
    "CONTAINERS": [
        "[{name: app, image: 'app:1'}]",
        "{name: app, image: 'app:1'}",
        '"app"',
        "5",
        "[5, x, null, []]",
        "[{name: 5, image: {a: b}, ports: 80, resources: r, securityContext: s}]",
        "[{name: a, image: [x], ports: [80, {hostPort: '80'}], livenessProbe: 1,"
        " securityContext: {privileged: 'yes', capabilities: ALL, runAsUser: -1e400},"
        " resources: {limits: {cpu: [], memory: {}}}}]",
    ],
}


def _documents() -> list[tuple[str, str]]:
    keys = list(VARIANTS)
    out = []
    for values in itertools.product(*(VARIANTS[k] for k in keys)):
        text = DEPLOYMENT
        for key, value in zip(keys, values, strict=True):
            text = text.replace(key, value)
        out.append(
            ("-".join(str(VARIANTS[k].index(v)) for k, v in zip(keys, values, strict=True)), text)
        )
    return out


def test_no_combination_of_wrong_types_crashes_and_siblings_are_judged() -> None:
    settings = Settings(ALL)
    for label, text in _documents():
        outcome = inspect_text(f"{label}.yaml", text, settings)
        assert not outcome.problems, (label, [p.render() for p in outcome.problems])
        host_pid = [r for r in outcome.results if r.check == "hostPIDSet"]
        assert [(r.passed, r.line) for r in host_pid] == [(False, 10)], label


@pytest.mark.parametrize(
    ("field", "value", "line", "words"),
    [
        ("containers", "{name: app, image: 'app:1'}", 13, "`containers` must be list"),
        ("securityContext", '"restricted"', 12, "`securityContext` must be"),
        ("hostNetwork", '"true"', 11, "`hostNetwork` must be boolean"),
    ],
)
def test_the_wrong_field_is_named_with_its_line(
    field: str, value: str, line: int, words: str
) -> None:
    text = DEPLOYMENT.replace("LABELS", "{a: b}").replace("REPLICAS", "2")
    defaults = {
        "hostNetwork": "false",
        "securityContext": "{}",
        "containers": "[{name: app, image: 'app:1'}]",
    }
    values = {**defaults, field: value}
    text = text.replace("HOST", values["hostNetwork"]).replace(
        "POD_CONTEXT", values["securityContext"]
    )
    text = text.replace("CONTAINERS", values["containers"])
    outcome = inspect_text("w.yaml", text, Settings(ALL))
    named = [r for r in outcome.results if r.check == "invalidFieldType" and not r.passed]
    assert [(r.line, words in r.message) for r in named] == [(line, True)], [
        r.message for r in named
    ]
