"""Custom rule directories (the documented example included) and Polaris configs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kinspect.config.plan import Options, make_plan
from kinspect.config.polaris import load_polaris
from kinspect.errors import UsageError
from kinspect.ruleset.rules import load_rules
from tests.conftest import ROOT, run_cli

DOC = ROOT / "docs" / "configuration.md"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: prod
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      initContainers:
        - name: migrate
          image: docker.io/library/migrate:2.0
      containers:
        - name: app
          image: registry.example.com/shop/app:1.4.2
        - name: proxy
          image: quay.io/proxy/envoy:1.30
"""


def documented_rule() -> str:
    """The custom rule example of docs/configuration.md (marked by an HTML comment)."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- custom-rule-example -->\n```yaml\n(.*?)```", text, re.S)
    assert match, "docs/configuration.md lost its custom rule example"
    return match.group(1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    (tmp_path / "policies").mkdir()
    return tmp_path


def lint(cwd: Path, *args: str) -> tuple[int, dict[str, object], str]:
    proc = run_cli("lint", "--no-progress", "-f", "json", *args, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def failed(report: dict[str, object], check: str) -> list[tuple[int, int, str]]:
    results = report["results"]
    assert isinstance(results, list)
    return [
        (r["line"], r["column"], r["message"])
        for r in results
        if r["check"] == check and not r["passed"] and r["suppressed"] is None
    ]


def test_documented_example_rule_runs_without_python(project: Path) -> None:
    (project / "policies" / "imageFromUntrustedRegistry.yaml").write_text(documented_rule())
    code, report, stderr = lint(project, "--rules-dir", "policies", "deploy.yaml")
    assert code == 1, stderr
    suffix = "which is not from an approved registry"
    assert failed(report, "imageFromUntrustedRegistry") == [
        (13, 11, f"container migrate pulls docker.io/library/migrate:2.0, {suffix}"),
        (18, 11, f"container proxy pulls quay.io/proxy/envoy:1.30, {suffix}"),
    ]


def test_rules_dirs_from_the_config_and_the_command_line(project: Path) -> None:
    (project / "policies" / "imageFromUntrustedRegistry.yaml").write_text(documented_rule())
    (project / ".kinspect.yaml").write_text(
        "rules-dirs: [policies]\nchecks: {imageFromUntrustedRegistry: warning}\n"
    )
    _, report, _ = lint(project, "--checks", "imageFromUntrustedRegistry", "deploy.yaml")
    results = report["results"]
    assert isinstance(results, list)
    assert {r["severity"] for r in results if not r["passed"]} == {"warning"}
    (project / "other").mkdir()
    code, _, stderr = lint(project, "--rules-dir", "other", "deploy.yaml")
    # --rules-dir replaces rules-dirs: the config now names a check no rule has.
    assert code == 2 and "unknown check id 'imageFromUntrustedRegistry'" in stderr


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("severity: danger", "severity: critical"),
            r"imageFromUntrustedRegistry.yaml:3:1: invalid rule: severity \(line 3\): 'critical'",
        ),
        (
            lambda t: t.replace("type: string\n      pattern", "type: strin\n      pattern"),
            r"imageFromUntrustedRegistry.yaml:14:7: invalid JSON Schema in `schema`: 'strin'",
        ),
        (
            lambda t: t.replace('pattern: "^(${registries})/"', 'pattern: "^(${registries}/"'),
            r"Registry.yaml:15:7: invalid JSON Schema in `schema`: .* is not a 'regex'",
        ),
        (
            lambda t: t + "locate:\n  - path: image\n    when: {minLength: -1}\n",
            r"imageFromUntrustedRegistry.yaml:38:12: invalid JSON Schema in `locate.0.when`",
        ),
        (
            lambda t: t.replace("id: imageFromUntrustedRegistry", "id: hostPIDSet"),
            r"rule id 'hostPIDSet' does not match the file name",
        ),
    ],
)
def test_malformed_custom_rule_is_a_clear_error(project: Path, edit: object, expected: str) -> None:
    assert callable(edit)
    (project / "policies" / "imageFromUntrustedRegistry.yaml").write_text(edit(documented_rule()))
    code, report, stderr = lint(project, "--rules-dir", "policies", "deploy.yaml")
    assert (code, report) == (2, {})
    assert stderr.startswith("kinspect: invalid rule files:\n")
    assert re.search(expected, stderr), stderr
    assert "Traceback" not in stderr


def test_a_builtin_id_needs_overrides(project: Path) -> None:
    source = (ROOT / "rules" / "hostPIDSet.yaml").read_text()
    (project / "policies" / "hostPIDSet.yaml").write_text(source)
    code, _, stderr = lint(project, "--rules-dir", "policies", "deploy.yaml")
    assert code == 2 and "set `overrides: true` to replace a built-in rule" in stderr
    (project / "policies" / "hostPIDSet.yaml").write_text("overrides: true\n" + source)
    assert lint(project, "--rules-dir", "policies", "deploy.yaml")[0] == 1


def test_a_draft_07_schema_is_validated_as_draft_07(tmp_path: Path) -> None:
    rule = documented_rule().replace(
        "schema:\n", 'schema:\n  $schema: "http://json-schema.org/draft-07/schema#"\n', 1
    )
    (tmp_path / "imageFromUntrustedRegistry.yaml").write_text(
        rule.replace("required: [image]", "required: [image]\n  dependencies: {image: [name]}")
    )
    (loaded,) = [r for r in load_rules([tmp_path]) if r.id == "imageFromUntrustedRegistry"]
    assert not loaded.validator.is_valid({"image": "registry.example.com/a:1"})  # no name
    assert loaded.validator.is_valid({"image": "registry.example.com/a:1", "name": "a"})


POLARIS = """\
checks:
  hostNetworkSet: warning
  dangerousCapabilities: ignore
  livenessProbeMissing: danger
  someOtherPolarisCheck: warning
  imageRegistry: danger
  podTemplateLabels: warning
exemptions:
  - namespace: prod
    controllerNames: [shop]
    containerNames: [proxy]
    rules: [notReadOnlyRootFilesystem]
customChecks:
  imageRegistry:
    successMessage: Image comes from an allowed registry
    failureMessage: Image should not come from quay.io
    category: Security
    target: Container
    containers:
      exclude: [initContainer]
    schema:
      '$schema': http://json-schema.org/draft-07/schema
      type: object
      properties:
        image:
          type: string
          not:
            pattern: ^quay.io
  podTemplateLabels:
    target: PodTemplate
    schema: {required: [metadata]}
  templated:
    target: Container
    schemaString: |
      properties:
        image: {pattern: "{{ .Polaris.registry }}"}
  limits:
    target: Container
    schema:
      properties:
        resources: {properties: {limits: {properties: {cpu: {resourceMaximum: "2"}}}}}
  crossResource:
    target: Controller
    schema: {type: object}
    additionalSchemaStrings:
      policy/PodDisruptionBudget: "type: array"
  offByDefault:
    target: apps/Deployment
    failureMessage: Deployments need three replicas
    jsonSchema: '{"properties": {"spec": {"required": ["replicas"]}}}'
"""


def test_polaris_config_is_converted(tmp_path: Path) -> None:
    (tmp_path / "polaris.yaml").write_text(POLARIS)
    polaris = load_polaris(tmp_path / "polaris.yaml")
    assert polaris.severities["capabilitiesAdded"] == "ignore"
    assert {r.id: (r.scope, r.enabled) for r in polaris.rules} == {
        "imageRegistry": ("container", True),
        "offByDefault": ("resource", False),
        "podTemplateLabels": ("podTemplate", True),
        "templated": ("container", False),  # Go templates are rendered per target
        "limits": ("container", False),  # resourceMaximum compares quantities
    }
    assert polaris.unsupported == [
        "customChecks.crossResource: additionalSchemaStrings (checks across several resources)"
        " not supported"
    ]
    (exemption,) = polaris.exemptions
    assert (exemption.checks, exemption.namespaces, exemption.names, exemption.containers) == (
        frozenset({"notReadOnlyRootFileSystem"}),
        ("prod",),
        ("shop",),
        ("proxy",),
    )


def test_polaris_config_applies_severities_exemptions_and_custom_checks(project: Path) -> None:
    (project / "polaris.yaml").write_text(POLARIS)
    code, report, stderr = lint(project, "--polaris-config", "polaris.yaml", "deploy.yaml")
    assert code == 1
    results = report["results"]
    assert isinstance(results, list)
    severities = {r["check"]: r["severity"] for r in results if not r["passed"]}
    assert severities["livenessProbeMissing"] == "danger"
    assert "capabilitiesAdded" not in {r["check"] for r in results}
    assert failed(report, "imageRegistry") == [(18, 11, "Image should not come from quay.io")]
    exempt = [r for r in results if r["check"] == "notReadOnlyRootFileSystem"]
    assert {r["container"]: r["suppressed"] for r in exempt} == {
        "migrate": None,
        "app": None,
        "proxy": "Polaris exemption (exemption 1 of polaris.yaml)",
    }
    notes = stderr.splitlines()
    assert (
        "kinspect: note: polaris.yaml: Polaris checks kinspect does not have (not applied):"
        in notes[0]
    )
    assert "someOtherPolarisCheck" in notes[0] and "podTemplateLabels" not in notes[0]
    assert len(notes) == 2  # the note above and one for the unsupported custom check
    # .kinspect.yaml overrides the Polaris severities.
    (project / ".kinspect.yaml").write_text(
        "polaris-config: polaris.yaml\nchecks: {imageRegistry: ignore}\n"
    )
    _, report, _ = lint(project, "deploy.yaml")
    assert failed(report, "imageRegistry") == []
    assert failed(report, "livenessProbeMissing")


def test_malformed_polaris_config(tmp_path: Path) -> None:
    path = tmp_path / "polaris.yaml"
    path.write_text("checks:\n  hostPIDSet: critical\n")
    with pytest.raises(
        UsageError, match=r"polaris.yaml:2:3: checks.hostPIDSet: \"critical\" is not one of"
    ):
        make_plan(Options(polaris_config=str(path)), cwd=tmp_path)
    path.write_text("customChecks:\n  bad:\n    target: Container\n    schema: {type: strin}\n")
    with pytest.raises(
        UsageError, match=r"polaris.yaml:4:14: customChecks.bad.schema: invalid JSON Schema"
    ):
        load_polaris(path)
