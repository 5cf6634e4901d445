"""Fix operations declared by custom rules: `add`, and the rule schema's checks of `fix`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinspect.engine.run import Settings
from kinspect.errors import KinspectError
from kinspect.fix.fixer import fix_text
from kinspect.ruleset.model import Rule
from kinspect.ruleset.rules import load_rule

DROP_ALL = """\
id: dropAll
category: Security
severity: warning
target:
  scope: container
schema:
  required: [securityContext]
  properties:
    securityContext:
      type: object
      required: [capabilities]
      properties:
        capabilities:
          type: object
          required: [drop]
          properties:
            drop: {type: array, contains: {const: ALL}}
fix:
  - add: securityContext.capabilities.drop
    value: ALL
texts:
  en: {title: t, message: m, risk: r, fix: f}
  zh: {title: t, message: m, risk: r, fix: f}
fixExample: "drop: [ALL]"
references: ["https://kubernetes.io/"]
"""
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: missing
      image: a:1
    - name: block
      image: a:1
      securityContext:
        capabilities:
          drop:
            - NET_RAW   # keep this comment
    - name: flow
      image: a:1
      securityContext: {capabilities: {drop: [NET_RAW]}}
    - name: empty-flow
      image: a:1
      securityContext:
        capabilities:
          drop: []
    - name: null-list
      image: a:1
      securityContext:
        capabilities:
          drop:
"""
FIXED = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: missing
      image: a:1
      securityContext:
        capabilities:
          drop:
            - ALL
    - name: block
      image: a:1
      securityContext:
        capabilities:
          drop:
            - NET_RAW   # keep this comment
            - ALL
    - name: flow
      image: a:1
      securityContext: {capabilities: {drop: [NET_RAW, ALL]}}
    - name: empty-flow
      image: a:1
      securityContext:
        capabilities:
          drop: [ALL]
    - name: null-list
      image: a:1
      securityContext:
        capabilities:
          drop:
            - ALL
"""


def rule_from(tmp_path: Path, text: str) -> Rule:
    path = tmp_path / "dropAll.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rule(path)


def test_add_appends_to_every_list_shape(tmp_path: Path) -> None:
    settings = Settings((rule_from(tmp_path, DROP_ALL),))
    fixed = fix_text("pod.yaml", POD, settings)
    assert fixed.text == FIXED
    assert fixed.fixed == {"dropAll": 5} and not fixed.left
    assert fix_text("pod.yaml", FIXED, settings).text == FIXED


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        ("  - set: securityContext.privileged\n", "fix.0"),
        ("  - remove: a\n    set: b\n    value: 1\n", "fix.0"),
        ("  - remove: a..b\n", "fix.0"),
        ("  - removeItems: a\n    value: 1\n", "fix.0"),
        ("  - set: a\n    value: 1\n    todo: {en: only English}\n", "fix.0"),
        ("  - remove: a\n    when: {pattern: '(a)\\1'}\n", "not supported"),
    ],
)
def test_invalid_fix_declarations_are_refused(tmp_path: Path, fix: str, message: str) -> None:
    text = DROP_ALL.split("fix:\n")[0] + "fix:\n" + fix + "texts:" + DROP_ALL.split("texts:")[1]
    with pytest.raises(KinspectError, match=message):
        rule_from(tmp_path, text)
