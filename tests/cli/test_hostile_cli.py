"""End to end: each broken or hostile input is one error line (file, line, cause, hint), the
exit code is 2, and every other input is still inspected and reported."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli

HOSTILE = FIXTURES / "hostile"
JSON_OUTPUT = ("--no-progress", "--format", "json")
PREFIX = "tests/fixtures/hostile/"
GOOD_POD = """apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  hostNetwork: true
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
"""
# file: (line, column, words of the message, words of the hint); None: not known or none.
ERRORS: dict[str, tuple[int | None, int | None, str, str | None]] = {
    "billion-laughs.yaml": (7, 4, "more than 1,000,000 nodes", "--max-nodes"),
    "binary.yaml": (None, None, "binary file", None),
    "comments-only.yaml": (None, None, "no YAML document", "nothing to inspect"),
    "control-char.yaml": (6, 12, "U+0007 is not allowed", "escape"),
    "deep-block.yaml": (1, 201, "deeper than the limit of 100", "--max-depth"),
    "deep-flow.yaml": (1, 101, "deeper than the limit of 100", "--max-depth"),
    "deep-mapping.yaml": (101, 101, "deeper than the limit of 100", "--max-depth"),
    "empty.yaml": (None, None, "empty file", "nothing to inspect"),
    "invalid-json.json": (4, 41, "invalid JSON: Expecting property name", "kubectl"),
    "invalid-utf8.yaml": (4, 12, "invalid UTF-8 (byte 0xe9)", "UTF-8"),
    "invalid-yaml.yaml": (5, 9, "invalid YAML: did not find expected ',' or ']'", None),
    "lone-surrogate.yaml": (4, 17, "invalid Unicode character escape", None),
    "many-documents.yaml": (20002, None, "more than 10,000 documents", "--max-documents"),
    "recursive-alias.yaml": (5, 7, "recursive YAML alias", "contains it"),
    "tabs.yaml": (4, 1, "invalid YAML", "tabs"),
    "utf16-no-bom.yaml": (1, None, "binary file", "UTF-16 without a byte order mark"),
}
_LINE = re.compile(r"^kinspect: (?P<file>\S+?)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<rest>.*)$")


def errors_by_file(stderr: str) -> dict[str, list[re.Match[str]]]:
    """Error lines of a run, by file; every stderr line must be a `kinspect:` line."""
    found: dict[str, list[re.Match[str]]] = {}
    for line in stderr.splitlines():
        match = _LINE.match(line)
        assert match, f"not a one-line error: {line!r}"
        found.setdefault(match["file"], []).append(match)
    return found


def failures(data: dict[str, Any], file: str, check: str) -> list[tuple[int, int]]:
    """(line, column) of the failures of `check` in `file`."""
    return [
        (r["line"], r["column"])
        for r in data["results"]
        if r["file"] == file and r["check"] == check and not r["passed"]
    ]


@pytest.fixture(scope="module")
def hostile() -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = run_cli("lint", "--no-progress", "--format", "json", "tests/fixtures/hostile")
    return proc, json.loads(proc.stdout)


def test_hostile_inputs_exit_2(hostile: tuple[subprocess.CompletedProcess[str], Any]) -> None:
    assert hostile[0].returncode == 2, hostile[0].stderr


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_each_problem_is_one_line_with_place_cause_and_hint(
    hostile: tuple[subprocess.CompletedProcess[str], Any], name: str
) -> None:
    line, column, words, hint = ERRORS[name]
    (match,) = errors_by_file(hostile[0].stderr)[PREFIX + name]
    assert match["line"] == (str(line) if line else None)
    assert match["col"] == (str(column) if column else None)
    assert words in match["rest"]
    if hint is not None:
        assert hint in match["rest"].partition(" (hint: ")[2], match["rest"]
    (reported,) = [e for e in hostile[1]["errors"] if e["file"] == PREFIX + name]
    assert reported["line"] == line


def test_only_the_broken_inputs_have_errors(
    hostile: tuple[subprocess.CompletedProcess[str], Any],
) -> None:
    assert set(errors_by_file(hostile[0].stderr)) == {PREFIX + name for name in ERRORS}


@pytest.mark.parametrize("name", ["bom-utf8.yaml", "bom-utf16le.yaml", "bom-utf16be.yaml"])
def test_byte_order_marks_are_valid_and_keep_positions(
    hostile: tuple[subprocess.CompletedProcess[str], Any], name: str
) -> None:
    assert failures(hostile[1], PREFIX + name, "hostNetworkSet") == [(6, 3)]


def test_good_inputs_beside_broken_ones_are_still_inspected(
    hostile: tuple[subprocess.CompletedProcess[str], Any],
) -> None:
    data = hostile[1]
    # A JSON syntax error is reported, and the YAML reading of the file is still inspected.
    assert failures(data, PREFIX + "invalid-json.json", "hostNetworkSet") == [(5, 12)]
    assert failures(data, PREFIX + "duplicate-keys.yaml", "duplicateKey") == [(7, 3)]
    assert failures(data, PREFIX + "duplicate-keys.yaml", "hostNetworkSet") == [(7, 3)]
    assert failures(data, PREFIX + "nasty-strings.yaml", "hostNetworkSet") == [(9, 3)]
    # type-confusion.yaml: hostPID is still judged while `containers` is a mapping.
    assert failures(data, PREFIX + "type-confusion.yaml", "hostPIDSet") == [(10, 7)]
    # The 10,000 documents before the document limit were read (and skipped: not objects).
    assert data["summary"]["documents"] >= 10_000


def test_scalar_and_list_documents_are_skipped_and_counted() -> None:
    proc = run_cli(
        "lint", "--no-progress", "--format", "json", PREFIX + "scalar.yaml", PREFIX + "list.yaml"
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert (summary["documents"], summary["skipped_documents"], summary["resources"]) == (3, 3, 0)


def test_python_tags_build_plain_data_and_run_nothing(tmp_path: Path) -> None:
    marker = Path("/tmp/kinspect-pwned")  # what the tag in python-tag.yaml would create
    marker.unlink(missing_ok=True)
    proc = run_cli("lint", "--no-progress", "--format", "json", PREFIX + "python-tag.yaml")
    assert not marker.exists()
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["summary"]["resources_by_kind"] == {"ConfigMap": 1}


def _lint_dir(directory: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kinspect", "lint", "--no-progress", "--format", "json", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _assert_good_inspected(proc: subprocess.CompletedProcess[str], file: str) -> None:
    data = json.loads(proc.stdout)
    assert failures(data, file, "hostNetworkSet") == [(6, 3)], proc.stderr


def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD_POD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    proc = _lint_dir(tmp_path, ".")
    assert proc.returncode == 2
    errors = {f: m[0]["rest"] for f, m in errors_by_file(proc.stderr).items()}
    assert errors == {
        "a.yaml": "symbolic link loop (hint: the link points back at itself through other links)",
        "b.yaml": "symbolic link loop (hint: the link points back at itself through other links)",
        "dangling.yaml": "broken symbolic link (hint: its target does not exist)",
        "sub/up": "directory symlink loop (hint: the directory was already walked)",
    }
    _assert_good_inspected(proc, "good.yaml")


def test_fifo_in_a_walk_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD_POD)
    os.mkfifo(tmp_path / "pipe.yaml")
    proc = _lint_dir(tmp_path, ".", timeout=60)  # reading the FIFO would block forever
    assert proc.returncode == 2
    (match,) = errors_by_file(proc.stderr)["pipe.yaml"]
    assert match["rest"].startswith("not a regular file (a named pipe)")
    _assert_good_inspected(proc, "good.yaml")


def test_fifo_given_explicitly_is_read(tmp_path: Path) -> None:
    """`kinspect lint <(helm template ...)`: a pipe named on the command line is read."""
    pipe = tmp_path / "rendered.yaml"
    os.mkfifo(pipe)

    def feed() -> None:
        with pipe.open("w") as handle:
            handle.write(GOOD_POD)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    proc = _lint_dir(tmp_path, str(pipe))
    writer.join(timeout=10)
    assert proc.returncode == 1, proc.stderr  # the pod's hostNetwork: true
    _assert_good_inspected(proc, str(pipe))


def _unprivileged() -> list[str]:
    """A command prefix without root's power to read any file (for the permission tests)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_permission_denied_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD_POD)
    (tmp_path / "secret.yaml").write_text(GOOD_POD)
    (tmp_path / "secret.yaml").chmod(0)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inner.yaml").write_text(GOOD_POD)
    (tmp_path / "locked").chmod(0)
    try:
        proc = subprocess.run(
            [*_unprivileged(), sys.executable, "-m", "kinspect", "lint", *JSON_OUTPUT, "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert proc.returncode == 2
    errors = {f: m[0]["rest"] for f, m in errors_by_file(proc.stderr).items()}
    assert errors == {
        "locked": "cannot read directory: Permission denied",
        "secret.yaml": "permission denied (hint: check the file's permissions)",
    }
    _assert_good_inspected(proc, "good.yaml")


VANISH = """
import sys, os
from pathlib import Path
from kinspect.engine.run import Settings, inspect_sources
from kinspect.ruleset.rules import load_rules
from kinspect.inputs.sources import collect
sources, _ = collect(["."])
os.remove("gone.yaml")
Path("locked.yaml").chmod(0)
os.remove("dir.yaml")
os.mkdir("dir.yaml")
outcome = inspect_sources(sources, Settings(tuple(load_rules())))
for problem in outcome.problems:
    print(problem.render())
print(sorted(outcome.resources.items()))
"""


def test_files_that_vanish_or_become_unreadable_after_the_walk(tmp_path: Path) -> None:
    for name in ("good.yaml", "gone.yaml", "locked.yaml", "dir.yaml"):
        (tmp_path / name).write_text(GOOD_POD)
    proc = subprocess.run(
        [*_unprivileged(), sys.executable, "-c", VANISH],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "dir.yaml: is a directory",
        "gone.yaml: file disappeared before it could be read",
        "locked.yaml: permission denied (hint: check the file's permissions)",
        "[('Pod', 1)]",
    ]


def test_limits_are_options_and_hit_one_input_only(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD_POD)
    (tmp_path / "big.yaml").write_text(GOOD_POD + "# padding\n" * 200)
    (tmp_path / "nested.yaml").write_text(GOOD_POD.replace("name: good", "name: {a: {b: [[1]]}}"))
    (tmp_path / "three.yaml").write_text(GOOD_POD + "---\n" + GOOD_POD + "---\n" + GOOD_POD)
    aliases = "x: &x [1, 2, 3]\ny: [*x, *x, *x, *x, *x, *x, *x, *x, *x]\n"  # 44 nodes
    (tmp_path / "aliases.yaml").write_text(GOOD_POD + "---\n" + aliases)
    proc = _lint_dir(
        tmp_path,
        *("--max-file-size", "1K", "--max-depth", "5", "--max-documents", "2"),
        *("--max-nodes", "30", "."),  # a pod here has 21 to 25 nodes
    )
    assert proc.returncode == 2
    errors = {f: m[0]["rest"] for f, m in errors_by_file(proc.stderr).items()}
    assert errors == {
        "aliases.yaml": "document has more than 30 nodes once aliases are expanded (hint: an "
        "alias bomb (billion laughs) looks like this; raise --max-nodes if it is real)",
        "big.yaml": "larger than the limit of 1,024 bytes (hint: raise --max-file-size)",
        "nested.yaml": "nested deeper than the limit of 5 levels (hint: real manifests nest "
        "fewer than 40 levels; raise --max-depth if this one is real)",
        "three.yaml": "more than 2 documents in one file (hint: split the file or raise "
        "--max-documents)",
    }
    data = json.loads(proc.stdout)
    # Documents before the one that broke a limit are still inspected.
    for name in ("good.yaml", "aliases.yaml"):
        assert failures(data, name, "hostNetworkSet") == [(6, 3)]
    assert len(failures(data, "three.yaml", "hostNetworkSet")) == 2


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-file-size", "0"), ("--max-file-size", "8T"), ("--max-depth", "251")],
)
def test_bad_limit_values_are_usage_errors(option: str, value: str) -> None:
    proc = run_cli("lint", option, value, PREFIX + "scalar.yaml")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) <= 6  # click's usage block or one line
    assert "Traceback" not in proc.stderr


def test_control_characters_in_file_names_stay_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad\nname\x1b[31m.yaml").write_text("a: [\n")
    (tmp_path / b"latin\xe9.yaml".decode("utf-8", "surrogateescape")).write_text(GOOD_POD)
    proc = _lint_dir(tmp_path, ".")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("kinspect: bad\\x0aname\\x1b[31m.yaml:2:1: invalid YAML")
    _assert_good_inspected(proc, "latin\\xe9.yaml")
