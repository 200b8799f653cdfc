#!/usr/bin/env python3
"""Search latency of two checkouts of Cairn side by side, their queries interleaved, in one run.

    .venv/bin/python benchmarks/ab_search.py OTHER_CHECKOUT [--chunks 100000] [--real 5000] [--rounds 3]

Each checkout builds the index of benchmarks/bench_search.py (its own code: tokenizer, schema) in a
process of its own; then the same queries (the pages' NAME lines, vectors computed beforehand) go
to one and then the other, query by query, so that a machine whose load changes slows both alike.
Prints each one's build time and p50/p95 per mode. OTHER_CHECKOUT: e.g. a worktree of main.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
MODES = ("keyword", "semantic", "hybrid")


def worker(chunks: int, real: int, queries: int) -> None:
    """Runs inside one checkout (CAIRN_AB_ROOT first on sys.path): build, then answer timing requests."""
    sys.path.insert(0, os.environ["CAIRN_AB_ROOT"])
    from benchmarks.bench_search import Cached, build, passages, real_vectors, top_up
    from engine.embed import load_embedder
    from engine.search import search
    from engine.store import Store

    embedder = load_embedder()
    texts, names = passages(embedder, real)
    vectors = top_up(real_vectors(embedder, texts), chunks)
    rng = np.random.default_rng(3)
    query_texts = [names[i] for i in rng.choice(len(names), min(queries, len(names)), replace=False)]
    cached = Cached(embedder, dict(zip(query_texts, embedder.embed_batch(query_texts))))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "index.db")
        start = time.perf_counter()
        build(store, embedder, texts, vectors)
        print(json.dumps({"built": time.perf_counter() - start, "queries": len(query_texts)}), flush=True)
        for line in sys.stdin:
            mode, index = line.split()
            start = time.perf_counter()
            search(store, cached, query_texts[int(index)], mode=mode)  # type: ignore[arg-type]
            print(json.dumps({"ms": 1000 * (time.perf_counter() - start)}), flush=True)
        store.close()


def start(root: Path, args: argparse.Namespace) -> subprocess.Popen[str]:
    env = {**os.environ, "CAIRN_AB_ROOT": str(root)}
    return subprocess.Popen([sys.executable, __file__, "--worker", "--chunks", str(args.chunks), "--real",
                             str(args.real), "--queries", str(args.queries)], cwd=root, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def ask(proc: subprocess.Popen[str], mode: str, index: int) -> float:
    assert proc.stdin and proc.stdout
    proc.stdin.write(f"{mode} {index}\n")
    proc.stdin.flush()
    return float(json.loads(proc.stdout.readline())["ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("other", type=Path, nargs="?")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        worker(args.chunks, args.real, args.queries)
        return
    roots = {"this": HERE, "other": args.other.resolve()}
    procs = {}
    for name, root in roots.items():  # built one after the other: two builds at once would share the cores
        procs[name] = start(root, args)
        ready = json.loads(procs[name].stdout.readline())  # type: ignore[union-attr]
        print(f"{name} ({root}): built {args.chunks:,} passages in {ready['built']:.0f} s", flush=True)
        count = ready["queries"]
    times: dict[tuple[str, str], list[float]] = {(n, m): [] for n in roots for m in MODES}
    for _ in range(args.rounds):
        for index in range(count):
            for mode in MODES:
                for name in (roots if index % 2 else reversed(list(roots))):
                    times[(name, mode)].append(ask(procs[name], mode, index))
    for proc in procs.values():
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait()
    print(f"\n{'mode':>9} {'this p50':>9} {'other p50':>10} {'ratio':>6} {'this p95':>9} {'other p95':>10}")
    for mode in MODES:
        a, b = times[("this", mode)], times[("other", mode)]
        print(f"{mode:>9} {np.percentile(a, 50):9.1f} {np.percentile(b, 50):10.1f} "
              f"{np.percentile(a, 50) / np.percentile(b, 50):6.2f} {np.percentile(a, 95):9.1f} {np.percentile(b, 95):10.1f}")


if __name__ == "__main__":
    main()
