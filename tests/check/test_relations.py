"""Cross-resource rules: selectors, indexes, the run-level phase, facts, and the rule format."""

from __future__ import annotations

import dataclasses
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinspect.check.facts import Fact
from kinspect.engine.run import Settings, finish, inspect_sources, inspect_text
from kinspect.errors import UsageError
from kinspect.inputs.sources import collect
from kinspect.kube.selectors import MAP, LabelIndex, SelectorIndex, selects
from kinspect.ruleset.model import Rule
from kinspect.ruleset.relation_spec import PLACEHOLDERS
from kinspect.ruleset.rules import load_rules
from kinspect.ruleset.template import FIELD, compiled_fill
from tests.conftest import FIXTURES, ROOT, lint_json

RULES = {rule.id: rule for rule in load_rules()}
RELATIONAL = sorted(rule_id for rule_id, rule in RULES.items() if rule.relations)

WEB = {"app": "web", "tier": "frontend"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({}, True),  # an empty LabelSelector selects everything
        (None, False),  # a missing one nothing
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "web", "tier": "backend"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}]}, True),
        (
            {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["frontend"]}]},
            False,
        ),
        ({"matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["canary"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}, False),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "x", "operator": "Exists"}],
            },
            False,
        ),
        ({"matchLabels": "app=web"}, False),  # malformed: selects nothing, never raises
    ],
)
def test_label_selector_semantics(selector: Any, expected: bool) -> None:
    assert selects(selector, WEB) is expected


def test_map_selector_semantics() -> None:
    assert selects({"app": "web"}, WEB, MAP)
    assert not selects({"app": "web", "tier": "backend"}, WEB, MAP)
    assert not selects({}, WEB, MAP)  # a Service with an empty selector selects no pod
    assert selects({"replicas": 1}, {"replicas": "1"}, MAP)  # values compare as strings


LABELS = st.dictionaries(st.sampled_from("abc"), st.sampled_from("xyz"), max_size=3)
EXPRESSION = st.fixed_dictionaries(
    {
        "key": st.sampled_from("abc"),
        "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
        "values": st.lists(st.sampled_from("xyz"), max_size=2),
    }
)
SELECTOR = st.fixed_dictionaries(
    {}, optional={"matchLabels": LABELS, "matchExpressions": st.lists(EXPRESSION, max_size=2)}
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(LABELS, max_size=8),
    st.lists(SELECTOR, max_size=8),
    st.sampled_from(["labelSelector", MAP]),
)
def test_indexes_never_miss_a_match(
    labels: list[dict[str, str]], selectors: list[dict[str, Any]], form: str
) -> None:
    if form == MAP:  # a map selector is a plain label map
        selectors = [s.get("matchLabels", {}) for s in selectors]
    by_labels = LabelIndex(range(len(labels)), lambda i: labels[i])
    by_selector = SelectorIndex(range(len(selectors)), lambda i: selectors[i], form)
    for selector in selectors:
        wanted = {i for i, item in enumerate(labels) if selects(selector, item, form)}
        assert wanted <= set(by_labels.candidates(selector, form))
    for item in labels:
        wanted = {s for s, selector in enumerate(selectors) if selects(selector, item, form)}
        assert wanted <= set(by_selector.candidates(item))


def test_indexes_look_only_at_candidates() -> None:
    # 3,000 policies with distinct labels: a workload's candidates stay at one (plus the
    # selectors that require no label), whatever the count: no pairwise scan.
    selectors = [{"matchLabels": {"app": f"app-{n}"}} for n in range(3000)] + [{}]
    by_selector = SelectorIndex(range(len(selectors)), lambda i: selectors[i], "labelSelector")
    assert sorted(by_selector.candidates({"app": "app-7", "tier": "x"})) == [7, 3000]
    by_labels = LabelIndex(range(3000), lambda i: {"app": f"app-{i % 1000}", "n": str(i)})
    assert (
        len(by_labels.candidates({"matchLabels": {"app": "app-5", "n": "5"}}, "labelSelector")) == 1
    )


def _run(*texts: str, rules: tuple[Rule, ...]) -> list[Any]:
    """Results of one run over several texts (each its own file)."""
    settings = Settings(rules)
    outcome = inspect_text("0.yaml", texts[0], settings)
    for n, text in enumerate(texts[1:], start=1):
        outcome.add(inspect_text(f"{n}.yaml", text, settings))
    return finish(outcome, settings).results


DEPLOYMENT = (FIXTURES / "missingNetworkPolicy" / "fail-other-namespace.yaml").read_text()
POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: staging}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
"""


def test_relations_resolve_across_files() -> None:
    rule = RULES["missingNetworkPolicy"]
    alone = [r for r in _run(DEPLOYMENT, rules=(rule,)) if r.check == rule.id]
    assert [(r.file, r.passed) for r in alone] == [("0.yaml", False)]
    together = [r for r in _run(DEPLOYMENT, POLICY, rules=(rule,)) if r.check == rule.id]
    assert [(r.file, r.passed) for r in together] == [("0.yaml", True)]


def test_cli_resolves_relations_over_a_directory(tmp_path: Path) -> None:
    shutil.copy(
        FIXTURES / "missingNetworkPolicy" / "fail-other-namespace.yaml", tmp_path / "a.yaml"
    )
    report = lint_json("--checks", "missingNetworkPolicy", str(tmp_path))
    (failed,) = [r for r in report["results"] if not r["passed"]]
    marked = DEPLOYMENT.splitlines().index(
        next(x for x in DEPLOYMENT.splitlines() if "# expect" in x)
    )
    assert (failed["line"], failed["column"]) == (marked + 1, 5)  # the pod spec of the Deployment
    (tmp_path / "b.yaml").write_text(POLICY)
    report = lint_json("--checks", "missingNetworkPolicy", str(tmp_path))
    assert [r["passed"] for r in report["results"]] == [True]


def test_facts_are_small_and_picklable() -> None:
    rules = tuple(RULES[r] for r in RELATIONAL)
    text = (
        "\n---\n".join(
            path.read_text() for path in sorted(FIXTURES.glob("*PodExecAttach/fail-*.yaml"))
        )
        + "\n---\n"
        + (FIXTURES / "pdbDisruptionsIsZero" / "fail-min-equals-replicas.yaml").read_text()
    )
    outcome = inspect_text("all.yaml", text, Settings(rules))
    assert outcome.facts and outcome.subjects
    copy = pickle.loads(pickle.dumps(outcome))
    assert copy.facts == outcome.facts
    for fact in outcome.facts:
        # Only the paths some relation reads: never the whole document.
        assert "spec" not in fact.values and "metadata" not in fact.values
        assert set(fact.values) <= {
            "rules",
            "spec.replicas",
            "spec.selector",
            "spec.podSelector",
            "spec.minAvailable",
            "spec.scaleTargetRef.name",
            "spec.scaleTargetRef.kind",
            "automountServiceAccountToken",
        }
    deployments = [f for f in outcome.facts if f.kind == "Deployment"]
    assert deployments and all(f.labels and f.namespace == "shop" for f in deployments)


def test_namespace_defaults_to_default() -> None:
    rule = RULES["rolebindingRolePodExecAttach"]
    role = (FIXTURES / "rolebindingRolePodExecAttach" / "fail-same-namespace.yaml").read_text()
    unset = role.replace("  namespace: team-a\n", "")
    explicit = role.replace("namespace: team-a", "namespace: default")
    for text in (unset, explicit):
        results = [r for r in _run(text, rules=(rule,)) if r.check == rule.id]
        assert [r.passed for r in results] == [False]
    mixed = _run(unset, role.replace("kind: RoleBinding", "kind: RoleBinding", 1), rules=(rule,))
    assert sorted(r.namespace or "" for r in mixed if not r.passed) == ["", "team-a"]


def test_relation_messages_name_the_related_resource() -> None:
    rule = RULES["clusterrolebindingPodExecAttach"]
    text = (FIXTURES / rule.id / "fail-resolved.yaml").read_text()
    (result,) = [r for r in _run(text, rules=(rule,)) if not r.passed]
    assert "ClusterRole/debugger" in result.message
    settings = Settings((rule,), lang="zh")
    (zh,) = [
        r for r in finish(inspect_text("x.yaml", text, settings), settings).results if not r.passed
    ]
    assert "ClusterRole/debugger" in zh.message and "授予" in zh.message


@pytest.mark.parametrize("rule_id", RELATIONAL)
def test_relation_messages_are_complete(rule_id: str) -> None:
    for step in RULES[rule_id].relations:
        if step.message is not None:
            assert set(step.message) == {"en", "zh"}
            used = {m for m in re.findall(r"{(\w+)}", " ".join(step.message.values()))}
            assert used <= PLACEHOLDERS


def test_field_placeholders() -> None:
    schema = {"properties": {"max": {"exclusiveMinimum": {FIELD: "min", "default": 1}}}}
    fill = compiled_fill(schema, FIELD, {"min": 3}.get)
    assert fill.is_valid({"max": 4}) and not fill.is_valid({"max": 3})
    assert compiled_fill(schema, FIELD, {}.get).is_valid({"max": 2})  # the default
    broken = compiled_fill(schema, FIELD, {"min": "three"}.get)  # not a valid schema any more
    assert not broken.is_valid({"max": 4}) and broken.error_paths({}) == [()]


DOC = ROOT / "docs" / "rule-format.md"


def _documented_rule() -> str:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- relation-rule-example -->", 1)[1]
    return block.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_documented_cross_resource_rule_works(tmp_path: Path) -> None:
    (tmp_path / "deploymentWithoutService.yaml").write_text(_documented_rule())
    rule = next(r for r in load_rules([tmp_path]) if r.id == "deploymentWithoutService")
    deployment = (FIXTURES / "serviceSelectorMatchesNothing" / "fail-typo.yaml").read_text()
    failed = [r for r in _run(deployment, rules=(rule,)) if not r.passed]
    assert [(r.kind, r.name, r.line) for r in failed] == [("Deployment", "web", 10)]
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n"
    assert all(r.passed for r in _run(deployment, service, rules=(rule,)))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("    match:\n", "    from: nowhere\n    match:\n"),
            "`from: nowhere` names no earlier relation",
        ),
        (
            ("      form: map", "      form: map\n      refersTo: metadata.name"),
            "relations.0.match",
        ),
        (
            (
                "    require: some",
                "    require: some\n    message: {en: 'no {svc}', zh: '无 {svc}'}",
            ),
            "unknown placeholder(s) svc",
        ),
        (
            ("no Service in namespace", "no {service} in namespace"),
            "unknown placeholder(s) service",
        ),
        (("    require: some", "    require: some\n    where: {type: nope}"), "relations.0.where"),
    ],
)
def test_invalid_relations_are_clear_errors(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    source = _documented_rule()
    assert change[0] in source
    (tmp_path / "deploymentWithoutService.yaml").write_text(source.replace(*change, 1))
    with pytest.raises(UsageError) as info:
        load_rules([tmp_path])
    assert "deploymentWithoutService.yaml" in str(info.value)
    assert expected in str(info.value)


def test_run_level_phase_runs_once_per_run(tmp_path: Path) -> None:
    # Two files, two namespaces: each HPA resolves to its own namespace's Deployment only.
    for ns in ("a", "b"):
        text = (
            FIXTURES / "pdbMinAvailableGreaterThanHPAMinReplicas" / "fail-greater.yaml"
        ).read_text()
        (tmp_path / f"{ns}.yaml").write_text(text.replace("namespace: shop", f"namespace: {ns}"))
    sources, _ = collect([str(tmp_path)])
    rule = RULES["pdbMinAvailableGreaterThanHPAMinReplicas"]
    outcome = inspect_sources(sources, Settings((rule,)))
    failed = sorted(
        (r.file.rsplit("/", 1)[1], r.namespace) for r in outcome.results if not r.passed
    )
    assert failed == [("a.yaml", "a"), ("b.yaml", "b")]
    assert outcome.facts == [] and outcome.subjects == []  # released after the phase


def test_fact_equality_is_by_value() -> None:
    fact = Fact("Role", "default", "r", {}, False, {"rules": []})
    assert pickle.loads(pickle.dumps(fact)) == fact


def test_repeated_manifests_relate_as_one() -> None:
    """Equal facts (one manifest copied into several files) stand for each other: every
    relational fixture, repeated in three files, gives each copy the results it gives alone."""
    rules = tuple(RULES[rule_id] for rule_id in RELATIONAL)
    texts = [path.read_text() for rule_id in RELATIONAL for path in FIXTURES.glob(f"{rule_id}/*")]
    combined = "\n---\n".join(texts)
    once = [r for r in _run(combined, rules=rules) if r.check in RELATIONAL]
    thrice = [r for r in _run(combined, combined, combined, rules=rules) if r.check in RELATIONAL]
    assert any(not r.passed for r in once) and any(r.passed for r in once)
    for copy in ("0.yaml", "1.yaml", "2.yaml"):
        mine = [dataclasses.replace(r, file="0.yaml") for r in thrice if r.file == copy]
        assert mine == once, copy


def test_same_name_different_content_still_relates() -> None:
    """Only equal facts stand for each other: a same-named policy with another selector counts."""
    rule = RULES["missingNetworkPolicy"]
    api = DEPLOYMENT.replace("app: web", "app: api")
    other_policy = POLICY.replace("app: web", "app: api")
    results = [r for r in _run(api, POLICY, other_policy, rules=(rule,)) if r.check == rule.id]
    assert [(r.file, r.passed) for r in results] == [("0.yaml", True)]
