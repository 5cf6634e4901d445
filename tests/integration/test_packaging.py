"""`pip install .` into a clean virtual environment, used from outside the checkout."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import Venv, readme_pip
from tests.support.gitrepo import run

RULE_IDS = sorted(path.stem for path in (ROOT / "rules").glob("*.yaml"))
BAD = FIXTURES / "hostNetworkSet" / "fail-pod.yaml"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory outside the checkout, holding one bad manifest."""
    shutil.copy(BAD, tmp_path / "pod.yaml")
    return tmp_path


def test_rules_lists_every_rule_file(installed: Venv, elsewhere: Path) -> None:
    proc = run(installed.bin / "kinspect", "rules", cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout
    listed = sorted(line.split()[0] for line in proc.stdout.splitlines() if line.strip())
    assert listed == RULE_IDS


def test_lint_works_from_the_installed_package(installed: Venv, elsewhere: Path) -> None:
    proc = run(installed.bin / "kinspect", "lint", "pod.yaml", cwd=elsewhere)
    assert proc.returncode == 1, proc.stdout
    assert "pod.yaml:7:3: DANGER hostNetworkSet" in proc.stdout
    proc = run(
        installed.bin / "kinspect", "lint", "-f", "json", "--fail-on=never", ".", cwd=elsewhere
    )
    assert json.loads(proc.stdout)["summary"]["resources"] == 1 and proc.returncode == 0


def test_the_installed_package_serves(installed: Venv, elsewhere: Path) -> None:
    """`kinspect server` from the wheel: the console script hands lint to it, same output."""
    directory = tempfile.mkdtemp(prefix="ks-")
    env = {"KINSPECT_SERVER_DIR": directory}
    kinspect = installed.bin / "kinspect"
    try:
        alone = run(kinspect, "lint", "pod.yaml", cwd=elsewhere, env=env)
        assert run(kinspect, "server", "start", cwd=elsewhere, env=env).returncode == 0
        served = run(kinspect, "lint", "pod.yaml", cwd=elsewhere, env=env)
        assert (served.returncode, served.stdout) == (alone.returncode, alone.stdout)
        status = run(kinspect, "server", "status", cwd=elsewhere, env=env)
        assert " 1 runs" in status.stdout, status.stdout
    finally:
        run(kinspect, "server", "stop", cwd=elsewhere, env=env)
        shutil.rmtree(directory, ignore_errors=True)


def test_rules_and_schemas_come_from_the_wheel(installed: Venv, elsewhere: Path) -> None:
    package = Path(installed.python("import kinspect; print(kinspect.__file__)", elsewhere)).parent
    assert installed.path in package.parents, "kinspect must be imported from the venv"
    code = "from kinspect.bundled import rules_dir as r, schema_path as s; print(r(), s('x'))"
    rules, schema = installed.python(code, elsewhere).split()
    assert Path(rules) == package / "rules" and Path(schema).parent == package / "schemas"
    for directory in ("rules", "schemas"):
        shipped = sorted(p.name for p in (ROOT / directory).iterdir())
        assert sorted(p.name for p in (package / directory).iterdir()) == shipped
    assert (package / "py.typed").is_file()
    record = next(package.parent.glob("kinspect-*.dist-info")) / "RECORD"
    assert "kinspect/rules/hostNetworkSet.yaml," in record.read_text(encoding="utf-8")


def test_editable_install_reads_the_checkout(tmp_path: Path) -> None:
    venv = Venv(tmp_path / "venv")
    venv.pip(*readme_pip("-e"))
    code = "import kinspect.bundled as r; print(r.__file__, r.rules_dir())"
    module, rules = venv.python(code, tmp_path).split()
    assert Path(module) == ROOT / "kinspect" / "bundled.py"
    assert Path(rules) == ROOT / "rules"
    proc = run(venv.bin / "kinspect", "rules", cwd=tmp_path)
    assert sorted(line.split()[0] for line in proc.stdout.splitlines()) == RULE_IDS
