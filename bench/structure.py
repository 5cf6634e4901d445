"""Cost of structural validation (unknownField, invalidFieldType, missingRequiredField).

Usage: python bench/structure.py [--corpus DIR] [--runs N] [--cli]

Inspects the corpus in this process with every rule and with every rule but the structural
ones, alternating, and reports the best CPU time of each and their ratio (goal <= 1.3). The
schema cache is cleared before each run with structure, so loading and compiling the bundled
schemas is counted. As whole runs are noisy on a shared machine, it also times the structural
pass alone on pre-parsed resources (the added work itself). Then compares the schema walk with
jsonschema-rs (`is_valid` only, schemas compiled with a registry) on the same resources.
`--cli` also times the command line both ways (wall clock, noisier on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kinspect.engine.run import Settings, inspect_text  # noqa: E402
from kinspect.inputs.kinds import Source  # noqa: E402
from kinspect.inputs.sources import MANIFEST_SUFFIXES, read_text  # noqa: E402
from kinspect.kube.targets import resources_of  # noqa: E402
from kinspect.parse.loader import load_documents  # noqa: E402
from kinspect.ruleset.model import Rule  # noqa: E402
from kinspect.ruleset.rules import load_rules  # noqa: E402
from kinspect.structure import apischema as kubeschema  # noqa: E402
from kinspect.structure.validate import ANALYSES, check_structure  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    """(name, text) of every manifest file that can be read."""
    texts = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix in MANIFEST_SUFFIXES and path.is_file():
            try:
                texts.append((str(path), read_text(Source(str(path), path))))
            except Exception:  # unreadable inputs are not what is measured here
                continue
    return texts


def cpu_time(action: Callable[[], Any]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def inspect_all(texts: list[tuple[str, str]], rules: tuple[Rule, ...]) -> None:
    settings = Settings(rules)
    for name, text in texts:
        inspect_text(name, text, settings)


def with_structure(texts: list[tuple[str, str]], rules: tuple[Rule, ...]) -> None:
    kubeschema.clear_caches()
    inspect_all(texts, rules)


def engine_ratio(texts: list[tuple[str, str]], runs: int) -> None:
    every = tuple(load_rules())
    without = tuple(rule for rule in every if rule.analysis not in ANALYSES)
    best_without = best_with = float("inf")
    for _ in range(runs):
        best_without = min(best_without, cpu_time(lambda: inspect_all(texts, without)))
        best_with = min(best_with, cpu_time(lambda: with_structure(texts, every)))
    print(f"{'engine, without structural rules':<44} {best_without:8.3f} s CPU")
    print(f"{'engine, with structural rules':<44} {best_with:8.3f} s CPU")
    print(f"{'ratio (goal <= 1.3)':<44} {best_with / best_without:8.3f}")


def covered_resources(texts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    found = []
    for _, text in texts:
        try:
            documents = list(load_documents(text))
        except Exception:  # parse errors are not what is measured here
            continue
        for document in documents:
            found += [r.data for r in resources_of(document.data) if kubeschema.shape_of(r.data)]
    return found


def rust_validators() -> dict[tuple[str, str], Any]:
    import jsonschema_rs

    directory = ROOT / "schemas" / "kubernetes" / kubeschema.SCHEMA_SET
    definitions = json.loads((directory / "_definitions.json").read_text(encoding="utf-8"))
    registry = jsonschema_rs.Registry([(definitions["$id"], definitions)])
    validators = {}
    for path in directory.glob("*-*.json"):
        root = json.loads(path.read_text(encoding="utf-8"))
        validator = jsonschema_rs.Draft202012Validator(root, registry=registry)
        for api_version in root["properties"]["apiVersion"]["enum"]:
            validators[(api_version, root["properties"]["kind"]["enum"][0])] = validator
    return validators


def structure_alone(texts: list[tuple[str, str]], runs: int) -> None:
    """check_structure on every resource, documents parsed beforehand: the added work itself."""
    rules = tuple(load_rules())
    parsed = []
    for name, text in texts:
        try:
            documents = list(load_documents(text))
        except Exception:  # parse errors are not what is measured here
            continue
        parsed += [(name, d.root, r) for d in documents for r in resources_of(d.data)]

    def check_all() -> None:
        kubeschema.clear_caches()
        for name, root, resource in parsed:
            check_structure(resource, root, name, rules)

    alone = min(cpu_time(check_all) for _ in range(runs))
    print(f"{f'check_structure alone, {len(parsed)} resources':<44} {alone:8.3f} s CPU")


def walk_versus_rust(texts: list[tuple[str, str]], runs: int) -> None:
    resources = covered_resources(texts)
    kubeschema.clear_caches()
    load = cpu_time(kubeschema.kinds)
    print(f"{'load + compile bundled schemas (walk)':<44} {load * 1000:8.1f} ms")
    shapes = [(kubeschema.shape_of(data), data) for data in resources]
    walk = min(
        cpu_time(lambda: [kubeschema.walk(s, d, {}) for s, d in shapes if s]) for _ in range(runs)
    )
    print(f"{f'walk, {len(resources)} resources':<44} {walk:8.3f} s CPU")
    compile_rs = cpu_time(rust_validators)
    validators = rust_validators()
    plain = [(validators[(d["apiVersion"], d["kind"])], d) for d in resources]
    rust = min(cpu_time(lambda: [v.is_valid(d) for v, d in plain]) for _ in range(runs))
    print(f"{'compile with jsonschema-rs + registry':<44} {compile_rs * 1000:8.1f} ms")
    print(f"{'jsonschema-rs is_valid only, same resources':<44} {rust:8.3f} s CPU")


def cli_ratio(corpus: Path, runs: int) -> None:
    base = [sys.executable, "-m", "kinspect", "lint", "--format", "json", "--fail-on", "never"]
    skip = ["--skip-checks", ",".join(ANALYSES)]

    def wall(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        return time.perf_counter() - start

    without = min(wall([*base, *skip, str(corpus)]) for _ in range(runs))
    with_ = min(wall([*base, str(corpus)]) for _ in range(runs))
    print(f"{'CLI, without structural rules':<44} {without:8.3f} s wall")
    print(f"{'CLI, with structural rules':<44} {with_:8.3f} s wall")
    print(f"{'CLI ratio (goal <= 1.3)':<44} {with_ / without:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="best of N for each timing")
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    args = parser.parse_args()
    texts = corpus_texts(args.corpus)
    print(f"corpus: {args.corpus} ({len(texts)} files); best of {args.runs}")
    engine_ratio(texts, args.runs)
    structure_alone(texts, args.runs)
    walk_versus_rust(texts, args.runs)
    if args.cli:
        cli_ratio(args.corpus, args.runs)


if __name__ == "__main__":
    main()
