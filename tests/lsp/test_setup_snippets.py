"""The README's Helix and generic-client set-ups, run against the server they configure."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT
from tests.lsp.test_diagnostics import POD
from tests.lsp.test_protocol import EXIT, SHUTDOWN, opened
from tests.support.lsp import SERVER, notify, request, responses, run_raw
from tests.support.readme import snippet


def published_with(options: object, tmp_path: Path) -> tuple[set[str], list[str]]:
    """The check ids published for POD with these initialization options, and the log."""
    initialize = request(
        1,
        "initialize",
        {"processId": None, "rootUri": None, "capabilities": {}, "initializationOptions": options},
    )
    proc = run_raw(
        initialize,
        notify("initialized", {}),
        opened(tmp_path / "pod.yaml", POD),
        SHUTDOWN,
        EXIT,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    messages = responses(proc.stdout)
    codes = {
        d["code"]
        for m in messages
        if m.get("method") == "textDocument/publishDiagnostics"
        for d in m["params"]["diagnostics"]
    }
    log = [m["params"]["message"] for m in messages if m.get("method") == "window/logMessage"]
    return codes, log


def test_the_helix_languages_toml(tmp_path: Path) -> None:
    helix = tomllib.loads(snippet("lsp-helix"))
    server = helix["language-server"]["kinspect"]
    assert [server["command"], *server["args"]] == ["kinspect", *SERVER[3:]]
    assert all("kinspect" in lang["language-servers"] for lang in helix["language"])
    assert {lang["name"] for lang in helix["language"]} == {"yaml", "json"}
    codes, log = published_with(server["config"], tmp_path)  # Helix sends `config` as options
    assert "hostNetworkSet" in codes
    assert not [line for line in log if "not understood" in line]


def test_the_initialization_options_of_a_generic_client(tmp_path: Path) -> None:
    options = json.loads(snippet("lsp-options"))
    codes, log = published_with(options, tmp_path)
    assert "hostNetworkSet" in codes and "livenessProbeMissing" not in codes
    assert not [line for line in log if "not understood" in line]
    _, log = published_with({"kinspect": {"language": "en"}}, tmp_path)
    assert "kinspect: settings not understood (ignored): language" in log


def test_without_the_extra_the_command_says_how_to_install_it() -> None:
    """The README's install line is the hint of `kinspect lsp` where pygls is missing."""
    install = snippet("lsp-install").split("#")[0].strip()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("pygls") for d in extras["project"]["optional-dependencies"]["lsp"])
    assert install == 'pip install "kinspect[lsp]"'
    hidden = "import sys; sys.modules.update(pygls=None, lsprotocol=None)"
    run = f"{hidden}; sys.argv[1:] = ['lsp']; from kinspect.cli.main import main; main()"
    proc = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kinspect: the language server needs pygls")
    assert f"(hint: {install})" in proc.stderr
