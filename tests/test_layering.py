"""The package is its pipeline: every import goes down the layer order, and none closes a circle.

Every import counts: at module level, inside functions and under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "kinspect"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("version", "bundled", "errors"),
    ("model",),
    ("kube",),
    ("parse",),
    ("ruleset",),
    ("check", "structure", "suppress", "inputs"),
    ("engine",),
    ("report",),
    ("config",),
    ("fix",),
    ("server",),
    ("cli",),
    ("api", "__main__"),
    ("__init__",),
)
"""Lowest first. A unit (a top-level module or a subpackage) imports only units of lower
layers, or modules of its own subpackage; units of one layer never import each other. The
package itself (`__init__`) re-exports the API lazily, so it sits on top."""
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    """`kinspect.engine.run` for kinspect/engine/run.py; a package for its `__init__.py`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The kinspect modules that `name` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("kinspect"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            if not base.startswith("kinspect"):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in known else base


def unit_of(name: str) -> str:
    """The layer unit of a module: its subpackage, or the top-level module itself."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target in imports(name, path, known) if target not in (name, "kinspect")}
        for name, path in known.items()
    }


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(name) for name in modules()}
    assert units <= set(RANK), f"add to LAYERS: {sorted(units - set(RANK))}"


def test_imports_go_down_the_layers() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in import_graph().items()
        for target in sorted(targets)
        if unit_of(source) != unit_of(target) and RANK[unit_of(target)] >= RANK[unit_of(source)]
    ]
    assert upward == []


def test_no_import_circles() -> None:
    assert list(_cycles(import_graph())) == []


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """One cycle through each module that can reach itself (depth-first search)."""
    done: set[str] = set()
    for start in sorted(graph):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for target in sorted(graph.get(node, ())):
                if target == start:
                    yield [*trail, start]
                    stack.clear()
                    break
                if target not in seen and target not in done:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
        done.add(start)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert list(_cycles(graph)) == expected
