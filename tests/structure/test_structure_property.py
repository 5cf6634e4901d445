"""Property: any one-letter typo in any field name of a valid manifest is found, at its key."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kinspect.bundled import rules_dir
from kinspect.engine.run import Settings, inspect_text
from kinspect.parse.loader import compose_documents
from kinspect.ruleset.rules import load_rule

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      hostNetwork: false
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: registry.example.com/web:3.2.1
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8080
              protocol: TCP
          resources:
            limits:
              memory: 512Mi
            requests:
              cpu: 250m
          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
"""
FREE_FORM = {"matchLabels", "labels", "limits", "requests"}
RULE = load_rule(rules_dir() / "unknownField.yaml")
SECURITY = set(RULE.parameters["securityFields"])


def field_keys(node: Node, parent: str = "") -> list[ScalarNode]:
    """Key nodes that name API fields (not keys of free-form maps such as labels)."""
    keys: list[ScalarNode] = []
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if parent not in FREE_FORM:
                keys.append(key)
            keys += field_keys(value, key.value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            keys += field_keys(item, parent)
    return keys


(ROOT,) = compose_documents(MANIFEST)
KEYS = [k for k in field_keys(ROOT) if k.value not in ("apiVersion", "kind")]
ALL_NAMES = {k.value for k in field_keys(ROOT, "labels")}


def mutate(word: str, where: int, how: str) -> str:
    where %= len(word)
    if how == "case":
        return word[:where] + word[where].swapcase() + word[where + 1 :]
    if how == "delete":
        return word[:where] + word[where + 1 :]
    if how == "double":
        return word[:where] + word[where] * 2 + word[where + 1 :]
    swap = min(where, len(word) - 2)
    return word[:swap] + word[swap + 1] + word[swap] + word[swap + 2 :]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(KEYS),
    st.integers(min_value=0, max_value=40),
    st.sampled_from(["case", "delete", "double", "swap"]),
)
def test_a_typo_in_any_field_name_is_reported_at_its_key(
    key: ScalarNode, where: int, how: str
) -> None:
    typo = mutate(key.value, where, how)
    assume(typo and typo not in ALL_NAMES)
    line, column = key.start_mark.line, key.start_mark.column
    lines = MANIFEST.splitlines(keepends=True)
    lines[line] = lines[line][:column] + typo + lines[line][column + len(key.value) :]
    outcome = inspect_text("typo.yaml", "".join(lines), Settings((RULE,)))
    (found,) = [r for r in outcome.results if not r.passed]
    assert (found.line, found.column) == (line + 1, column + 1)
    assert f"`{typo}`" in found.message
    if how == "case":
        assert found.message.endswith(f"did you mean `{key.value}`?")
        assert found.severity == ("danger" if key.value in SECURITY else "warning")
