"""The Kubernetes API schemas (bundled JSON Schema), compiled once into shapes and walked.

Only the keywords the bundled set uses are interpreted: `$ref`, `type`, `properties`,
`additionalProperties`, `required`, `items`, `x-kubernetes-preserve-unknown-fields` and the
type-only `oneOf` of IntOrString and Quantity. Why a walk and not a JSON Schema library: it
knows, at each problem, the object it was checking (the known field names for a did-you-mean),
takes YAML's non-string keys, and skips unrendered template values; it costs ~0.09 s for the
corpus's 2,913 resources of built-in kinds (bench/structure.py). Every field is nullable, as in
the API: `null` means unset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kinspect.bundled import data_dir
from kinspect.parse.scalars import key_text

SCHEMA_SET = "v1.36.0-local-strict"
_DEFINITIONS = "_definitions.json"
_REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")
_ANY: frozenset[str] = frozenset()
_TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean")

Key = str | int
_ENV_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+][^}]*)?\}")


class Shape:
    """What one place in a manifest may hold (one schema node, `$ref`s resolved)."""

    __slots__ = ("additional", "items", "name", "properties", "required", "types")

    def __init__(self, name: str = "") -> None:
        self.name = name
        """Short name of the definition (`Container`), empty for inline schemas."""
        self.types: frozenset[str] = _ANY
        self.properties: dict[str, Shape] = {}
        self.additional: Shape | bool = True
        """Schema of keys not in `properties`; False: such keys are unknown fields."""
        self.required: tuple[str, ...] = ()
        self.items: Shape | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A structural problem; `path` leads to the unknown key, the bad value or the object."""

    analysis: str
    path: tuple[Key, ...]
    key: str
    shape: Shape
    """The schema of the object that holds `key` (for invalidFieldType: of the value)."""
    value: Any = None


class _Compiler:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.shapes: dict[str, Shape] = {}

    def definition(self, name: str) -> Shape:
        shape = self.shapes.get(name)
        if shape is None:
            # Registered before it is filled: definitions may refer to themselves.
            shape = self.shapes[name] = Shape(name.rsplit(".", 1)[-1])
            self.fill(shape, self.definitions[name])
        return shape

    def compile(self, schema: dict[str, Any]) -> Shape:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.definition(_ref_name(ref))
        shape = Shape()
        self.fill(shape, schema)
        return shape

    def fill(self, shape: Shape, schema: dict[str, Any]) -> None:
        shape.types = _types(schema)
        shape.properties = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        additional = schema.get("additionalProperties", True)
        if schema.get("x-kubernetes-preserve-unknown-fields") is True:
            additional = True
        shape.additional = self.compile(additional) if isinstance(additional, dict) else additional
        shape.required = tuple(schema.get("required", ()))
        if isinstance(schema.get("items"), dict):
            shape.items = self.compile(schema["items"])


def _ref_name(ref: str) -> str:
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    raise ValueError(f"unsupported $ref {ref!r} in the bundled Kubernetes schemas")


def _types(schema: dict[str, Any]) -> frozenset[str]:
    """Allowed JSON types (null dropped: always allowed); empty means any."""
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches:
        if not all(isinstance(b, dict) and set(b) <= {"type"} for b in branches):
            return _ANY
        return frozenset().union(*(_types(b) for b in branches))
    declared = schema.get("type")
    if declared is None:
        return _ANY
    names = [declared] if isinstance(declared, str) else list(declared)
    return frozenset(name for name in names if name != "null")


def _directory() -> Path:
    return data_dir("schemas") / "kubernetes" / SCHEMA_SET


@cache
def _compiler() -> _Compiler:
    """The shared definitions; each is compiled the first time a kind reaches it."""
    text = (_directory() / _DEFINITIONS).read_text(encoding="utf-8")
    return _Compiler(json.loads(text)["$defs"])


@cache
def _root_names() -> frozenset[str]:
    return frozenset(path.name for path in _directory().glob("*-*.json"))


def root_name(api_version: str, kind: str) -> str:
    """The root schema's file name in the set's layout: `deployment-apps-v1.json`,
    `role-rbac-v1.json` (the group's first label), `pod-v1.json` (the core group)."""
    group, _, version = api_version.rpartition("/")
    return "-".join([kind.lower(), *([group.split(".")[0]] if group else []), version]) + ".json"


@cache
def _root_shape(api_version: str, kind: str) -> Shape | None:
    """One kind's compiled root, read when a run first meets the kind: a small run compiles
    only the definitions its kinds reach (reading and compiling them all costs ~3 ms)."""
    name = root_name(api_version, kind)
    if name not in _root_names():
        return None
    root = json.loads((_directory() / name).read_text(encoding="utf-8"))
    declared = root["properties"]
    if kind not in declared["kind"]["enum"] or api_version not in declared["apiVersion"]["enum"]:
        return None  # `deployment`, or `apps.example.com/v1`: the name matches, the kind not
    shape = Shape(kind)
    _compiler().fill(shape, root)
    return shape


@cache
def kinds() -> dict[tuple[str, str], Shape]:
    """(apiVersion, kind) → compiled root shape, for every bundled root schema."""
    index: dict[tuple[str, str], Shape] = {}
    for name in sorted(_root_names()):
        declared = json.loads((_directory() / name).read_text(encoding="utf-8"))["properties"]
        kind = declared["kind"]["enum"][0]
        for api_version in declared["apiVersion"]["enum"]:
            shape = _root_shape(api_version, kind)
            if shape is None:
                raise ValueError(f"{name}: expected as {root_name(api_version, kind)}")
            index[(api_version, kind)] = shape
    return index


def clear_caches() -> None:
    """Forget every compiled schema (benchmarks time the compilation again)."""
    for cached in (kinds, _root_shape, _root_names, _compiler):
        cached.cache_clear()


def has_schema(api_version: str, kind: str) -> bool:
    """Whether resources of this apiVersion and kind are validated structurally."""
    return _root_shape(api_version, kind) is not None


def shape_of(data: dict[str, Any]) -> Shape | None:
    """The root shape for a resource's apiVersion and kind; None when there is no schema."""
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api_version, str) and isinstance(kind, str):
        return _root_shape(api_version, kind)
    return None


def type_names(types: Iterable[str]) -> str:
    """`integer or string`, in a fixed order."""
    ordered = [t for t in _TYPE_ORDER if t in types]
    return " or ".join(ordered)


def json_type(value: Any) -> str:
    """The JSON type name of a plain value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _type_ok(value: Any, types: frozenset[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        # sigs.k8s.io/yaml writes 3.0 as 3, which decodes into an integer field.
        return "number" in types or ("integer" in types and value.is_integer())
    return json_type(value) in types


def is_placeholder(value: Any) -> bool:
    """An unrendered template value: `${VAR}`, `"{{ .Values.x }}"`, or a bare `{{ x }}`
    (which YAML reads as a mapping whose one key is a mapping, with a null value)."""
    if isinstance(value, str):
        return ("{{" in value and "}}" in value) or _ENV_PLACEHOLDER.fullmatch(value) is not None
    if isinstance(value, dict) and len(value) == 1:
        ((key, item),) = value.items()
        return item is None and isinstance(key, str) and key[:1] == "{" and key[-1:] == "}"
    return False


def walk(shape: Shape, value: Any, extra_required: dict[str, tuple[str, ...]]) -> list[Problem]:
    """Every structural problem of `value` against `shape` (nothing below a problem)."""
    problems: list[Problem] = []
    _walk(shape, value, [], problems, extra_required)
    return problems


def _walk(
    shape: Shape,
    value: Any,
    path: list[Key],
    out: list[Problem],
    extra: dict[str, tuple[str, ...]],
) -> None:
    if value is None:
        return
    if shape.types and not _type_ok(value, shape.types) and not is_placeholder(value):
        key = path[-1] if path else ""
        out.append(Problem("invalidFieldType", tuple(path), str(key), shape, value))
        return
    if isinstance(value, dict):
        _walk_object(shape, value, path, out, extra)
    elif isinstance(value, list) and shape.items is not None:
        for index, item in enumerate(value):
            path.append(index)
            _walk(shape.items, item, path, out, extra)
            path.pop()


def _walk_object(
    shape: Shape,
    value: dict[Any, Any],
    path: list[Key],
    out: list[Problem],
    extra: dict[str, tuple[str, ...]],
) -> None:
    for raw_key, item in value.items():
        key = key_text(raw_key)
        child = shape.properties.get(key)
        if child is None:
            # `$patch` and friends are strategic-merge-patch directives (kustomize patches).
            if shape.additional is True or key.startswith("$") or is_placeholder({key: item}):
                continue
            if shape.additional is False:
                out.append(Problem("unknownField", (*path, key), key, shape, item))
                continue
            child = shape.additional
        path.append(key)
        _walk(child, item, path, out, extra)
        path.pop()
    for name in (*shape.required, *extra.get(shape.name, ())):
        if name not in value:
            out.append(Problem("missingRequiredField", tuple(path), name, shape))
