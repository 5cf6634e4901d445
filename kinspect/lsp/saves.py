"""Kustomization and chart directories inspected on save, off the event loop.

A build takes seconds (`kubectl kustomize`, a Helm render), so it runs in a thread of its
own, one build at a time; saves that come while a directory waits or is built make at most
one more inspection of it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from lsprotocol import types

from kinspect.config.plan import RunPlan
from kinspect.errors import KinspectError, UsageError
from kinspect.lsp.directories import Inspected, directory_of, inspect_directory

T = TypeVar("T")
SAVE_DELAY_MS = 100
"""Saves this close together (an editor's "save all") start one inspection."""


class Host(Protocol):
    """What the inspections need of the server."""

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None: ...

    def directory_plan(self, directory: Path) -> RunPlan: ...

    def encoding(self) -> str: ...

    def label(self, directory: Path) -> str: ...

    def refresh(self, files: set[str]) -> None: ...


class Directories:
    """The directories inspected so far, their last findings, and the inspections to come."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.inspected: dict[Path, Inspected] = {}
        self._one_build = asyncio.Lock()
        self._tasks: dict[Path, asyncio.Task[None]] = {}
        self._building: set[Path] = set()
        self._again: set[Path] = set()
        self._logged: dict[Path, list[str]] = {}

    def diagnostics(self, file: str) -> list[types.Diagnostic]:
        """What the directories' last inspections placed in `file` (a resolved path)."""
        found: list[types.Diagnostic] = []
        for directory in sorted(self.inspected):
            found.extend(self.inspected[directory].diagnostics.get(file, ()))
        return found

    def saved(self, path: Path) -> None:
        """`path` was saved: inspect its kustomization or chart, and every directory inspected
        before whose build reads it."""
        file = str(path.resolve())
        wanted = {
            directory
            for directory, found in self.inspected.items()
            if file in found.uses or file in found.diagnostics
        }
        own = directory_of(path.resolve())
        if own is not None:
            wanted.add(own.resolve())
        for directory in sorted(wanted):
            self._request(directory)

    def again(self) -> None:
        """Inspect every known directory anew (the settings or a configuration changed)."""
        for directory in sorted(self.inspected):
            self._request(directory)

    def _request(self, directory: Path) -> None:
        task = self._tasks.get(directory)
        if task is None or task.done():
            self._tasks[directory] = asyncio.get_running_loop().create_task(self._run(directory))
        elif directory in self._building:
            self._again.add(directory)  # the build under way may have read the file before
        # else: an inspection is waiting to start, and will read the file as now saved

    async def _run(self, directory: Path) -> None:
        while True:
            await asyncio.sleep(SAVE_DELAY_MS / 1000)
            self._again.discard(directory)
            self._building.add(directory)
            try:
                await self._inspect(directory)
            except Exception as exc:  # a bug must not end the editor's session
                message = f"internal error on {directory}: {type(exc).__name__}: {exc}"
                self.host.log(message, types.MessageType.Error)
            finally:
                self._building.discard(directory)
            if directory not in self._again:
                return

    async def _inspect(self, directory: Path) -> None:
        host = self.host
        try:
            plan = host.directory_plan(directory)
        except (UsageError, KinspectError) as exc:
            host.log(f"configuration: {exc}", types.MessageType.Error)
            return
        label, encoding = host.label(directory), host.encoding()
        async with self._one_build:
            found = await off_loop(lambda: inspect_directory(directory, plan, encoding, label))
        self._record(directory, found)

    def _record(self, directory: Path, found: Inspected) -> None:
        before = self.inspected.get(directory, Inspected())
        self.inspected[directory] = found
        if found.problems != self._logged.get(directory, []):
            for problem in found.problems:  # once, not at every save that changes nothing
                self.host.log(problem, types.MessageType.Warning)
        self._logged[directory] = found.problems
        self.host.refresh(set(before.diagnostics) | set(found.diagnostics))


async def off_loop(work: Callable[[], T]) -> T:
    """`work()` in a daemon thread: the event loop goes on meanwhile, and a build under way
    never holds up the server's exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        deliver: Callable[[], None]
        try:
            deliver = partial(_succeed, future, work())
        except BaseException as exc:
            deliver = partial(_fail, future, exc)
        with suppress(RuntimeError):  # the loop is closed: the server is exiting
            loop.call_soon_threadsafe(deliver)

    threading.Thread(target=run, name="kinspect-build", daemon=True).start()
    return await future


def _succeed(future: asyncio.Future[T], value: T) -> None:
    if not future.done():  # the waiting task may have been cancelled
        future.set_result(value)


def _fail(future: asyncio.Future[T], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
