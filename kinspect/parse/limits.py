"""Limits on one input, and the guard that enforces them before the C parser runs.

Each limit bounds the time or memory one file may take; hitting one is an error for that
input only. ruamel's C composer recurses once per nesting level (about 300 bytes of C stack
each: ~28 000 levels crash the process with an 8 MiB stack), so a text that might nest
deeper than `COMPOSER_SAFE_DEPTH` is first scanned event by event: libyaml's parser keeps
its own stack, and the scan stops at the first level past the limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kinspect.errors import KinspectError, UsageError

MIB = 1024 * 1024
MAX_DEPTH_CEILING = 250
"""The largest `--max-depth` accepted: the converter recurses twice per level."""
COMPOSER_SAFE_DEPTH = 2000
"""Nesting the C composer may see without a scan first (a tenth of what crashes it)."""
SCAN_ABOVE_BYTES = 1 * MIB
"""Larger texts are scanned first, so that a document's node count is known before composing."""

_BLOCK_PREFIX = "(?m)^[ ?:-]{%d}"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-input limits; the defaults are 2-30x what the largest real manifests need."""

    max_file_size: int = 8 * MIB
    max_depth: int = 100
    max_documents: int = 10_000
    max_nodes: int = 1_000_000
    """Nodes of one document, each alias counted as the nodes it stands for."""
    max_alias_nodes: int = 10_000_000
    """Nodes that aliases stand for, summed over every document a process of the run reads."""

    def depth_error(self, line: int, column: int | None = None) -> KinspectError:
        """The error for a document nested deeper than `max_depth`."""
        return KinspectError(
            f"nested deeper than the limit of {self.max_depth} levels",
            line=line,
            column=column,
            hint="real manifests nest fewer than 40 levels; raise --max-depth if this one is real",
        )

    def nodes_error(self, line: int, column: int | None = None) -> KinspectError:
        """The error for a document with more than `max_nodes` nodes (aliases expanded)."""
        return KinspectError(
            f"document has more than {self.max_nodes:,} nodes once aliases are expanded",
            line=line,
            column=column,
            hint="an alias bomb (billion laughs) looks like this; raise --max-nodes if it is real",
        )

    def aliases_error(self, line: int, column: int) -> KinspectError:
        """The error for an alias past the run's budget of alias nodes."""
        return KinspectError(
            f"the aliases of this run stand for more than {self.max_alias_nodes:,} nodes",
            line=line,
            column=column,
            hint="many alias bombs look like this; raise --max-alias-nodes if they are real",
        )

    def documents_error(self, line: int) -> KinspectError:
        """The error for a file with more than `max_documents` documents."""
        return KinspectError(
            f"more than {self.max_documents:,} documents in one file",
            line=line,
            hint="split the file or raise --max-documents",
        )


DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class AliasBudget:
    """What the aliases read so far stand for (one per run and process: see Settings)."""

    spent: int = 0


_SIZE = re.compile(r"\s*([0-9]+)\s*(?:([KMG])(?:i?B)?|B)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from `8M`, `512KiB`, `1G` or a plain number of bytes (units are powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise UsageError(
            f"invalid size {text!r} (hint: a positive number of bytes, or 512K, 8M, 1G)"
        )
    unit = (match.group(2) or "").upper()
    power = "KMG".index(unit) + 1 if unit else 0
    return int(match.group(1)) << (10 * power)


def needs_scan(text: str) -> bool:
    """Whether `text` could nest deeper than the composer's safe depth, or is large.

    Flow nesting is at most the number of `[` and `{` (empty `[]`/`{}` excluded); block
    nesting at most twice the indentation and indicators (`- `, `? `, `: `) of a line.
    """
    if len(text) > SCAN_ABOVE_BYTES:
        return True
    flow = text.count("[") + text.count("{") - text.count("[]") - text.count("{}")
    if flow > COMPOSER_SAFE_DEPTH // 2:
        return True
    return re.search(_BLOCK_PREFIX % (COMPOSER_SAFE_DEPTH // 4), text) is not None


def scan(text: str, limits: Limits) -> tuple[int, KinspectError] | None:
    """The first limit `text` breaks, as (0-based document index, error), or None.

    YAML errors are left for the composer, which reports them with the documents before.
    """
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        DocumentStartEvent,
        ScalarEvent,
        StreamEndEvent,
    )

    parser = CParser(text)
    document, depth, nodes = -1, 0, 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                return None
            if isinstance(event, DocumentStartEvent):
                document, nodes = document + 1, 0
                if document >= limits.max_documents:  # before reading (or holding) the rest
                    return document, limits.documents_error(event.start_mark.line + 1)
                continue
            if isinstance(event, CollectionEndEvent):
                depth -= 1
                continue
            if not isinstance(event, ScalarEvent | AliasEvent | CollectionStartEvent):
                continue
            nodes += 1
            mark = event.start_mark
            if nodes > limits.max_nodes:
                return document, limits.nodes_error(mark.line + 1, mark.column + 1)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    return document, limits.depth_error(mark.line + 1, mark.column + 1)
    except YAMLError:
        return None
    finally:
        parser.dispose()
