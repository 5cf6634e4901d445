"""The bundled Kubernetes schemas: complete for the covered kinds, self-contained, licensed,
reproducible from upstream, and read by the walk as the JSON Schema reference reads them."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kinspect.parse.loader import load_documents
from kinspect.structure import apischema as kubeschema
from tests.conftest import FIXTURES, ROOT
from tests.support.structure import lenient

BUNDLED = ROOT / "schemas" / "kubernetes"
SCHEMAS = BUNDLED / kubeschema.SCHEMA_SET
UPSTREAM = ROOT.parent / "shared" / "schemas" / "kubernetes" / kubeschema.SCHEMA_SET
ISSUE_KINDS = {
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("v1", "ReplicationController"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "PodTemplate"),
    ("v1", "Service"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("v1", "ServiceAccount"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def vendor_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kubernetes_schemas", ROOT / "scripts" / "kubernetes_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_kind_of_the_issue_is_covered() -> None:
    assert ISSUE_KINDS - set(kubeschema.kinds()) == set()


def test_license_and_source_note_are_shipped() -> None:
    assert "Apache License" in (BUNDLED / "LICENSE").read_text(encoding="utf-8")
    note = (BUNDLED / "SOURCES.md").read_text(encoding="utf-8")
    assert "3f6f61dd54df4d721f52953557281209b2f12d7c" in note and "Apache" in note


def test_every_reference_resolves_inside_the_bundle() -> None:
    definitions = load(SCHEMAS / "_definitions.json")["$defs"]
    text = "\n".join(path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json"))
    referenced = set(re.findall(r'"\$ref": "(?:/api/_definitions\.json)?#/\$defs/([^"]+)"', text))
    assert referenced and referenced <= set(definitions)
    assert '"$ref": "http' not in text


def test_bundle_is_what_the_script_builds_from_upstream() -> None:
    if not UPSTREAM.is_dir():
        pytest.skip(f"upstream schemas not found at {UPSTREAM}")
    script = vendor_script()
    files = script.build(UPSTREAM)
    assert script.check(UPSTREAM, files) == []  # upstream's own roots come out byte for byte
    shipped = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}
    assert shipped == files


def reference_validators() -> dict[tuple[str, str], Any]:
    """The pure-Python jsonschema validators of every root, with a local registry."""
    import jsonschema
    from referencing import Registry, Resource

    definitions = load(SCHEMAS / "_definitions.json")
    registry: Registry[Any] = Registry().with_resource(
        definitions["$id"], Resource.from_contents(definitions)
    )
    validators = {}
    for path in SCHEMAS.glob("*-*.json"):
        root = load(path)
        (kind,) = root["properties"]["kind"]["enum"]
        for api_version in root["properties"]["apiVersion"]["enum"]:
            validators[(api_version, kind)] = jsonschema.Draft202012Validator(
                root, registry=registry
            )
    return validators


def fixture_resources() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(FIXTURES.glob("*/*.yaml")):
        try:
            documents = list(load_documents(path.read_text(encoding="utf-8")))
        except Exception:  # fixtures of unparsable input
            continue
        for document in documents:
            data = document.data
            if isinstance(data, dict) and kubeschema.shape_of(data) is not None:
                found.append((f"{path.parent.name}/{path.name}", data))
    return found


def test_walk_reads_the_schemas_as_the_reference_implementation_does() -> None:
    validators = reference_validators()
    checked = 0
    for name, data in fixture_resources():
        shape = kubeschema.shape_of(data)
        if shape is None or lenient(data):
            continue  # what the walk accepts on purpose
        walk_valid = kubeschema.walk(shape, data, {}) == []
        assert walk_valid == validators[(data["apiVersion"], data["kind"])].is_valid(data), name
        checked += 1
    assert checked > 100
