"""Structural validation over the real-world corpus (../shared/corpus, read-only).

Every unknownField found there was reviewed by hand; all are real mistakes (none is a false
positive), so the list below is the expected set and any change to it is a regression to look at.
The schema walk is also compared with jsonschema-rs on every resource of a built-in kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from ruamel.yaml.nodes import Node

from kinspect.bundled import rules_dir
from kinspect.errors import KinspectError
from kinspect.inputs.sources import MANIFEST_SUFFIXES, decode
from kinspect.kube.targets import Resource, resources_of
from kinspect.parse.loader import load_documents
from kinspect.ruleset.rules import load_rule
from kinspect.structure import apischema as kubeschema
from kinspect.structure.validate import check_structure
from tests.conftest import CORPUS, ROOT
from tests.support.structure import lenient

SCHEMAS = ROOT / "schemas" / "kubernetes" / kubeschema.SCHEMA_SET

# (file, line, column, severity, message), reviewed by hand.
REVIEWED_UNKNOWN_FIELDS = {
    # networking.k8s.io/v1 Ingress written with the removed v1beta1 backend fields (analyzer
    # test data; the API server refuses it).
    (
        "istio/pkg/config/analysis/analyzers/testdata/misannotated.yaml",
        66,
        11,
        "warning",
        "unknown field `serviceName` in IngressBackend",
    ),
    (
        "istio/pkg/config/analysis/analyzers/testdata/misannotated.yaml",
        67,
        11,
        "warning",
        "unknown field `servicePort` in IngressBackend",
    ),
    # StorageClass parameters written into a pod's rbd volume, where they do nothing.
    (
        "kubernetes-examples/_archived/volumes/rbd/rbd.yaml",
        25,
        9,
        "warning",
        "unknown field `imageformat` in RBDVolumeSource",
    ),
    (
        "kubernetes-examples/_archived/volumes/rbd/rbd.yaml",
        26,
        9,
        "warning",
        "unknown field `imagefeatures` in RBDVolumeSource",
    ),
    # A plain typo.
    (
        "kubernetes-examples/_archived/volumes/scaleio/pod.yaml",
        17,
        7,
        "warning",
        "unknown field `protectionDoamin` in ScaleIOVolumeSource; did you mean `protectionDomain`?",
    ),
    # StorageOS volume sources have no pool, and take secretRef (not secretName).
    (
        "kubernetes-examples/_archived/volumes/storageos/storageos-pod.yaml",
        35,
        9,
        "warning",
        "unknown field `pool` in StorageOSVolumeSource",
    ),
    (
        "kubernetes-examples/_archived/volumes/storageos/storageos-pv.yaml",
        22,
        5,
        "warning",
        "unknown field `secretName` in StorageOSPersistentVolumeSource",
    ),
    # A deliberate typo in kustomize's kubeval example ("Fix this typo").
    (
        "kustomize/functions/examples/validator-kubeval/local-resource/example-use.yaml",
        29,
        3,
        "warning",
        "unknown field `prots` in ServiceSpec; did you mean `ports`?",
    ),
}


@dataclass(frozen=True)
class Parsed:
    file: str
    root: Node
    resource: Resource


@pytest.fixture(scope="module")
def corpus() -> list[Parsed]:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    parsed = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in MANIFEST_SUFFIXES or not path.is_file():
            continue
        name = path.relative_to(CORPUS).as_posix()
        try:
            documents = list(load_documents(decode(path.read_bytes())))
        except KinspectError:
            continue  # unreadable inputs are another test's concern
        parsed += [Parsed(name, d.root, r) for d in documents for r in resources_of(d.data)]
    return parsed


def test_every_unknown_field_in_the_corpus_was_reviewed(corpus: list[Parsed]) -> None:
    rules = (load_rule(rules_dir() / "unknownField.yaml"),)
    found = set()
    for item in corpus:
        structure = check_structure(item.resource, item.root, item.file, rules)
        found |= {
            (r.file, r.line, r.column, r.severity, r.message)
            for r in structure.results
            if not r.passed
        }
    assert found == REVIEWED_UNKNOWN_FIELDS


def test_walk_agrees_with_jsonschema_rs(corpus: list[Parsed]) -> None:
    import jsonschema_rs

    definitions = json.loads((SCHEMAS / "_definitions.json").read_text(encoding="utf-8"))
    registry = jsonschema_rs.Registry([(definitions["$id"], definitions)])
    validators: dict[tuple[str, str], Any] = {}
    for path in SCHEMAS.glob("*-*.json"):
        root = json.loads(path.read_text(encoding="utf-8"))
        (kind,) = root["properties"]["kind"]["enum"]
        for api_version in root["properties"]["apiVersion"]["enum"]:
            validators[(api_version, kind)] = jsonschema_rs.Draft202012Validator(
                root, registry=registry
            )
    compared, disagree = 0, []
    for item in corpus:
        data = item.resource.data
        shape = kubeschema.shape_of(data)
        if shape is None:
            continue
        compared += 1
        walk_invalid = bool(kubeschema.walk(shape, data, {}))
        rust_invalid = not validators[(data["apiVersion"], data["kind"])].is_valid(data)
        if walk_invalid != rust_invalid and not (rust_invalid and lenient(data)):
            disagree.append(f"{item.file}: {item.resource.kind} {item.resource.name}")
    assert compared > 1000
    assert disagree == []
