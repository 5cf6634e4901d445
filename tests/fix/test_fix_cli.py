"""`kinspect fix` end to end: writes, --diff, check selection, stdin, refusals, safe writes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from kinspect.fix.write import ChangedOnDisk, write_atomic
from tests.conftest import FIXTURES, run_cli

GOLDEN = FIXTURES / "fix"
POD = (GOLDEN / "hostNetworkSet" / "fail-block-comments.yaml").read_text(encoding="utf-8")
FIXED_POD = (GOLDEN / "hostNetworkSet" / "fixed-block-comments.yaml").read_text(encoding="utf-8")
CHECK = ["--checks", "hostNetworkSet"]


@pytest.fixture
def pod(tmp_path: Path) -> Path:
    path = tmp_path / "agent.yaml"
    path.write_text(POD, encoding="utf-8")
    return path


def test_fix_writes_the_file_and_a_second_run_finds_nothing(pod: Path) -> None:
    proc = run_cli("fix", *CHECK, str(pod))
    assert proc.returncode == 0, proc.stderr
    assert pod.read_text(encoding="utf-8") == FIXED_POD
    assert f"{pod}: fixed 1 finding(s): hostNetworkSet" in proc.stderr
    assert proc.stdout == ""
    again = run_cli("fix", *CHECK, str(pod))
    assert again.returncode == 0 and "nothing to fix" in again.stderr


def test_diff_writes_nothing_and_the_diff_applies(pod: Path, tmp_path: Path) -> None:
    proc = run_cli("fix", "--diff", *CHECK, "agent.yaml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert pod.read_text(encoding="utf-8") == POD
    assert proc.stdout.startswith("--- a/agent.yaml\n+++ b/agent.yaml\n@@ ")
    assert "-      hostNetwork: true   # see ticket OPS-1234\n" in proc.stdout
    assert "would fix 1 finding(s)" in proc.stderr
    patched = subprocess.run(
        ["patch", "-p1", "-s"], input=proc.stdout, text=True, cwd=tmp_path, check=False
    )
    assert patched.returncode == 0
    assert pod.read_text(encoding="utf-8") == FIXED_POD
    clean = run_cli("fix", "--diff", *CHECK, "agent.yaml", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_checks_and_skip_checks_choose_the_fixes(tmp_path: Path) -> None:
    source = GOLDEN / "core" / "fail-deployment.yaml"
    only = tmp_path / "only.yaml"
    skip = tmp_path / "skip.yaml"
    for path in (only, skip):
        shutil.copyfile(source, path)
    assert run_cli("fix", "--checks", "hostNetworkSet,hostPIDSet", str(only)).returncode == 0
    text = only.read_text(encoding="utf-8")
    assert "hostNetwork" not in text and "hostPID" not in text and "privileged: true" in text
    proc = run_cli("fix", "--skip-checks", "hostNetworkSet", str(skip))
    assert proc.returncode == 0, proc.stderr
    text = skip.read_text(encoding="utf-8")
    assert "hostNetwork: true" in text and "hostPID" not in text and "privileged: false" in text
    unknown = run_cli("fix", "--checks", "noSuchCheck", str(only))
    assert unknown.returncode == 2 and "noSuchCheck" in unknown.stderr


def test_stdin_gives_the_fixed_text() -> None:
    proc = run_cli("fix", *CHECK, "-", stdin=POD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == FIXED_POD
    diff = run_cli("fix", "--diff", *CHECK, "-", stdin=POD)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/-\n")
    rendered = "# Source: web/templates/pod.yaml\n" + POD
    refused = run_cli("fix", *CHECK, "-", stdin=rendered)
    assert refused.returncode == 0 and refused.stdout == rendered
    assert "Helm-rendered output not fixed" in refused.stderr


def test_chinese_messages(pod: Path) -> None:
    proc = run_cli("fix", "--lang", "zh", "--checks", "hostNetworkSet,tagNotSpecified", str(pod))
    assert proc.returncode == 0, proc.stderr
    assert f"{pod}：已修复 1 个问题：hostNetworkSet" in proc.stderr


def test_parse_errors_are_reported_and_other_files_still_fixed(pod: Path, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    proc = run_cli("fix", *CHECK, str(tmp_path))
    assert proc.returncode == 2
    assert f"{tmp_path}/broken.yaml:2:1: invalid YAML" in proc.stderr
    assert pod.read_text(encoding="utf-8") == FIXED_POD


def test_config_exemptions_are_not_fixed(pod: Path, tmp_path: Path) -> None:
    (tmp_path / ".kinspect.yaml").write_text(
        "exemptions:\n  - checks: [hostNetworkSet]\n    names: [node-agent]\n"
        "    reason: needs node metrics\n",
        encoding="utf-8",
    )
    proc = run_cli("fix", *CHECK, "agent.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert pod.read_text(encoding="utf-8") == POD
    assert "nothing to fix" in proc.stderr


def test_helm_charts_templates_and_rendered_output_are_left_alone(tmp_path: Path) -> None:
    chart = tmp_path / "webapp"
    shutil.copytree(FIXTURES / "helm" / "webapp", chart)
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text("---\n# Source: webapp/templates/pod.yaml\n" + POD, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    proc = run_cli("fix", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert f"note: {chart}: Helm chart not fixed" in proc.stderr
    assert "rendered.yaml: Helm-rendered output not fixed" in proc.stderr
    assert "webapp/templates/pod.yaml" in proc.stderr
    template = run_cli("fix", str(chart / "templates" / "deployment.yaml"))
    assert "Helm template not fixed" in template.stderr


def test_kustomize_output_names_the_file_to_change(tmp_path: Path) -> None:
    origin = "    config.kubernetes.io/origin: |\n      path: base/agent.yaml\n"
    built = POD.replace("  namespace: monitoring", "  annotations:\n" + origin + "  namespace: x")
    output = tmp_path / "built.yaml"
    output.write_text(built, encoding="utf-8")
    proc = run_cli("fix", str(output))
    assert proc.returncode == 0, proc.stderr
    assert output.read_text(encoding="utf-8") == built
    assert "kustomize output not fixed (hint: change base/agent.yaml instead)" in proc.stderr


def test_a_kustomization_fixes_its_resources_not_its_patches(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "kustomize" / "shop", shop)
    patch = shop / "overlays" / "prod" / "host-network.yaml"
    patch_text = patch.read_text(encoding="utf-8")
    web = shop / "base" / "web.yaml"
    web_text = web.read_text(encoding="utf-8")
    proc = run_cli("fix", str(shop))
    assert proc.returncode == 0, proc.stderr
    assert patch.read_text(encoding="utf-8") == patch_text
    assert web.read_text(encoding="utf-8") != web_text
    assert "shop/base/web.yaml: fixed" in proc.stderr


def test_an_overlay_alone_does_not_write_its_base(tmp_path: Path) -> None:
    """The base lies outside the path given: named, not written (exit code 2)."""
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "kustomize" / "shop", shop)
    web = shop / "base" / "web.yaml"
    web_text = web.read_text(encoding="utf-8")
    proc = run_cli("fix", str(shop / "overlays" / "prod"))
    assert proc.returncode == 2, proc.stderr
    assert web.read_text(encoding="utf-8") == web_text
    refusal = (
        f"kinspect: {shop}/base/web.yaml: not written: the file is {web}, outside the paths"
        " given (hint: give a directory that holds it to kinspect fix, if it is to be fixed)"
    )
    assert refusal in proc.stderr.splitlines()
    assert f"{shop}/overlays/prod/../../base/web.yaml" not in proc.stderr
    assert "base/web.yaml: fixed" not in proc.stderr


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"changed by someone else\n")
    with pytest.raises(ChangedOnDisk):
        write_atomic(path, b"what was read\n", b"fixed\n")
    assert path.read_bytes() == b"changed by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]  # no temporary file left


def test_write_atomic_keeps_the_mode_and_writes_through_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    write_atomic(link, b"old\n", b"new\n")
    assert link.is_symlink() and target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_utf16_files_keep_their_encoding(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_bytes(b"\xff\xfe" + POD.encode("utf-16-le"))
    assert run_cli("fix", *CHECK, str(path)).returncode == 0
    assert path.read_bytes() == b"\xff\xfe" + FIXED_POD.encode("utf-16-le")


def test_baselined_findings_are_not_fixed(pod: Path, tmp_path: Path) -> None:
    written = run_cli(
        "lint", *CHECK, "--write-baseline", "baseline.json", "agent.yaml", cwd=tmp_path
    )
    assert written.returncode == 0, written.stderr
    proc = run_cli("fix", *CHECK, "--baseline", "baseline.json", "agent.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert pod.read_text(encoding="utf-8") == POD
    assert "nothing to fix" in proc.stderr
