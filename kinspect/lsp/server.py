"""The language server: buffers in, diagnostics, code actions and hovers out (pygls)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from kinspect.errors import KinspectError, UsageError
from kinspect.inputs.streams import is_template_file
from kinspect.lsp.diagnose import SOURCE, Analysis, analyse
from kinspect.lsp.neighbours import Neighbours
from kinspect.lsp.positions import UTF16
from kinspect.lsp.settings import Plans, ServerSettings
from kinspect.version import __version__

SUFFIXES = (".yaml", ".yml", ".json")
LANGUAGE_IDS = ("yaml", "json", "jsonc")


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, answering a request it cannot read (pygls would leave it unanswered,
    and the client waiting)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            number = data.get("id") if isinstance(data, dict) else None
            if isinstance(number, int | str) and not isinstance(number, bool) and "method" in data:
                self._send_response(number, error=exc.to_response_error())
            raise


class KinspectServer(LanguageServer):
    """pygls' server plus what kinspect keeps per buffer."""

    def __init__(self) -> None:
        super().__init__("kinspect", __version__, protocol_cls=_Protocol)
        self.plans = Plans(ServerSettings())
        self.neighbours = Neighbours()
        self.analyses: dict[str, Analysis] = {}
        self.waiting: dict[str, asyncio.Task[None]] = {}
        self.shut_down = False
        self.templates_noted = False

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """A line in the editor's log of this server."""
        self.window_log_message(types.LogMessageParams(type=kind, message=f"kinspect: {message}"))

    def schedule(self, uri: str, delay_ms: int) -> None:
        """Inspect the buffer once it has been quiet for `delay_ms` (a newer change restarts
        the wait, so only the text the user paused on is inspected)."""
        earlier = self.waiting.pop(uri, None)
        if earlier is not None:
            earlier.cancel()
        self.waiting[uri] = asyncio.get_running_loop().create_task(self._later(uri, delay_ms))

    async def _later(self, uri: str, delay_ms: int) -> None:
        await asyncio.sleep(delay_ms / 1000)
        self.waiting.pop(uri, None)
        self.publish(uri)

    def publish(self, uri: str) -> None:
        """Inspect the buffer's current text and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        try:
            analysis = self.inspect(uri, document.source)
        except Exception as exc:  # a bug must not end the editor's session
            self.log(
                f"internal error on {uri}: {type(exc).__name__}: {exc}", types.MessageType.Error
            )
            return
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=analysis.diagnostics, version=document.version
            )
        )

    def inspect(self, uri: str, text: str) -> Analysis:
        """The analysis of one buffer: none for Helm templates, a diagnostic for a bad config."""
        path = to_fs_path(uri) or uri
        if is_template_file(path, text):
            if not self.templates_noted:
                self.templates_noted = True
                self.log("Helm templates are not inspected (they are YAML only once rendered)")
            return Analysis(path, text, None)
        try:
            plan = self.plans.plan_for(self.directory_of(path))
        except (UsageError, KinspectError) as exc:
            message = f"configuration: {exc}"
            self.log(message, types.MessageType.Error)
            start = types.Position(line=0, character=0)
            problem = types.Diagnostic(
                range=types.Range(start=start, end=start),
                message=message,
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            )
            return Analysis(path, text, None, diagnostics=[problem])
        encoding = str(self.workspace.position_encoding or UTF16)
        facts = self.neighbours.facts(path, plan.settings, self.buffers())
        return analyse(path, text, plan, encoding, facts)

    def buffers(self) -> dict[str, str]:
        """The text of every open buffer, by file path."""
        documents = self.workspace.text_documents.items()
        return {to_fs_path(uri) or uri: document.source for uri, document in documents}

    def directory_of(self, path: str) -> Path:
        """Where the buffer's `.kinspect.yaml` is looked for: its file's directory (an
        unsaved buffer: the workspace's root, else the working directory)."""
        parent = Path(path).parent
        if Path(path).is_absolute() and parent.is_dir():
            return parent
        root = self.workspace.root_path
        return Path(root) if root else Path.cwd()

    def forget(self, uri: str) -> None:
        waiting = self.waiting.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.analyses.pop(uri, None)


def wanted(uri: str, language: str | None) -> bool:
    """YAML and JSON buffers (by language id, else by file name)."""
    return language in LANGUAGE_IDS or uri.lower().endswith(SUFFIXES)
