"""A real editor: headless Neovim (Debian's, its built-in LSP client) shows kinspect's findings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.lsp.test_diagnostics import POD
from tests.support.readme import snippet

NVIM = shutil.which("nvim")

# nvim-lspconfig is not in Debian: a stand-in for the parts of it the README's snippet uses
# starts the client with Neovim 0.7's built-in `vim.lsp.start_client`, as lspconfig would.
STAND_IN = """
package.loaded["lspconfig.configs"] = {}
package.loaded["lspconfig.util"] = {
  root_pattern = function(...) return function(path) return ROOT end end,
}
package.loaded["lspconfig"] = setmetatable({}, { __index = function(_, name)
  return { setup = function(options)
    local config = package.loaded["lspconfig.configs"][name].default_config
    assert(vim.tbl_contains(config.filetypes, "yaml"))
    local client = vim.lsp.start_client({
      name = name, cmd = config.cmd, root_dir = config.root_dir(vim.api.nvim_buf_get_name(0)),
      init_options = options.init_options,
    })
    vim.lsp.buf_attach_client(0, client)
  end }
end })
"""

WAIT = """
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
SHOWN = 0
"""

DUMP = """
local out = {}  -- the diagnostics of buffer SHOWN, else of every buffer
for _, d in ipairs(vim.diagnostic.get(SHOWN)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(out, vim.fn.json_encode({
    file = vim.api.nvim_buf_get_name(d.bufnr), line = d.lnum, col = d.col, severity = d.severity,
    code = d.code or lsp.code, source = d.source, message = d.message,
  }))
end
vim.fn.writefile(out, OUT)
vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(10000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd("qa!")
"""


NOTED = """
NOTED = false  -- the server's log line about patches: the buffer was opened and inspected
local log = vim.lsp.handlers["window/logMessage"]
vim.lsp.handlers["window/logMessage"] = function(err, result, ctx, config)
  if result and result.message:find("kustomize patches are not inspected", 1, true) then
    NOTED = true
  end
  return log(err, result, ctx, config)
end
vim.wait(60000, function() return NOTED end, 50)
"""

SAVE = """
vim.cmd("write")
vim.wait(60000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.message:find("(build: ", 1, true) then return true end
  end
  return false
end, 50)
SHOWN = nil
"""
NEEDS_NVIM = pytest.mark.skipif(
    NVIM is None, reason="Neovim is not installed (scripts/setup installs it)"
)


def shown_by_neovim(root: Path, manifest: Path, actions: str) -> list[dict[str, object]]:
    """Open `manifest` in headless Neovim set up as the README says, run the Lua `actions`
    (which write the buffer's diagnostics to OUT); the diagnostics."""
    out = root / "diagnostics.jsonl"
    values = {"ROOT": str(root), "OUT": str(out)}
    header = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    script = root / "kinspect.lua"
    script.write_text(header + STAND_IN + snippet("lsp-neovim") + actions, encoding="utf-8")
    # the snippet runs `kinspect lsp` from PATH, as a user's installation would
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    assert NVIM is not None
    command = [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", str(manifest)]
    proc = subprocess.run(
        [*command, "-c", f"luafile {script}"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=root,
        env={**os.environ, "PATH": path},
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@NEEDS_NVIM
def test_neovim_with_the_readme_set_up_shows_the_findings(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(POD, encoding="utf-8")
    by_code = {d["code"]: d for d in shown_by_neovim(tmp_path, manifest, WAIT + DUMP)}
    host = by_code["hostNetworkSet"]
    assert (host["line"], host["col"], host["severity"], host["source"]) == (5, 2, 1, "kinspect")
    tag = by_code["tagNotSpecified"]
    line = POD.splitlines()[8]
    assert (tag["line"], tag["col"]) == (8, len(line[:21].encode()))  # bytes, from UTF-16
    assert by_code["livenessProbeMissing"]["severity"] == 2  # a warning


@NEEDS_NVIM
def test_neovim_saving_a_patch_shows_its_overlays_findings(tmp_path: Path) -> None:
    """`:write` sends didSave: the overlay is built, its findings show in the base's file, and
    the open patch shows the build's findings (none as typed: a patch is a partial object)."""
    (tmp_path / ".git").mkdir()
    shop = tmp_path / "shop"
    shutil.copytree(FIXTURES / "kustomize" / "shop", shop)
    patch = shop / "overlays" / "prod" / "host-network.yaml"
    patch.write_text(patch.read_text(encoding="utf-8") + "      hostPID: true\n")
    shown = shown_by_neovim(tmp_path, patch, NOTED + SAVE + DUMP)
    on_patch = [d for d in shown if d["file"] == str(patch)]
    assert sorted(d["code"] for d in on_patch) == ["hostNetworkSet", "hostPIDSet"]
    assert all(str(d["message"]).endswith("(build: shop/overlays/prod)") for d in on_patch)
    web = shop / "base" / "web.yaml"
    (privileged,) = [d for d in shown if d["file"] == str(web) and d["code"] == "runAsPrivileged"]
    assert privileged["line"] == web.read_text().splitlines().index("            privileged: true")
    assert str(privileged["message"]).endswith("(build: shop/overlays/prod)")  # from the root
