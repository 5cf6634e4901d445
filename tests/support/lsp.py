"""Talking LSP to `kinspect lsp`: raw JSON-RPC frames, edits applied as an editor would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types

SERVER = [sys.executable, "-m", "kinspect", "lsp"]


def frame(message: dict[str, Any] | bytes) -> bytes:
    """One message with its Content-Length header (bytes are sent as they are)."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def request(number: int, method: str, params: object = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": number, "method": method, "params": params}


def notify(method: str, params: object = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


INITIALIZE = request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})


def run_raw(*messages: dict[str, Any] | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Start the server, send `messages`, close its stdin; its exit code and output."""
    return subprocess.run(
        SERVER,
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        cwd=cwd,
        env={**os.environ},
        timeout=120,
    )


def responses(stdout: bytes) -> list[dict[str, Any]]:
    """Every message the server wrote."""
    out = []
    while stdout:
        header, _, rest = stdout.partition(b"\r\n\r\n")
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        out.append(json.loads(rest[:length]))
        stdout = rest[length:]
    return out


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """`text` after `edits` (UTF-16 positions, as a client applies them), last first."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return min(starts[min(position.line, len(lines))] + len(line), len(text))

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text
