"""kustomize: each finding on the file and line that set the field, and named by its build.

The tree tests/fixtures/kustomize/layers is built with the real `kubectl kustomize`:
- overlays/dev: a strategic-merge patch that adds a container and changes another, an inline
  JSON 6902 patch, `images:` (sets the tag), `replicas:`, two configMapGenerators;
- overlays/prod: a JSON 6902 patch file, `images:` that only renames (the tag is the base's),
  `commonLabels:`;
- overlays/twin: builds prod again under one more kustomization.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, lint_json, run_cli

LAYERS = FIXTURES / "kustomize" / "layers"
NAME = "tests/fixtures/kustomize/layers"
DEV = f"{NAME}/overlays/dev"


def failing(
    report: dict[str, Any], check: str, namespace: str, container: str | None = None
) -> Any:
    found = [
        r
        for r in report["results"]
        if not r["passed"]
        and r["check"] == check
        and r["resource"]["namespace"] == namespace
        and (container is None or r["container"] == container)
    ]
    assert len(found) == 1, (check, namespace, container, found)
    return found[0]


def at(result: dict[str, Any]) -> tuple[str, str]:
    """The result's file (under the tree) and the text of its line, stripped."""
    lines = (LAYERS.parent.parent.parent.parent / result["file"]).read_text().splitlines()
    assert result["file"].startswith(NAME + "/")
    return result["file"][len(NAME) + 1 :], lines[result["line"] - 1].strip()


def test_a_container_added_by_a_patch_is_reported_in_the_patch() -> None:
    report = lint_json(DEV)
    assert report["errors"] == []
    tag = failing(report, "tagNotSpecified", "dev", "proxy")
    assert at(tag) == ("overlays/dev/sidecar.yaml", "image: example/proxy:latest")
    escalation = failing(report, "privilegeEscalationAllowed", "dev", "proxy")
    assert at(escalation) == ("overlays/dev/sidecar.yaml", "allowPrivilegeEscalation: true")
    probe = failing(report, "livenessProbeMissing", "dev", "proxy")
    assert at(probe) == ("overlays/dev/sidecar.yaml", "- name: proxy")
    assert probe["column"] == 11  # the item's first key, as in a plain file
    # The patch changed the base's container: the field it set is on the patch's line, what it
    # did not set stays on the base's.
    root = failing(report, "runAsRootAllowed", "dev", "api")
    assert at(root) == ("overlays/dev/sidecar.yaml", "runAsUser: 0")
    api_probe = failing(report, "livenessProbeMissing", "dev", "api")
    assert at(api_probe) == ("base/api.yaml", "- name: api")


def test_no_container_finding_lands_on_another_container() -> None:
    report = lint_json(NAME)
    checked = 0
    for result in report["results"]:
        if result["passed"] or not result["container"]:
            continue
        file = Path(result["file"]).resolve()
        if not file.name.endswith(".yaml") or file.name == "kustomization.yaml":
            continue
        lines = file.read_text().splitlines()[: result["line"]]
        names = [m.group(1) for m in map(re.compile(r"^\s*- name: (\S+)").match, lines) if m]
        if names:  # the container item the line belongs to (ops.yaml has none)
            assert names[-1] == result["container"], result
            checked += 1
    assert checked > 30


def test_json_6902_patches_inline_and_in_files() -> None:
    report = lint_json(NAME)
    host_pid = failing(report, "hostPIDSet", "dev")
    assert at(host_pid) == ("overlays/dev/kustomization.yaml", "value: true")
    assert host_pid["column"] == 9  # inside the inline block scalar
    privileged = failing(report, "runAsPrivileged", "prod")
    assert at(privileged) == ("overlays/prod/ops.yaml", "privileged: true")
    added = failing(report, "capabilitiesAdded", "prod")
    assert at(added) == ("overlays/prod/ops.yaml", "add: [SYS_ADMIN]")
    # The replaced securityContext no longer holds the base's fields: findings go to the patch.
    hardening = failing(report, "notReadOnlyRootFileSystem", "prod")
    assert at(hardening) == ("overlays/prod/ops.yaml", "value:")
    host = failing(report, "hostNetworkSet", "prod")
    assert at(host) == ("overlays/prod/ops.yaml", "value: true")


def test_transformers_point_at_the_kustomization_line() -> None:
    report = lint_json(NAME)
    replicas = failing(report, "deploymentMissingReplicas", "dev")
    assert at(replicas) == ("overlays/dev/kustomization.yaml", "count: 1")
    # dev's images: sets the tag, so the base's `latest` is not reported there; prod's only
    # renames the image, so its tag is the base's.
    assert not [
        r
        for r in report["results"]
        if r["check"] == "tagNotSpecified"
        and not r["passed"]
        and (r["resource"]["namespace"], r["container"]) == ("dev", "api")
    ]
    tag = failing(report, "tagNotSpecified", "prod")
    assert at(tag) == ("base/api.yaml", "image: example/api:latest")
    # A label key holding dots, set by commonLabels.
    instance = failing(report, "metadataAndInstanceMismatched", "prod")
    assert at(instance) == (
        "overlays/prod/kustomization.yaml",
        "app.kubernetes.io/instance: payments",
    )


def test_generated_config_maps_point_at_their_generator() -> None:
    report = lint_json(DEV)
    secrets = {
        r["path"]: at(r)
        for r in report["results"]
        if r["check"] == "sensitiveConfigmapContent" and not r["passed"]
    }
    assert secrets == {
        "data.DB_PASSWORD": ("overlays/dev/kustomization.yaml", "- DB_PASSWORD=hunter2"),
        "data.API_TOKEN": ("overlays/dev/tokens.env", "API_TOKEN=abc123"),
    }


def test_each_finding_names_its_build() -> None:
    report = lint_json(NAME)
    builds = {r["resource"]["namespace"]: r["build"] for r in report["results"]}
    assert builds == {"dev": DEV, "prod": f"{NAME}/overlays/twin"}
    plain = lint_json(f"{NAME}/base/api.yaml")
    assert {r["build"] for r in plain["results"]} == {None}


def test_two_overlays_of_one_base(tmp_path: Path) -> None:
    shutil.copytree(LAYERS / "base", tmp_path / "base")
    overlay = "resources:\n  - ../base\nnamespace: shop\n"
    for name in ("blue", "green"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "kustomization.yaml").write_text(overlay)
    same = lint_json(".", cwd=tmp_path)
    keys = [(r["check"], r["line"], r["container"]) for r in same["results"]]
    assert len(keys) == len(set(keys))  # identical objects: once
    assert {r["build"] for r in same["results"]} == {"blue"}
    (tmp_path / "green" / "kustomization.yaml").write_text(overlay + "commonLabels: {tier: a}\n")
    both = lint_json(".", cwd=tmp_path)
    privileged = [r for r in both["results"] if r["check"] == "runAsPrivileged"]
    assert sorted(r["build"] for r in privileged) == ["blue", "green"]
    assert {(r["file"], r["line"]) for r in privileged} == {("base/api.yaml", 22)}
    text = run_cli("lint", ".", cwd=tmp_path).stdout
    assert "    build: blue\n" in text and "    build: green\n" in text
    for option, expected in (
        ("sarif", '"build": "green"'),
        ("junit", "(green)"),
        ("markdown", "(build: green)"),
        ("gitlab", "(build: green)"),
        ("html", '"green"'),
    ):
        proc = run_cli("lint", ".", "--format", option, cwd=tmp_path)
        assert expected in proc.stdout, option


def test_untrusted_patterns_and_paths_are_read_safely(tmp_path: Path) -> None:
    from kinspect.inputs.kustomize_layers import name_matches
    from kinspect.inputs.kustomize_tree import read_small

    names = ("api", "dev-api")
    assert name_matches("api", names) and name_matches("dev-api", names)
    assert name_matches("a.*", names) and name_matches("^dev-.*$", names)
    assert not name_matches("web", names)
    # Patterns Python would backtrack on for ever are not tried (kustomize's RE2 would be).
    slow = ("a" * 60 + "!", "x")
    assert not name_matches("(a+)+$", slow) and not name_matches(".*.*.*.*a", slow)
    assert read_small("/dev/zero") is None and read_small(str(tmp_path)) is None
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (9 * 1024 * 1024))
    assert read_small(str(big)) is None
