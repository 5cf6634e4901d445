"""Text to documents: plain data for the rules, the composed node tree for positions.

YAML is composed with ruamel.yaml's C parser (line/column marks on every node) and turned
into plain Python values here, resolving plain scalars the way Kubernetes' YAML decoder does
(YAML 1.1 booleans such as `yes`/`on`, octal `0755`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kinspect.errors import KinspectError

MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 250

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key that appears twice in one mapping; the last value is the one used."""

    path: tuple[str | int, ...]
    key: str
    first_line: int
    first_column: int
    line: int
    column: int


@dataclass(slots=True)
class Document:
    """One YAML document: its plain data and the node tree its positions come from."""

    index: int
    data: Any
    root: Node
    duplicates: list[DuplicateKey] = field(default_factory=list)

    @property
    def line(self) -> int:
        """1-based line where the document's content starts."""
        return int(self.root.start_mark.line) + 1


def _make_composer(text: str) -> Any:
    from ruamel.yaml.cyaml import CParser
    from ruamel.yaml.resolver import BaseResolver

    class Composer(CParser, BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            BaseResolver.__init__(self, loadumper=self)

    return Composer(text)


def compose_documents(text: str) -> Iterator[Node]:
    """Yield the root node of each non-empty document; YAML errors become KinspectError."""
    composer = _make_composer(text)
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is not None:
                yield node
    except MarkedYAMLError as exc:
        raise _yaml_error(exc) from None
    except YAMLError as exc:
        raise KinspectError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise KinspectError(
            "YAML nesting too deep to parse", hint="real manifests nest a few dozen levels"
        ) from None
    finally:
        composer.dispose()


def _yaml_error(exc: MarkedYAMLError) -> KinspectError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    hint = None
    if "\\t" in problem or "'\\t'" in str(exc):
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif "{{" in (getattr(mark, "buffer", None) or ""):
        hint = "this looks like a Helm template; render it with helm template first"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return KinspectError(f"invalid YAML: {problem}", line=line, column=column, hint=hint)


def load_documents(text: str) -> Iterator[Document]:
    """Yield each non-empty document of a YAML (or JSON) text, converted to plain data."""
    for index, root in enumerate(compose_documents(text)):
        converter = _Converter()
        data = converter.convert(root, ())
        yield Document(index, data, root, converter.duplicates)


class _Converter:
    """Turns one node tree into plain data, guarding against alias bombs and deep nesting."""

    def __init__(self) -> None:
        self.expanded = 0
        self.duplicates: list[DuplicateKey] = []
        self._active: set[int] = set()

    def convert(self, node: Node, path: tuple[str | int, ...]) -> Any:
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise KinspectError(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)",
                line=node.start_mark.line + 1,
                hint="YAML aliases multiply nodes; write the structure out or shrink it",
            )
        if len(path) > MAX_DEPTH:
            raise KinspectError(
                f"document nests deeper than {MAX_DEPTH} levels",
                line=node.start_mark.line + 1,
                hint="real manifests nest a few dozen levels",
            )
        if isinstance(node, ScalarNode):
            return resolve_scalar(node)
        if id(node) in self._active:
            raise KinspectError("recursive YAML alias", line=node.start_mark.line + 1)
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: Node, path: tuple[str | int, ...]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            if _is_merge_key(key_node):
                self._merge(result, value_node, path)
                continue
            key = _hashable(self.convert(key_node, path))
            if key in seen:
                first = seen[key]
                self.duplicates.append(
                    DuplicateKey(
                        path,
                        str(key),
                        first.start_mark.line + 1,
                        first.start_mark.column + 1,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
                del result[key]
            seen[key] = key_node
            result[key] = self.convert(value_node, (*path, str(key)))
        return result

    def _merge(self, result: dict[Any, Any], value_node: Node, path: tuple[str | int, ...]) -> None:
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in sources:
            merged = self.convert(source, path)
            if not isinstance(merged, dict):
                raise KinspectError(
                    "merge key `<<` needs a mapping", line=source.start_mark.line + 1
                )
            for key, value in merged.items():
                result.setdefault(key, value)


def _is_merge_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "<<" and not node.style


def _hashable(key: Any) -> Any:
    return key if isinstance(key, str | int | float | bool | None) else str(key)


def resolve_scalar(node: ScalarNode) -> Any:
    """Plain scalars resolve as Kubernetes' decoder does; quoted ones are strings."""
    value: str = node.value
    tag: str = node.tag or ""
    if tag.startswith(_TAG) and tag != _TAG + "str":
        return _explicit(tag[len(_TAG) :], value)
    if node.style:
        return value
    return _implicit(value)


def _implicit(value: str) -> Any:
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        return _to_int(value)
    if _FLOAT.fullmatch(value):
        return _to_float(value)
    return value


def _explicit(kind: str, value: str) -> Any:
    try:
        if kind == "int":
            return _to_int(value)
        if kind == "float":
            return _to_float(value)
        if kind == "bool":
            return value in _TRUE
        if kind == "null":
            return None
    except ValueError:
        pass
    return value


def _to_int(value: str) -> int:
    digits = value.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits.startswith(("0x", "0o", "0b")):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _to_float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value.replace("_", ""))
