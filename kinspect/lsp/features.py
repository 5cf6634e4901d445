"""The LSP methods kinspect answers, and `serve`: run over stdio until the client says exit."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.uris import to_fs_path

from kinspect.config.project import CONFIG_NAME
from kinspect.lsp.actions import code_actions
from kinspect.lsp.hover import hover
from kinspect.lsp.server import KinspectServer, wanted
from kinspect.lsp.settings import read_settings

T = TypeVar("T")
ACTION_KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]


def build() -> KinspectServer:
    """A server with every feature registered."""
    server = KinspectServer()
    _documents(server)
    _requests(server)
    _lifecycle(server)
    return server


def _documents(server: KinspectServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        if wanted(params.text_document.uri, params.text_document.language_id):
            server.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if _open_and_wanted(server, uri):
            server.schedule(uri, server.plans.settings.debounce_ms)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.plans.forget()  # the saved file may be a .kinspect.yaml or a Polaris config
        server.neighbours.forget()
        for uri in list(server.analyses):
            server.schedule(uri, 0)
        path = to_fs_path(params.text_document.uri)
        if path is None or not Path(path).is_absolute():
            return
        if Path(path).name == CONFIG_NAME:
            server.directories.again()
        server.directories.saved(Path(path))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.forget(params.text_document.uri)
        server.send(params.text_document.uri)  # what the directories found stays

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        _configure(server, params.settings)
        for uri in list(server.analyses):
            server.schedule(uri, 0)
        server.directories.again()


def _requests(server: KinspectServer) -> None:
    options = types.CodeActionOptions(code_action_kinds=ACTION_KINDS)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        await asyncio.sleep(0)  # a request cancelled while queued ends here
        analysis = server.analyses.get(params.text_document.uri)
        if analysis is None:
            return None
        only = list(params.context.only) if params.context.only else None
        uri = params.text_document.uri
        return _guarded(server, lambda: code_actions(analysis, uri, params.range, only) or None)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        await asyncio.sleep(0)
        analysis = server.analyses.get(params.text_document.uri)
        if analysis is None:
            return None
        return _guarded(server, lambda: hover(analysis, params.position))


def _lifecycle(server: KinspectServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        _configure(server, params.initialization_options)

    @server.feature(types.SHUTDOWN)
    def shutdown(*args: Any) -> None:
        server.shut_down = True


def _guarded(server: KinspectServer, answer: Callable[[], T]) -> T | None:
    """The answer, or None (and a line in the log) if computing it failed: a bug in one
    request must not end the editor's session."""
    try:
        return answer()
    except Exception as exc:
        server.log(f"internal error: {type(exc).__name__}: {exc}", types.MessageType.Error)
        return None


def _configure(server: KinspectServer, given: object) -> None:
    settings = read_settings(given)
    if settings.ignored:
        server.log(f"settings not understood (ignored): {', '.join(settings.ignored)}")
    server.plans.configure(settings)


def _open_and_wanted(server: KinspectServer, uri: str) -> bool:
    document = server.workspace.text_documents.get(uri)
    return document is not None and wanted(uri, document.language_id)


class _OneLine(logging.Formatter):
    """pygls' log records as one line each: never a traceback on standard error (pygls puts
    some into the message itself)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip().split("\n")[0].split("  + Exception")[0]
        return f"kinspect lsp: {record.levelname.lower()}: {message[:300]}"


def serve() -> int:
    """Serve over stdin/stdout; the exit code: 0 after shutdown then exit, else 1."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    for name in ("pygls", "kinspect.lsp"):
        log = logging.getLogger(name)
        log.addHandler(handler)
        log.setLevel(logging.ERROR)
        log.propagate = False
    server = build()
    # pygls closes the stream it writes to when the client says exit; the command line still
    # flushes sys.stdout then (kinspect.cli.streams), so pygls gets a stream of its own.
    with open(sys.stdout.fileno(), "wb", closefd=False) as output:
        server.start_io(sys.stdin.buffer, output)
    return 0 if server.shut_down else 1
