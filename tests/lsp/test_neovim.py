"""A real editor: headless Neovim (Debian's, its built-in LSP client) shows kinspect's findings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.test_diagnostics import POD

NVIM = shutil.which("nvim")

# Neovim 0.7 (Debian 12) has no vim.lsp.start: the client is started and attached by hand.
SCRIPT = """
local client = vim.lsp.start_client({
  name = "kinspect",
  cmd = { PYTHON, "-m", "kinspect", "lsp" },
  root_dir = ROOT,
  init_options = { kinspect = { lang = "en" } },
})
vim.lsp.buf_attach_client(0, client)
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(out, vim.fn.json_encode({
    line = d.lnum, col = d.col, severity = d.severity,
    code = d.code or lsp.code, source = d.source, message = d.message,
  }))
end
vim.fn.writefile(out, OUT)
vim.lsp.stop_client(client)
vim.wait(10000, function() return vim.lsp.client_is_stopped(client) end, 50)
vim.cmd("qa!")
"""


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (scripts/setup installs it)")
def test_neovim_shows_the_findings_of_an_unsaved_buffer(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD, encoding="utf-8")
    out = tmp_path / "diagnostics.jsonl"
    values = {"PYTHON": sys.executable, "ROOT": str(tmp_path), "OUT": str(out)}
    header = "".join(f"local {k} = {json.dumps(v)}\n" for k, v in values.items())
    script = tmp_path / "kinspect.lua"
    script.write_text(header + SCRIPT, encoding="utf-8")
    assert NVIM is not None
    proc = subprocess.run(
        [
            NVIM,
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            str(manifest),
            "-c",
            f"luafile {script}",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    shown = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_code = {d["code"]: d for d in shown}
    host = by_code["hostNetworkSet"]
    assert (host["line"], host["col"], host["severity"], host["source"]) == (5, 2, 1, "kinspect")
    tag = by_code["tagNotSpecified"]
    line = POD.splitlines()[8]
    assert (tag["line"], tag["col"]) == (8, len(line[:21].encode()))  # bytes, from UTF-16
    assert by_code["livenessProbeMissing"]["severity"] == 2  # a warning
