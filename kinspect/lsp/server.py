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

from kinspect.config.plan import RunPlan
from kinspect.errors import KinspectError, UsageError
from kinspect.inputs.kustomization_files import patch_user
from kinspect.inputs.streams import is_template_file
from kinspect.lsp.diagnose import SOURCE, Analysis, analyse
from kinspect.lsp.neighbours import Neighbours
from kinspect.lsp.positions import UTF16
from kinspect.lsp.saves import Directories
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
    """pygls' server plus what kinspect keeps per buffer and per directory built on save.

    LSP keeps one set of diagnostics per file, so a file gets its buffer's findings (when it
    is open) and then those that the last inspection of a kustomization or chart placed in
    it, each check at each place once: the buffer's come first, being the newer text.
    """

    def __init__(self) -> None:
        super().__init__("kinspect", __version__, protocol_cls=_Protocol)
        self.plans = Plans(ServerSettings())
        self.neighbours = Neighbours()
        self.analyses: dict[str, Analysis] = {}
        self.waiting: dict[str, asyncio.Task[None]] = {}
        self.shut_down = False
        self.templates_noted = False
        self.patches_noted = False
        self.directories = Directories(self)

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
        self.send(uri)

    def send(self, uri: str) -> None:
        """Publish the file's diagnostics: its buffer's and its directories' together."""
        analysis = self.analyses.get(uri)
        path = to_fs_path(uri)
        built = []
        if path is not None and Path(path).is_absolute():
            built = self.directories.diagnostics(str(Path(path).resolve()))
        document = self.workspace.text_documents.get(uri)
        diagnostics = merged(analysis.diagnostics if analysis is not None else [], built)
        version = document.version if document is not None else None
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh(self, files: set[str]) -> None:
        """Publish anew for files (resolved paths) whose directory findings changed."""
        opened = {}
        for uri in self.workspace.text_documents:
            path = to_fs_path(uri)
            if path is not None and Path(path).is_absolute():
                opened[str(Path(path).resolve())] = uri
        for file in sorted(files):
            self.send(opened.get(file) or Path(file).as_uri())

    def directory_plan(self, directory: Path) -> RunPlan:
        """The run plan of a directory built on save: its files' `.kinspect.yaml`."""
        return self.plans.plan_for(directory)

    def encoding(self) -> str:
        """The position encoding agreed with the client."""
        return str(self.workspace.position_encoding or UTF16)

    def label(self, directory: Path) -> str:
        """A directory as messages name it: relative to the workspace's root when inside."""
        root = self.workspace.root_path
        if root:
            try:
                return str(directory.relative_to(Path(root).resolve())) or "."
            except ValueError:
                pass
        return str(directory)

    def inspect(self, uri: str, text: str) -> Analysis:
        """The analysis of one buffer: none for Helm templates and kustomize patches (their
        builds are inspected on save), a diagnostic for a bad config."""
        path = to_fs_path(uri) or uri
        if is_template_file(path, text):
            if not self.templates_noted:
                self.templates_noted = True
                self.log(
                    "Helm templates are not inspected as you type (they are YAML only once"
                    " rendered): their chart is rendered and inspected when a file is saved"
                )
            return Analysis(path, text, None)
        if Path(path).is_absolute() and patch_user(Path(path)) is not None:
            if not self.patches_noted:
                self.patches_noted = True
                self.log(
                    "kustomize patches are not inspected as you type (a patch is complete only"
                    " once applied to its base): their kustomization is built and inspected"
                    " when a file is saved"
                )
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
        facts = self.neighbours.facts(path, plan.settings, self.buffers())
        return analyse(path, text, plan, self.encoding(), facts)

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


def merged(own: list[types.Diagnostic], built: list[types.Diagnostic]) -> list[types.Diagnostic]:
    """`own`, then those of `built` that show another check or another place."""
    seen = {_key(diagnostic) for diagnostic in own}
    result = list(own)
    for diagnostic in built:
        if _key(diagnostic) not in seen:
            seen.add(_key(diagnostic))
            result.append(diagnostic)
    return result


def _key(diagnostic: types.Diagnostic) -> tuple[int, int, str]:
    start = diagnostic.range.start
    return start.line, start.character, str(diagnostic.code or diagnostic.message)


def wanted(uri: str, language: str | None) -> bool:
    """YAML and JSON buffers (by language id, else by file name)."""
    return language in LANGUAGE_IDS or uri.lower().endswith(SUFFIXES)
