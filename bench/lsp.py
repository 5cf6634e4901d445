"""Editor latency of `kinspect lsp`: from a didChange to the diagnostics published for it.

Usage: python bench/lsp.py [--runs N] [--debounce MS ...]

Also reports the CPU time of the server's work per change, measured in this process; the time
from a didSave to the diagnostics of a kustomize overlay and of a Helm chart built on save
(tests/fixtures: kustomize/shop, helm/webapp); and the time of a change while such a build
runs in the background.

Starts the real server over stdio, opens a 300-line and a 5,000-line manifest (examples/shop
repeated: documents with and without findings), then sends N edits of each one after
the other, each once the previous one's diagnostics arrived, and reports the median and the
90th percentile of the wall-clock time per size, for each debounce (the quiet time the server
waits after a change; the default is 50 ms, `--debounce 0` shows the inspection alone).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ROOT / "examples" / "shop" / "checkout.yaml",
    ROOT / "examples" / "shop" / "frontend.yaml",
]
"""121 lines, 6 resources: one clean service, one with 14 findings (as examples/ shows)."""
FIXTURES = ROOT / "tests" / "fixtures"
BUILDS = {
    "kustomize overlay": ("kustomize/shop", "overlays/prod/host-network.yaml", "base/web.yaml"),
    "Helm chart": (
        "helm/webapp",
        "templates/deployment.yaml",
        "charts/cache/templates/statefulset.yaml",
    ),
}
"""Each build: its fixture, the file saved, a file its findings are published on."""


def manifest(lines: int, edit: int) -> str:
    """Documents of the examples, in turn, until `lines` lines; then the edit, a comment."""
    documents = [d for path in EXAMPLES for d in path.read_text(encoding="utf-8").split("---\n")]
    chosen: list[str] = []
    total = 1
    while total < lines:
        chosen.append(documents[len(chosen) % len(documents)])
        total += chosen[-1].count("\n") + 1
    return "---\n".join(chosen) + f"# edit {edit}\n"


class Client:
    """A minimal LSP client over the server's stdin/stdout."""

    def __init__(self, debounce: int) -> None:
        command = [sys.executable, "-m", "kinspect", "lsp"]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout
        options = {"kinspect": {"debounce": debounce}}
        self.send(
            1,
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {},
                "initializationOptions": options,
            },
        )
        self.wait(lambda m: m.get("id") == 1)
        self.send(None, "initialized", {})

    def send(self, number: int | None, method: str, params: object) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if number is not None:
            message["id"] = number
        body = json.dumps(message).encode()
        self.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.stdin.flush()

    def receive(self) -> dict[str, Any]:
        length = 0
        while (line := self.stdout.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message: dict[str, Any] = json.loads(self.stdout.read(length))
        return message

    def wait(self, wanted: Any) -> dict[str, Any]:
        while not wanted(message := self.receive()):
            pass
        return message

    def save(self, path: Path) -> None:
        self.send(None, "textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})

    def diagnostics(self, uri: str, version: int | None) -> int:
        """How many diagnostics were published for this version of `uri` (None: for a file
        that is not open)."""

        def published(m: dict[str, Any]) -> bool:
            params = m.get("params") or {}
            return (
                m.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            )

        return len(self.wait(published)["params"]["diagnostics"])

    def close(self) -> None:
        self.send(99, "shutdown", None)
        self.wait(lambda m: m.get("id") == 99)
        self.send(None, "exit", None)
        self.proc.wait(timeout=30)


def measure(
    client: Client, path: Path, lines: int, runs: int, building: Path | None = None
) -> tuple[list[float], int, int]:
    """Times of `runs` changes; `building`: a file saved before each change, so that its
    directory is built while the change is inspected."""
    uri = path.as_uri()
    text = manifest(lines, 1)
    item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
    client.send(None, "textDocument/didOpen", {"textDocument": item})
    found = client.diagnostics(uri, 1)
    times = []
    for run in range(runs):
        version = run + 2
        changed = {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": manifest(lines, version)}],
        }
        if building is not None:
            client.save(building)
            time.sleep(0.3)  # past the delay that gathers saves: the build is under way
        start = time.perf_counter()
        client.send(None, "textDocument/didChange", changed)
        client.diagnostics(uri, version)
        times.append(time.perf_counter() - start)
    return times, text.count("\n"), found


def measure_saves(client: Client, directory: Path, runs: int) -> None:
    """Print the time from a didSave to the build's diagnostics, for each kind of build."""
    for name, (fixture, saved, shown) in BUILDS.items():
        tree = directory / Path(fixture).name
        shutil.copytree(FIXTURES / fixture, tree)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.save(tree / saved)
            found = client.diagnostics((tree / shown).as_uri(), None)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        print(f"save → {name} diagnostics ({found} on {shown}): median {median:6.0f} ms")


def typing_while_building(client: Client, directory: Path, runs: int) -> None:
    """Print the time of a change to a 300-line buffer while a chart is being rendered."""
    chart = directory / "webapp" / BUILDS["Helm chart"][1]
    times, counted, _ = measure(client, directory / "typed.yaml", 300, runs, building=chart)
    median = statistics.median(times) * 1000
    print(f"during a chart's build, {counted} lines: median {median:6.1f} ms ({runs} changes)")


def cpu_time(lines: int, runs: int) -> float:
    """Median CPU seconds of the server's work for one change, in this process (what the
    wall clock shows on a busy machine is mostly waiting for a core)."""
    sys.path.insert(0, str(ROOT))
    from kinspect.lsp.diagnose import analyse
    from kinspect.lsp.settings import Plans, ServerSettings

    with tempfile.TemporaryDirectory() as directory:
        Path(directory, ".git").mkdir()
        plan = Plans(ServerSettings()).plan_for(Path(directory))
        name = str(Path(directory, "deploy.yaml"))
        times = []
        for run in range(runs + 1):
            text = manifest(lines, run)
            start = time.process_time()
            analyse(name, text, plan)
            times.append(time.process_time() - start)
    return statistics.median(times[1:])  # the first one loads the schemas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--debounce", type=int, nargs="*", default=[50, 0])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, ".git").mkdir()
        for debounce in args.debounce:
            client = Client(debounce)
            for lines in (300, 5_000):
                path = Path(directory, f"deploy-{lines}.yaml")
                times, counted, found = measure(client, path, lines, args.runs)
                median = statistics.median(times) * 1000
                p90 = statistics.quantiles(times, n=10)[-1] * 1000
                print(
                    f"debounce {debounce:>3} ms, {counted:>5} lines, {found:>4} diagnostics:"
                    f" median {median:6.1f} ms, p90 {p90:6.1f} ms ({args.runs} changes)"
                )
            client.close()
        client = Client(0)
        measure_saves(client, Path(directory), max(args.runs // 4, 3))
        typing_while_building(client, Path(directory), max(args.runs // 4, 3))
        client.close()
        for lines in (300, 5_000):
            cpu = cpu_time(lines, args.runs) * 1000
            print(f"in process, {lines:>5} lines: median CPU time of an inspection {cpu:6.1f} ms")


if __name__ == "__main__":
    main()
