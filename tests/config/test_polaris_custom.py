"""Polaris custom checks: Go-templated schema values, quantity keywords and Polaris's targets."""

from __future__ import annotations

import pytest

from kinspect.config.polaris_schema import Unsupported, templated, tokenized, with_quantities
from kinspect.ruleset.resource_fill import fill_resource
from tests.conftest import FIXTURES, run_cli

CUSTOM = FIXTURES / "polaris-custom"
CHECKS = "instanceLabel,memoryRange,templateLabels,replicas,namedImage"


def test_custom_checks_run_with_templates_quantities_and_targets() -> None:
    import json

    proc = run_cli(
        "lint", "--format", "json", "--polaris-config", str(CUSTOM / "polaris.yaml"),
        "--checks", CHECKS, str(CUSTOM / "workloads.yaml"),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "not applied" not in proc.stderr and "not supported" not in proc.stderr
    results = json.loads(proc.stdout)["results"]
    failed = {
        (r["check"], r["resource"]["name"], r.get("container"), r["line"])
        for r in results
        if not r["passed"]
    }
    assert failed == {
        ("replicas", "web", None, 7),  # apps/Deployment: replicas 1 < 2
        ("namedImage", "web", "big", 19),  # "^registry.example.com/{{ .metadata.name }}:"
        ("memoryRange", "web", "big", 21),  # 8Gi > 6G
        ("templateLabels", "api", None, 27),  # PodTemplate: a Pod is its own template
        ("instanceLabel", "api", None, 27),  # const "{{ .metadata.name }}": wrong != api
        ("memoryRange", "api", "api", 33),  # 50Mi < 100Mi
    }
    passed = {(r["check"], r["resource"]["name"]) for r in results if r["passed"]}
    assert {("instanceLabel", "web"), ("templateLabels", "web"), ("memoryRange", "web")} <= passed


def test_templates_become_placeholders_filled_from_the_resource() -> None:
    text, actions = tokenized('const: "{{ .metadata.name }}"\npattern: ^{{.a.b}}-x$\n')
    assert "{{" not in text and len(actions) == 2
    schema = templated({"const": text.split('"')[1], "pattern": "^kinspectTemplate1x-x$"}, actions)
    assert schema == {
        "const": {"$resource": "metadata.name"},
        "pattern": {"$template": "^{{.a.b}}-x$"},
    }
    resource = {"metadata": {"name": "web"}, "a": {"b": 3}}
    assert fill_resource(schema, {}, resource) == {"const": "web", "pattern": "^3-x$"}
    assert fill_resource(schema, {}, {}) == {"const": "<no value>", "pattern": "^<no value>-x$"}


@pytest.mark.parametrize(
    "text",
    ["{{ range .spec.containers }}x{{ end }}", "{{ .metadata.name | upper }}", "{{ index .a 0 }}"],
)
def test_other_template_actions_are_unsupported(text: str) -> None:
    with pytest.raises(Unsupported):
        tokenized(text)
    with pytest.raises(Unsupported):
        templated({"const": text})


def test_quantity_keywords_become_checks_at_their_path() -> None:
    schema = with_quantities(
        {
            "properties": {
                "resources": {"properties": {"cpu": {"resourceMaximum": "2", "type": "string"}}}
            }
        }
    )
    cpu = schema["properties"]["resources"]["properties"]["cpu"]
    assert cpu == {"type": "string", "allOf": [{"$quantity": "resources.cpu", "maximum": "2"}]}
    assert fill_resource(cpu, {"resources": {"cpu": "1500m"}}, {})["allOf"] == [True]
    assert fill_resource(cpu, {"resources": {"cpu": "3"}}, {})["allOf"] == [False]
    assert fill_resource(cpu, {}, {})["allOf"] == [True]  # unset: the keyword does not apply
    with pytest.raises(Unsupported):
        with_quantities({"items": {"resourceMinimum": "1"}})
