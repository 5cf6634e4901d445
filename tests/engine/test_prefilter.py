"""Masking (kinspect/engine/prefilter.py): documents no rule reads are left unbuilt, unchanged.

Each case runs a text through the engine twice, with masking and with `KINSPECT_REFERENCE=1`
(every document built), and requires the same results, inspected resources and problems.
The corpus-wide version of this is tests/engine/test_fast_path.py; these run everywhere.
"""

from __future__ import annotations

import pytest

from kinspect.engine.prefilter import MIN_TEXT, mask
from kinspect.engine.run import Settings, inspect_text
from kinspect.model import Outcome
from kinspect.parse.split import header, metadata_of, split_documents
from kinspect.ruleset.rules import load_rules

SETTINGS = Settings(tuple(load_rules()), "en")


def crd(name: str, properties: int = 120) -> str:
    """A CustomResourceDefinition with a schema large enough to be worth masking."""
    fields = "".join(
        f"                field{i}:\n                  type: string\n"
        f"                  description: field {i}, a long description as generators write\n"
        for i in range(properties)
    )
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata:\n  name: {name}.example.com\n"
        "spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n"
        "  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n"
        "      storage: true\n      schema:\n        openAPIV3Schema:\n"
        "          type: object\n          properties:\n            spec:\n"
        f"              type: object\n              properties:\n{fields}"
    )


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx
"""


def both_ways(text: str, monkeypatch: pytest.MonkeyPatch, name: str = "all.yaml") -> Outcome:
    """The masked outcome, after checking it against the reference one."""
    monkeypatch.delenv("KINSPECT_REFERENCE", raising=False)
    fast = inspect_text(name, text, SETTINGS)
    monkeypatch.setenv("KINSPECT_REFERENCE", "1")
    reference = inspect_text(name, text, SETTINGS)
    assert fast.results == reference.results
    assert fast.inspected == reference.inspected
    assert fast.problems == reference.problems
    assert (fast.documents, fast.resources) == (reference.documents, reference.resources)
    return fast


def test_crds_are_masked_and_the_findings_after_them_keep_their_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = crd("first") + "---\n" + crd("second") + "---\n" + DEPLOYMENT
    assert len(text) > MIN_TEXT
    parsed, masked = mask(text, SETTINGS.needed)
    assert len(masked) == 2 and len(parsed) < len(text) / 4
    assert parsed.count("\n") == text.count("\n")  # every line is still where it was
    outcome = both_ways(text, monkeypatch)
    host = [r for r in outcome.results if r.check == "hostNetworkSet" and not r.passed]
    assert [r.line for r in host] == [text.splitlines().index("      hostNetwork: true") + 1]
    assert outcome.resources["CustomResourceDefinition"] == 2


def test_masked_documents_still_report_their_yaml_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = crd("broken").replace("    - name: v1\n", "    - name: v1\n   bad: [\n", 1)
    outcome = both_ways(broken + "---\n" + DEPLOYMENT + "---\n" + crd("after"), monkeypatch)
    assert len(outcome.problems) == 1 and "invalid YAML" in outcome.problems[0].message


def test_crlf_text_and_documents_closed_by_dots(monkeypatch: pytest.MonkeyPatch) -> None:
    text = crd("first") + "...\n---\n" + DEPLOYMENT + "---\n" + crd("second")
    crlf = text.replace("\n", "\r\n")
    assert mask(crlf, SETTINGS.needed)[1]
    outcome = both_ways(crlf, monkeypatch)
    assert any(r.check == "hostNetworkSet" and not r.passed for r in outcome.results)


def test_documents_that_may_matter_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    owned = crd("owned").replace(
        "metadata:\n", "metadata:\n  ownerReferences: [{kind: X, name: y, uid: z}]\n", 1
    )
    ignored = crd("ignored").replace(
        "metadata:\n", "metadata:\n  annotations: {kinspect.io/ignore: duplicateKey}\n", 1
    )
    for text in (owned, ignored):
        assert not mask(text + "---\n" + DEPLOYMENT, SETTINGS.needed)[1]
        both_ways(text + "---\n" + DEPLOYMENT, monkeypatch)


def test_a_saved_helm_render_is_masked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "---\n# Source: widgets/templates/crd.yaml\n" + crd("rendered") + "---\n"
        "# Source: widgets/templates/deployment.yaml\n" + DEPLOYMENT
    )
    outcome = both_ways(text, monkeypatch)
    assert any(r.check == "hostNetworkSet" and not r.passed for r in outcome.results)


def test_split_documents_by_markers_only_at_column_zero() -> None:
    text = "a: 1\n---\nb: |\n  ---\n  x\n--- # next\nc: 3\n...\nd: 4\n"
    chunks = split_documents(text)
    assert [chunk.line for chunk in chunks] == [0, 1, 5, 8]
    assert "".join(chunk.text for chunk in chunks) == text
    assert split_documents("%YAML 1.1\n---\na: 1\n---\nb: 2\n")[0].line == 0
    assert len(split_documents("%YAML 1.1\n---\na: 1\n---\nb: 2\n")) == 1


def test_header_and_metadata_read_top_level_lines_only() -> None:
    found = header("# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    assert found is not None and (found.api_version, found.kind, found.line) == (
        "v1",
        "ConfigMap",
        1,
    )
    nested = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  apiVersion: v1\n"
    assert header(nested) is not None and header(nested).kind == "List"  # type: ignore[union-attr]
    assert header("apiVersion: v1\nkind: A\nkind: B\n") is None
    assert header("- apiVersion: v1\n  kind: A\n") is None
    assert metadata_of("kind: A\nmetadata:\n  name: web\n  namespace: shop\n") == {
        "name": "web",
        "namespace": "shop",
    }
    assert metadata_of("kind: A\nmetadata:\n  name: {{ x }}\n") is None
