"""`kinspect lsp` as a process: exit codes, hostile input, cancellation, position encodings."""

from __future__ import annotations

from pathlib import Path

from tests.lsp.test_diagnostics import POD
from tests.support.lsp import INITIALIZE, notify, request, responses, run_raw

SHUTDOWN = request(99, "shutdown")
EXIT = notify("exit")


def opened(path: Path, text: str, version: int = 1) -> dict[str, object]:
    document = {"uri": path.as_uri(), "languageId": "yaml", "version": version, "text": text}
    return notify("textDocument/didOpen", {"textDocument": document})


def test_shutdown_then_exit_is_exit_code_0(tmp_path: Path) -> None:
    proc = run_raw(INITIALIZE, notify("initialized", {}), SHUTDOWN, EXIT, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    answered = {m.get("id"): m for m in responses(proc.stdout)}
    capabilities = answered[1]["result"]["capabilities"]
    assert capabilities["textDocumentSync"]["save"] == {"includeText": False}  # builds on save
    assert answered[99]["result"] is None
    assert proc.stderr == b""


def test_exit_without_shutdown_is_exit_code_1(tmp_path: Path) -> None:
    assert run_raw(INITIALIZE, EXIT, cwd=tmp_path).returncode == 1
    assert run_raw(INITIALIZE, cwd=tmp_path).returncode == 1  # the editor went away


def test_hostile_input_never_shows_a_traceback(tmp_path: Path) -> None:
    hostile = [
        b"{not json",
        b"\xff\xfe\x00garbage",
        request(2, "no/suchMethod", {}),
        notify("textDocument/didOpen", {"textDocument": 42}),
        notify("textDocument/didOpen", None),
        request(3, "textDocument/hover", {"textDocument": {}, "position": "x"}),
        request(4, "textDocument/codeAction", {"bad": True}),
        notify("workspace/didChangeConfiguration", {"settings": {"kinspect": [1, {"lang": 7}]}}),
        notify("workspace/didChangeConfiguration", {"settings": {"lang": "xx", "debounce": "y"}}),
        opened(tmp_path / "a.yaml", "\x00\x01 {[ :\n" * 50),
        opened(tmp_path / "b.yaml", "a: &x [*x]\n" + "- " * 5000 + "x\n"),
        opened(tmp_path / "c.json", '{"apiVersion": "v1", "kind": "Pod", '),
        opened(tmp_path / "d.yaml", POD.replace("name: web", "name: [web, 1]")),
    ]
    proc = run_raw(
        INITIALIZE,
        *hostile,
        request(
            5,
            "textDocument/hover",
            {
                "textDocument": {"uri": (tmp_path / "d.yaml").as_uri()},
                "position": {"line": 5, "character": 3},
            },
        ),
        SHUTDOWN,
        EXIT,
        cwd=tmp_path,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    answered = {m.get("id"): m for m in responses(proc.stdout)}
    assert answered[2]["error"]["code"] == -32601  # method not found
    assert {3, 4, 5, 99} <= set(answered)
    published = [
        m["params"]
        for m in responses(proc.stdout)
        if m.get("method") == "textDocument/publishDiagnostics"
    ]
    assert {Path(p["uri"]).name for p in published} >= {"a.yaml", "c.json", "d.yaml"}


def test_a_cancelled_request_is_answered(tmp_path: Path) -> None:
    """Cancelled before it ran, a request ends with RequestCancelled; after, with its result."""
    uri = (tmp_path / "pod.yaml").as_uri()
    hover = request(
        7,
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 3}},
    )
    cancel = notify("$/cancelRequest", {"id": 7})
    proc = run_raw(
        INITIALIZE, opened(tmp_path / "pod.yaml", POD), hover, cancel, SHUTDOWN, EXIT, cwd=tmp_path
    )
    assert proc.returncode == 0
    (answer,) = [m for m in responses(proc.stdout) if m.get("id") == 7]
    assert "result" in answer or answer["error"]["code"] == -32800


def test_utf8_positions_when_the_client_asks_for_them(tmp_path: Path) -> None:
    capabilities = {"general": {"positionEncodings": ["utf-8", "utf-16"]}}
    initialize = request(
        1, "initialize", {"processId": None, "rootUri": None, "capabilities": capabilities}
    )
    proc = run_raw(initialize, opened(tmp_path / "pod.yaml", POD), SHUTDOWN, EXIT, cwd=tmp_path)
    messages = responses(proc.stdout)
    assert messages[0]["result"]["capabilities"]["positionEncoding"] == "utf-8"
    (diagnostics,) = [
        m["params"]["diagnostics"]
        for m in messages
        if m.get("method") == "textDocument/publishDiagnostics"
    ]
    (tag,) = [d for d in diagnostics if d["code"] == "tagNotSpecified"]
    line = POD.splitlines()[8]
    assert tag["range"]["start"]["character"] == len(line[:21].encode())  # é 2, 😀 4 bytes
