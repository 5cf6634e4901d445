"""What `kinspect fix` writes in a hostile tree: only regular, single-link, writable files
inside the paths given, with their owner, group and mode; each refusal is one line, exit 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kinspect.fix.write import TEMPORARY_SUFFIX, WriteRefused, write_atomic
from tests.conftest import FIXTURES, run_cli

POD = (FIXTURES / "fix" / "hostNetworkSet" / "fail-block-comments.yaml").read_text(encoding="utf-8")
CHECK = ["--checks", "hostNetworkSet"]


def fix(*args: str, cwd: Path | None = None) -> tuple[int, list[str]]:
    proc = run_cli("fix", *CHECK, *args, cwd=cwd)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stderr.splitlines()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """`repo/` (what is given to kinspect fix) next to `outside/` (what must not change)."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "target.yaml").write_text(POD, encoding="utf-8")
    return tmp_path


def outside_refusal(name: str, real: Path) -> str:
    return (
        f"kinspect: {name}: not written: the file is {real}, outside the paths given (hint: give"
        " a directory that holds it to kinspect fix, if it is to be fixed)"
    )


def test_a_symlink_out_of_the_tree_is_not_written_through(tree: Path) -> None:
    target = tree / "outside" / "target.yaml"
    (tree / "repo" / "link.yaml").symlink_to("../outside/target.yaml")
    code, lines = fix("repo", cwd=tree)
    assert code == 2
    assert outside_refusal("repo/link.yaml", target) in lines
    code, lines = fix("repo/link.yaml", cwd=tree)  # named: still the repository's link
    assert code == 2
    assert outside_refusal("repo/link.yaml", target) in lines
    assert target.read_text(encoding="utf-8") == POD


def test_a_symlinked_directory_out_of_the_tree_is_not_written(tree: Path) -> None:
    (tree / "repo" / "k8s").symlink_to("../outside")
    code, lines = fix("repo", cwd=tree)
    assert code == 2
    assert outside_refusal("repo/k8s/target.yaml", tree / "outside" / "target.yaml") in lines
    assert (tree / "outside" / "target.yaml").read_text(encoding="utf-8") == POD


def test_a_directory_named_in_the_working_directory_must_resolve_inside_it(tree: Path) -> None:
    """`kinspect fix k8s` in a clone where `k8s -> ../outside`: the path given resolves out
    of the working directory, so nothing under it is written."""
    repo = tree / "repo"
    (repo / "k8s").symlink_to("../outside")
    target = tree / "outside" / "target.yaml"
    for given in ("k8s", "k8s/target.yaml", "./k8s/"):
        code, lines = fix(given, cwd=repo)
        assert code == 2
        name = given.rstrip("/")
        name = name if name.endswith(".yaml") else f"{name}/target.yaml"
        assert outside_refusal(name, target) in lines
    assert target.read_text(encoding="utf-8") == POD
    code, lines = fix("../outside", cwd=repo)  # named for what it is: fixed
    assert code == 0, lines
    assert "hostNetwork" not in target.read_text(encoding="utf-8")


def test_a_symlink_inside_the_tree_is_written_through(tree: Path) -> None:
    (tree / "repo" / "real.yaml").write_text(POD, encoding="utf-8")
    (tree / "repo" / "link.yaml").symlink_to("real.yaml")
    code, lines = fix("repo/link.yaml", cwd=tree)
    assert code == 0, lines
    assert (tree / "repo" / "link.yaml").is_symlink()
    assert "hostNetwork" not in (tree / "repo" / "real.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("entry", ["../../../outside/target.yaml", "ABSOLUTE", "inner.yaml"])
def test_kustomize_resources_outside_the_root_are_refused(tree: Path, entry: str) -> None:
    """kustomize build refuses resource files outside the kustomization's directory (after
    resolving links); kinspect fix does not write them either."""
    target = tree / "outside" / "target.yaml"
    kustomization = tree / "repo" / "overlays" / "prod"
    kustomization.mkdir(parents=True)
    if entry == "ABSOLUTE":
        entry = str(target)
    if entry == "inner.yaml":
        (kustomization / "inner.yaml").symlink_to(target)  # inside by name only
    (kustomization / "kustomization.yaml").write_text(f"resources:\n  - {entry}\n")
    code, lines = fix("repo", cwd=tree)
    assert code == 2
    message = (
        f"kinspect: repo/overlays/prod: kustomize resource {entry} not fixed: it is outside the"
        " kustomization root repo/overlays/prod, which kustomize refuses too"
    )
    assert message in lines
    assert target.read_text(encoding="utf-8") == POD


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    """Even for root, whom the mode does not stop: it says what the owner meant."""
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD, encoding="utf-8")
    pod.chmod(0o444)
    code, lines = fix(str(pod))
    assert code == 2
    refusal = f"kinspect: {pod}: not written: the file is read-only (hint: chmod u+w it to have"
    assert any(line.startswith(refusal) for line in lines)
    assert not any(": fixed " in line for line in lines)
    assert pod.read_text(encoding="utf-8") == POD


def test_hard_links_are_not_split(tmp_path: Path) -> None:
    """Writing through them would change a file that other paths name, maybe outside."""
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD, encoding="utf-8")
    other = tmp_path / "elsewhere.yaml"
    os.link(pod, other)
    code, lines = fix(str(pod))
    assert code == 2
    refusal = f"kinspect: {pod}: not written: the file has 2 hard links, which replacing it"
    assert any(line.startswith(refusal) for line in lines)
    assert os.path.samefile(pod, other) and pod.read_text(encoding="utf-8") == POD


def test_mode_owner_and_group_are_kept(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD, encoding="utf-8")
    pod.chmod(0o640)
    owner = (12345, 23456) if os.getuid() == 0 else (os.getuid(), os.getgid())
    os.chown(pod, *owner)  # as root: a user's file must not become root's
    assert fix(str(pod))[0] == 0
    status = pod.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (*owner, 0o640)
    assert "hostNetwork" not in pod.read_text(encoding="utf-8")


def test_a_non_regular_file_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(WriteRefused) as refused:
        write_atomic(fifo, b"", b"fixed\n")  # does not block on the FIFO either
    assert refused.value.reason == "notRegular"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_temporary_file_left_by_a_killed_fix_is_never_read(tmp_path: Path) -> None:
    """A fix killed between writing its temporary file and renaming it leaves that file; no
    later run takes it for a manifest."""
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD, encoding="utf-8")
    child = os.fork()
    if child == 0:  # the fix, killed just before the rename
        os.replace = lambda *args: os.kill(os.getpid(), 9)  # type: ignore[assignment]
        try:
            write_atomic(pod, POD.encode(), b"kind: Pod\nspec: {hostPID: true}\n")
        finally:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == -9
    (left,) = [p for p in tmp_path.iterdir() if p.name != "pod.yaml"]
    assert left.name.startswith(".pod.yaml.") and left.name.endswith(TEMPORARY_SUFFIX)
    assert "hostPID" in left.read_text(encoding="utf-8")
    linted = run_cli("lint", "--format", "json", "--include-hidden", str(tmp_path))
    assert '"hostPIDSet"' not in linted.stdout
    code, lines = fix(str(tmp_path))
    assert (
        code == 0
        and lines[-1] == "kinspect: 1 finding(s) fixed in 1 file(s), 0 left to fix by hand"
    )
    assert left.read_text(encoding="utf-8") == "kind: Pod\nspec: {hostPID: true}\n"
