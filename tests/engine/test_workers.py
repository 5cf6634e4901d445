"""kinspect/engine/workers.py: forked workers answer in task order; a dead worker hangs nothing."""

from __future__ import annotations

import multiprocessing
import os
import time
from contextlib import closing

from kinspect.engine.workers import CHUNK, answers


def _slow_start(task: int) -> int:
    if task < CHUNK:
        time.sleep(0.2)  # the first chunk arrives after later ones
    return task * task


def test_answers_come_in_task_order_whatever_finishes_first() -> None:
    tasks = list(range(10 * CHUNK + 3))
    assert list(answers(tasks, _slow_start, 2)) == [task * task for task in tasks]


def _dies_at_ten(task: int) -> int:
    if task == 10:
        os._exit(3)  # a crash the worker cannot report
    return -task


def test_work_a_dead_worker_never_sent_is_answered_none() -> None:
    tasks = list(range(4 * CHUNK))
    got = list(answers(tasks, _dies_at_ten, 1))
    assert got[:CHUNK] == [-task for task in range(CHUNK)]
    assert got[CHUNK:] == [None] * (3 * CHUNK)  # the only worker is gone: the caller does it


def test_stopping_early_leaves_no_worker_behind() -> None:
    with closing(answers(list(range(50 * CHUNK)), _slow_start, 2)) as done:
        assert next(done) == 0
    assert multiprocessing.active_children() == []


def test_fewer_tasks_than_workers() -> None:
    assert list(answers([3], _slow_start, 4)) == [9]
    assert list(answers([], _slow_start, 2)) == []
