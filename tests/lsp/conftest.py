"""A real LSP client (pytest-lsp) talking to `kinspect lsp` over stdio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.support.lsp import SERVER


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository of its own: no `.kinspect.yaml` above it is found."""
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
