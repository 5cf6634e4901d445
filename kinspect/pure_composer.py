"""ruamel's pure-Python composer, for documents the bundled libyaml refuses but YAML allows.

The C parser bundled with ruamel.yaml is an old libyaml: it refuses plain scalars holding
`:` inside flow collections (`[{image: nginx:1.25}]`), which Kubernetes' own parser reads.
The pure-Python parser reads them; it builds the same node classes with the same marks.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scanner import Scanner


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
        """Plain scalars are resolved later (kinspect.scalars), as for the C composer."""
        return self._defaults[kind]

    def dispose(self) -> None:
        """Break the references to itself."""
        self.__dict__.clear()
