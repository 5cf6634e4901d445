"""Forked worker processes that take chunks of a task list in turn and send back the answers.

Workers are forked once the tasks exist, so they inherit the tasks (and the loaded rules):
nothing but an index goes out and nothing but answers comes back, over one pipe per worker,
read by the parent itself (no helper threads). Each worker claims the next chunk from a
shared counter, so a slow chunk never holds the others up; the parent keeps the few chunks
that arrive early and yields every answer in task order. A chunk whose worker died without
answering is answered `None` (the caller does that work itself).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

CHUNK = 8
"""Tasks per message: fewer messages, while the last chunks still spread over the workers."""


def answers(
    tasks: list[Any], work: Callable[[Any], Any], processes: int
) -> Generator[Any | None, None, None]:
    """`work(task)` for every task, in task order, computed by `processes` forked workers."""
    context = multiprocessing.get_context("fork")
    chunks = [tasks[start : start + CHUNK] for start in range(0, len(tasks), CHUNK)]
    claimed = context.RawValue("l", 0)
    lock = context.Lock()
    readers: list[Connection] = []
    workers = []
    for _ in range(min(processes, len(chunks))):
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(target=_serve, args=(chunks, work, claimed, lock, writer))
        worker.start()
        writer.close()  # the parent keeps only the reading end: EOF once the worker is gone
        readers.append(reader)
        workers.append(worker)
    try:
        yield from _in_order(chunks, readers)
    finally:
        for worker in workers:
            if worker.is_alive():  # the caller stopped early
                worker.terminate()
            worker.join()


def _in_order(chunks: list[list[Any]], readers: list[Connection]) -> Iterator[Any | None]:
    early: dict[int, list[Any]] = {}
    for index, chunk in enumerate(chunks):
        while index not in early and readers:
            ready = wait(readers)
            for reader in [reader for reader in readers if reader in ready]:
                try:
                    done, answered = reader.recv()
                except EOFError:  # finished, or died: what it never sent is done here
                    readers.remove(reader)
                    continue
                early[done] = answered
        yield from early.pop(index, [None] * len(chunk))


def _serve(
    chunks: list[list[Any]],
    work: Callable[[Any], Any],
    claimed: Any,
    lock: Any,
    writer: Connection,
) -> None:
    """A worker: claim the next chunk, answer it, until none is left."""
    try:
        while True:
            with lock:
                index = claimed.value
                claimed.value = index + 1
            if index >= len(chunks):
                return
            writer.send((index, [work(task) for task in chunks[index]]))
    except KeyboardInterrupt:  # the parent was interrupted too and reports it
        return
    finally:
        writer.close()
