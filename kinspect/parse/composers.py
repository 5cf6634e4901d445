"""The composers: ruamel's C parser, and its pure-Python parser for what the C one refuses.

Both give every untagged node its kind's default tag: plain scalars are resolved later
(kinspect.parse.scalars), as Kubernetes does. The C parser bundled with ruamel.yaml is an old
libyaml: it refuses plain scalars holding `:` inside flow collections (`[{image: nginx:1.25}]`),
which Kubernetes' own parser reads. The pure-Python parser reads them; it builds the same node
classes with the same marks.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scanner import Scanner, ScannerError

_SURROGATE = re.compile("[\ud800-\udfff]")


def c_composer(text: str) -> Any:
    """A composer of `text` on the C parser."""
    return _composer_class()(text)


@cache
def _composer_class() -> type:
    """The composer: ruamel's C parser, with every untagged node given its kind's default tag.

    One class for the whole run (a class per text would be garbage only the cycle collector
    frees, and the collector runs rarely in a large run).
    """
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.resolver import BaseResolver

    class Composer(CParser, BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            BaseResolver.__init__(self, loadumper=self)
            self._defaults = {
                ScalarNode: self.DEFAULT_SCALAR_TAG,
                SequenceNode: self.DEFAULT_SEQUENCE_TAG,
                MappingNode: self.DEFAULT_MAPPING_TAG,
            }

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # Plain scalars are resolved later (kinspect.parse.scalars), as Kubernetes does: every
            # untagged node gets its kind's default tag, without BaseResolver's lookups.
            return self._defaults[kind]

        def dispose(self) -> None:
            CParser.dispose(self)
            self.__dict__.clear()  # its references to itself: no cycle left to collect

    return Composer


def pure_composer(text: str, max_depth: int) -> Any:
    """A composer of `text` on the pure-Python parser, refusing nesting beyond `max_depth`."""
    return PureComposer(text, max_depth)


class PureComposer(Reader, Scanner, Parser, Composer, BaseResolver):
    """Nodes of a YAML text, every untagged one with its kind's default tag (as the C one)."""

    def __init__(self, stream: str, max_depth: int) -> None:
        self.comment_handling = None
        self.max_depth = max_depth  # read by Composer; deeper is refused before recursing
        self.version: Any = None
        self.tags: dict[str, str] | None = None
        self.doc_infos: list[Any] = []
        Reader.__init__(self, stream, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        Composer.__init__(self, loader=self)
        BaseResolver.__init__(self, loadumper=self)
        self._defaults = {
            ScalarNode: self.DEFAULT_SCALAR_TAG,
            SequenceNode: self.DEFAULT_SEQUENCE_TAG,
            MappingNode: self.DEFAULT_MAPPING_TAG,
        }

    @property
    def processing_version(self) -> tuple[int, int]:
        """YAML 1.2 scanning: `:` not followed by a space is part of a plain scalar."""
        return (1, 2)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Plain scalars are resolved later (kinspect.parse.scalars), as for the C composer."""
        return self._defaults[kind]

    def compose_scalar_node(self, anchor: Any) -> Any:
        """A scalar, refused (as libyaml and Kubernetes refuse it) if it escapes a surrogate."""
        node = super().compose_scalar_node(anchor)
        if _SURROGATE.search(node.value):
            raise ScannerError(
                None, None, "found invalid Unicode character escape code", node.start_mark
            )
        return node

    def dispose(self) -> None:
        """Break the references to itself."""
        self.__dict__.clear()
