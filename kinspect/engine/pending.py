"""The engine's state of a run between the files and the run-level phase.

`Pending` is an `Outcome` plus what only the engine needs until every input is read: the
facts and subjects of the cross-resource rules, the files whose ignores are judged at the
end, and what a large run holds packed (kinspect/engine/packed.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kinspect.model import Outcome

if TYPE_CHECKING:
    from kinspect.check.facts import Fact, Subject
    from kinspect.check.pod_security import Candidate
    from kinspect.engine.packed import Packed
    from kinspect.suppress.suppressor import FileScope


@dataclass(slots=True)
class Pending(Outcome):
    """An outcome with the run-level phase still to come."""

    facts: list[Fact] = field(default_factory=list)
    """Resources that cross-resource rules may relate to (small, picklable)."""
    subjects: list[Subject] = field(default_factory=list)
    """Targets waiting for the run-level phase to resolve their cross-resource rules."""
    scopes: list[FileScope] = field(default_factory=list)
    """Files whose ignores are judged in the run-level phase (after the cross-resource rules)."""
    candidates: list[Candidate] = field(default_factory=list)
    """Pods under versioned rules, judged once every Namespace is known (pod_security.py)."""
    packed: Packed | None = None
    """What a large run holds packed (engine.run.PACK_ABOVE): results as integer columns,
    facts and subjects pickled, all ahead of those in the fields above, until the run-level
    phase needs them (`unpack_facts`, `unpack`)."""

    def add(self, other: Outcome) -> None:
        """Fold another outcome (never a packed one) into this one."""
        Outcome.add(self, other)
        if isinstance(other, Pending):
            self.facts.extend(other.facts)
            self.subjects.extend(other.subjects)
            self.scopes.extend(other.scopes)
            self.candidates.extend(other.candidates)

    def unpack_facts(self) -> None:
        """Unpack the facts and subjects."""
        if self.packed is not None:
            facts, subjects = self.packed.unpack_facts()
            self.facts[:0] = facts
            self.subjects[:0] = subjects

    def unpack(self) -> None:
        """Unpack everything: the plain fields are then the whole outcome."""
        if self.packed is not None:
            self.unpack_facts()
            self.results[:0] = self.packed.results.unpack()
            self.packed = None

    def pack(self) -> None:
        """Move the results, facts and subjects into `packed`, after what it holds already."""
        from kinspect.engine.packed import Packed  # only large runs pack

        if self.packed is None:
            self.packed = Packed()
        if self.results:
            self.packed.results.add(self.results)
            self.results = []
        if self.facts or self.subjects:
            self.packed.add_facts(self.facts, self.subjects)
            self.facts, self.subjects = [], []
