"""Longer fuzzing than the test suite: mutated fixtures and corpus files through the whole
pipeline and every reporter, for a time budget.

Usage: python bench/fuzz.py [--seconds 300] [--seed N] [--corpus DIR] [--out DIR]

The invariant is the test suite's: findings or a clean error, never an exception. Each input
that breaks it is saved under --out with its traceback; the exit code is 1 if any did.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kinspect.errors import KinspectError  # noqa: E402
from kinspect.inputs.sources import decode  # noqa: E402
from tests.support.fuzzing import TOKENS, mutate, pipeline, seeds  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_texts(corpus: Path, rng: random.Random, count: int) -> list[str]:
    """`count` decodable files of the corpus (small ones), chosen at random."""
    if not corpus.is_dir():
        return []
    files = [p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json")]
    files = [p for p in files if p.stat().st_size < 20_000]
    texts = []
    for path in rng.sample(files, min(count, len(files))):
        try:
            texts.append(decode(path.read_bytes()))
        except KinspectError:
            continue
    return texts


def one_input(rng: random.Random, pool: list[str]) -> tuple[str, str]:
    """(name, text) of the next input: mostly mutations, sometimes pure noise."""
    kind = rng.randrange(10)
    if kind == 0:
        return "noise.yaml", "".join(rng.choice(TOKENS) for _ in range(rng.randrange(1, 60)))
    if kind == 1:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        try:
            return "bytes.yaml", decode(data)
        except KinspectError:
            return "bytes.yaml", ""
    name = "mutated.json" if kind == 2 else "mutated.yaml"
    return name, mutate(rng.choice(pool), rng, rng.randrange(1, 8))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    pool = [*seeds(), *corpus_texts(args.corpus, rng, 400)]
    deadline = time.monotonic() + args.seconds
    runs = failures = 0
    while time.monotonic() < deadline:
        name, text = one_input(rng, pool)
        runs += 1
        try:
            pipeline(name, text)
        except Exception:  # the invariant broke: keep the input to reproduce it
            failures += 1
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{seed}-{runs}.{name}").write_text(
                text, encoding="utf-8", errors="replace"
            )
            (args.out / f"{seed}-{runs}.txt").write_text(traceback.format_exc(), encoding="utf-8")
    print(
        f"seed {seed}: {runs} inputs in {args.seconds:.0f} s, {failures} failed (pool {len(pool)})"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
