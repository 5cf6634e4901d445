"""Start-up: `kinspect lint` on one small file imports only what such a run needs.

The pre-commit hook starts kinspect on every commit, so every module a small run imports is
paid each time. These tests pin which modules stay out (the time itself is bench/bench.py's).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinspect.structure import apischema as kubeschema
from tests.conftest import FIXTURES, ROOT

SMALL = FIXTURES / "cli" / "list.yaml"
# The rule cache on (whatever the caller's environment says), in a directory of the test's.
BASE_ENV = {k: v for k, v in os.environ.items() if k not in ("KINSPECT_NO_CACHE", "KINSPECT_JOBS")}

NEVER_IMPORTED = {
    # a process pool starts for 64 plain files or more (kinspect/engine/parallel.py)
    "multiprocessing",
    # pure-Python JSON Schema: validates rule files on a rule-cache miss only
    "jsonschema",
    # rule-cache keys come from zlib; the cache is written only when it changed
    "hashlib",
    "tempfile",
    # inputs other than plain files
    "kinspect.inputs.helm",
    "kinspect.inputs.helm_map",
    "kinspect.inputs.kustomize",
    "kinspect.inputs.kustomize_map",
    "kinspect.inputs.cluster",
    "kinspect.inputs.cluster_kinds",
    "kinspect.inputs.changed",
    "kinspect.inputs.tools",
    # options the run does not use: Polaris config, baseline, ignores to judge
    "kinspect.config.polaris",
    "kinspect.config.baseline",
    "kinspect.suppress.unused",
    # other commands and the Python API
    "kinspect.server.daemon",
    "kinspect.server.fork",
    "kinspect.api",
    "kinspect.cli.docs",
    "kinspect.fix.fixer",
    "kinspect.fix.apply",
    "kinspect.fix.plan",
    "kinspect.fix.files",
    "kinspect.fix.sarif",
    "kinspect.fix.sources",
    "kinspect.fix.texts",
    "kinspect.fix.textedit",
    "kinspect.fix.yamledit",
    # typer's rich output is for help and errors only
    "rich",
}


# `python -m kinspect ARGS`, reporting every module loaded when it exits (-X importtime
# would miss those loaded through importlib, such as the reporters).
WRAPPER = """
import atexit, runpy, sys
atexit.register(lambda: print("MODULES", *sorted(sys.modules), file=sys.stderr))
sys.argv[0] = "kinspect"
runpy.run_module("kinspect", run_name="__main__", alter_sys=True)
"""


def imported_modules(*args: str, cache: Path) -> set[str]:
    """Every module `python -m kinspect ARGS` has loaded when it exits, rule cache warm."""
    env = {**BASE_ENV, "KINSPECT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", WRAPPER, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
        )
        for _ in range(2)  # the first one fills the rule cache
    ]
    proc = runs[-1]
    assert proc.returncode == 1, proc.stderr  # list.yaml fails hostPIDSet
    assert "hostPIDSet" in proc.stdout
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("MODULES ")]
    return set(line.split()[1:])


@pytest.mark.parametrize(
    ("args", "reporter"),
    [
        ((), "text"),
        (("--format", "json"), "json"),
        (("--quiet",), "text"),  # the pre-commit hook (.pre-commit-hooks.yaml)
    ],
)
def test_a_small_lint_imports_only_what_it_needs(
    args: tuple[str, ...], reporter: str, tmp_path: Path
) -> None:
    modules = imported_modules("lint", *args, str(SMALL), cache=tmp_path)
    assert {
        "kinspect.engine.run",
        "kinspect.check.relations",
        "ruamel.yaml",
    } <= modules  # it did run
    assert sorted(NEVER_IMPORTED & modules) == []
    reporters = {m for m in modules if m.startswith("kinspect.report.formats.") and "_format" in m}
    assert reporters == {f"kinspect.report.formats.{reporter}_format"}


def test_a_cold_rule_cache_is_filled_and_then_used(tmp_path: Path) -> None:
    """The laziness above holds with a warm cache; a cold one validates rules (jsonschema)."""
    env = {**BASE_ENV, "KINSPECT_CACHE_DIR": str(tmp_path)}
    script = (
        "import sys; from kinspect.ruleset.rules import load_rules; load_rules(); "
        "print(*sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
        )
        for _ in range(2)
    ]
    assert [("jsonschema" in run.stdout.split()) for run in runs] == [True, False]
    assert len(list(tmp_path.glob("rules-*.json"))) == 1


def test_an_edited_rule_file_misses_the_cache(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (ROOT / "rules" / "hostPIDSet.yaml").read_text(encoding="utf-8")
    custom = rules / "customPid.yaml"
    env = {**BASE_ENV, "KINSPECT_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def explained(rule_text: str) -> str:
        custom.write_text(rule_text.replace("id: hostPIDSet", "id: customPid"), encoding="utf-8")
        command = [sys.executable, "-m", "kinspect", "explain", "customPid"]
        proc = subprocess.run(
            [*command, "--rules-dir", str(rules)], capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()[0]

    assert "Custom title" not in explained(text)
    edited = text.replace("title: ", "title: Custom title ", 1)
    assert "Custom title" in explained(edited)


def test_schemas_are_found_by_kind_as_when_all_were_read() -> None:
    """Kinds are compiled when first met, found by file name; every bundled root is found."""
    kubeschema.clear_caches()
    pod = kubeschema.shape_of({"apiVersion": "v1", "kind": "Pod"})
    every = kubeschema.kinds()  # raises if a root is not where the lookup looks
    bundled = ROOT / "schemas" / "kubernetes" / kubeschema.SCHEMA_SET
    assert len(every) == len(list(bundled.glob("*-*.json")))
    assert pod is every[("v1", "Pod")]
    for (api_version, kind), shape in every.items():
        assert kubeschema.has_schema(api_version, kind)
        assert kubeschema.shape_of({"apiVersion": api_version, "kind": kind}) is shape
        assert shape.name == kind


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("apps/v1", "deployment"),  # the file name is lower case, the kind is not
        ("apps.example.com/v1", "Deployment"),  # same first label as apps/v1
        ("rbac.example.com/v1", "Role"),
        ("v2", "Pod"),
        ("", "Pod"),
        ("v1", ""),
        ("v1", "../Pod"),
    ],
)
def test_kinds_without_a_bundled_schema_have_none(api_version: str, kind: str) -> None:
    assert not kubeschema.has_schema(api_version, kind)
    assert kubeschema.shape_of({"apiVersion": api_version, "kind": kind}) is None


def test_non_text_api_version_or_kind_has_no_schema() -> None:
    assert kubeschema.shape_of({"apiVersion": ["v1"], "kind": "Pod"}) is None
    assert kubeschema.shape_of({"apiVersion": "v1", "kind": {"Pod": 1}}) is None
