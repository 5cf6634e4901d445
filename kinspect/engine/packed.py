"""What a large run holds packed until the run-level phase needs it.

A `Result` object costs ~180 bytes, and a run over tens of thousands of files gathers
hundreds of thousands of them. Packed, each field of a result is a code of 1, 2 or 4 bytes
(its index among that field's distinct values, each held once): a fraction of the memory.
The parent packs what the workers send a batch at a time, while they work on. Facts and
subjects stay pickled, in one buffer, until they are all loaded at once for the run-level
phase: freed together afterwards, they leave whole pools of memory free for the results
unpacked next (interleaved with longer-lived objects, they would leave holes that nothing
else fits in).
"""

from __future__ import annotations

import copyreg
import io
import pickle
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import fields
from itertools import starmap
from operator import attrgetter
from sys import intern
from typing import TYPE_CHECKING, Any

from kinspect.model import Result, result_order

if TYPE_CHECKING:
    from kinspect.check.facts import Fact, Subject

_CHUNK = 1 << 16
_WIDTHS = (("B", 1, 1 << 8), ("H", 2, 1 << 16), ("i", 4, 1 << 31))
"""Array typecodes for codes, narrowest first: item size, how many distinct codes fit."""
_GETTERS = tuple(attrgetter(f.name) for f in fields(Result))


class Codes(dict[Any, int]):
    """A field's distinct values → their codes, in code order."""

    def __missing__(self, value: Any) -> int:
        # A new value gets the next code; a text is interned, so that the results unpacked
        # and those unpickled on their own (a subject's) share one copy, made early.
        code = self[intern(value) if type(value) is str else value] = len(self)
        return code


class PackedResults:
    """Results as one column of codes per field, in the order they were added."""

    def __init__(self) -> None:
        self._codes = [Codes() for _ in _GETTERS]
        self._columns = [array("B") for _ in _GETTERS]
        """Each field's codes: one byte each while there are at most 256 distinct values."""

    def __len__(self) -> int:
        return len(self._columns[0])

    def add(self, results: Sequence[Result]) -> None:
        """Pack results (they may be dropped afterwards)."""
        for index, (getter, codes) in enumerate(zip(_GETTERS, self._codes, strict=True)):
            added = list(map(codes.__getitem__, map(getter, results)))
            self._wide_enough(index, len(codes)).extend(added)

    def unpack(self) -> Iterator[Result]:
        """The results again, in the order they were added, sharing each distinct value.

        The pack is emptied as they come, a chunk at a time: its memory goes back as theirs
        is taken.
        """
        distinct = [list(codes) for codes in self._codes]
        while len(self):
            size = min(len(self), _CHUNK)
            columns = zip(distinct, self._columns, strict=True)
            decoded = [map(values.__getitem__, codes[:size]) for values, codes in columns]
            yield from starmap(Result, zip(*decoded, strict=True))
            for codes in self._columns:
                del codes[:size]

    def _wide_enough(self, index: int, distinct: int) -> array[int]:
        """Column `index`, widened first if its codes cannot number `distinct` values."""
        column = self._columns[index]
        typecode, size = next((code, size) for code, size, most in _WIDTHS if distinct <= most)
        if size > column.itemsize:
            column = self._columns[index] = array(typecode, column)
        return column


class Packed:
    """The results, facts and subjects of an outcome, packed."""

    def __init__(self) -> None:
        self.results = PackedResults()
        self._facts = bytearray()
        """Pickled facts and subjects, one pickle per `add_facts`, back to back: one block of
        memory that goes back as one (thousands of small ones would leave holes)."""
        self._ends = array("Q")

    def add_facts(self, facts: list[Fact], subjects: list[Subject]) -> None:
        """Pack facts and subjects (after those packed already)."""
        if facts or subjects:
            self._facts += dumps((facts, subjects))
            self._ends.append(len(self._facts))

    def unpack_facts(self) -> tuple[list[Fact], list[Subject]]:
        """The facts and the subjects, in order; the pack keeps none of them."""
        facts: list[Fact] = []
        subjects: list[Subject] = []
        start = 0
        with memoryview(self._facts) as packed:
            for end in self._ends:
                more_facts, more_subjects = pickle.loads(packed[start:end])
                facts.extend(more_facts)
                subjects.extend(more_subjects)
                start = end
        self._facts, self._ends = bytearray(), array("Q")
        return facts, subjects


def dumps(value: object) -> bytes:
    """`pickle.dumps`, with the results in `value` loaded back with their texts interned:
    a large run then holds one copy of each check id, message or fix, not one per file."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _SHARING
    pickler.dump(value)
    return buffer.getvalue()


def _shared_result(*values: Any) -> Result:
    shared: list[Any] = [intern(value) if type(value) is str else value for value in values]
    return Result(*shared)


def _reduce_shared(result: Result) -> tuple[Any, tuple[object, ...]]:
    return _shared_result, result_order(result)


_SHARING: dict[type, Any] = {**copyreg.dispatch_table, Result: _reduce_shared}
