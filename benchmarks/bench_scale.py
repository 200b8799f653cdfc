#!/usr/bin/env python3
"""Nearest neighbours at a million passages: vector partitions against the sign bits they replaced, one run.

    nice -n 15 .venv/bin/python -m benchmarks.bench_scale [--chunks 1000000] [--queries 100] [--process]

Vectors: every real passage vector embedded so far (benchmarks/realcorpus.py's shards, and the
5,000 of bench_search's cache when it is there), topped up to `--chunks` with mixtures of two real
vectors plus noise (bench_search.top_up). Queries: manual pages' NAME lines embedded by the bundled
model. The vectors are written to a temporary index as `cairn index` writes them (the `embeddings`
table; passages' text and keyword rows are left out, they do not take part), the partitions are
built from them (engine.store.partitions), and each query is answered three ways: the sign bits of
every vector scanned in memory with the 400 nearest re-scored exactly (what search did before), the
partitions at several probe shares with the 200 best codes re-scored exactly, and an exact scan.
Prints p50/p95 and recall@10 against the exact scan, the build time, the tables' bytes per passage,
and (`--process`) the peak RSS and wall time of a fresh process answering one query from the index.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import realcorpus  # noqa: E402
from benchmarks.bench_search import top_up  # noqa: E402
from benchmarks.textsource import man_pages  # noqa: E402
import engine.store.partitions as partitions  # noqa: E402
from engine.store import Store  # noqa: E402

DEPTH = 100  # search's CANDIDATES: the semantic list it asks for
CODE_CANDIDATES = 200  # DEPTH x ranking.CODE_OVERSAMPLE


def real_vectors() -> np.ndarray:
    """The realcorpus shards (they begin with the same manual pages as bench_search's cache), else that cache."""
    vectors = realcorpus.load()[1]
    if len(vectors) < 5000:
        vectors = np.load(sorted((ROOT / "bench-data").glob("search-all-MiniLM-L6-v2-*.npy"))[-1])
    return np.asarray(vectors, dtype=np.float32)


def query_vectors(count: int) -> np.ndarray:
    from engine.embed import load_embedder

    names = [name.split(" - ", 1)[1] for _, name, _ in man_pages(min_chars=200)]
    rng = np.random.default_rng(3)
    chosen = [names[i] for i in rng.choice(len(names), count, replace=False)]
    embedder = load_embedder()
    try:
        return np.asarray(embedder.embed_batch(chosen, role="query"), dtype=np.float32)
    finally:
        embedder.close()


def write(store: Store, vectors: np.ndarray) -> float:
    """The vectors as chunk ids 1..n, then the partitions built over them; returns the build's seconds."""
    store.bind_model("bench", "bench", vectors.shape[1])
    store.conn.execute("PRAGMA foreign_keys = OFF")  # no passages: only the vectors take part
    for start in range(0, len(vectors), 50_000):
        store.conn.execute("BEGIN")
        store.conn.executemany("INSERT INTO embeddings(chunk_id, vector) VALUES (?, ?)",
                               ((start + i + 1, v.tobytes()) for i, v in enumerate(vectors[start:start + 50_000])))
        store.conn.execute("COMMIT")
    began = time.perf_counter()
    store.conn.execute("BEGIN")
    store.partitions.rebuild()
    store.conn.execute("COMMIT")
    return time.perf_counter() - began


def rescore(store: Store, candidates: list[int], query: np.ndarray) -> list[int]:
    ids, matrix = store.exact_vectors(candidates)
    return [ids[i] for i in np.argsort(-(matrix @ query))[:10]]


def timed(label: str, queries: np.ndarray, exact: np.ndarray, answer) -> None:  # type: ignore[no-untyped-def]
    times, recalls = [], []
    for q, truth in zip(queries, exact):
        began = time.perf_counter()
        top = answer(q)
        times.append((time.perf_counter() - began) * 1000)
        recalls.append(len(set(top) & set(truth.tolist())) / 10)
    print(f"{label:>34} {np.percentile(times, 50):8.1f} {np.percentile(times, 95):8.1f} "
          f"{statistics.mean(recalls):10.3f}", flush=True)


def sizes(store: Store, count: int) -> None:
    rows = store.conn.execute("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'vector%' OR name = 'embeddings'"
                              " GROUP BY name ORDER BY 2 DESC").fetchall()
    print("\nBytes per passage by table")
    for name, size in rows:
        print(f"{name:>22} {size / count:10.1f}")


def bits_answer(vectors: np.ndarray, store: Store):  # type: ignore[no-untyped-def]
    """The replaced method: sign bits of every vector in memory, Hamming scan, 400 re-scored exactly."""
    bits = np.packbits(vectors > 0, axis=1, bitorder="little")

    def answer(q: np.ndarray) -> list[int]:
        probe = np.packbits(q > 0, bitorder="little")
        distances = np.bitwise_count(np.bitwise_xor(bits, probe)).sum(axis=1, dtype=np.int32)
        nearest = np.argpartition(distances, 400)[:400]
        return rescore(store, (nearest + 1).tolist(), q)
    return answer


def process(db: Path, query: np.ndarray) -> None:
    """A fresh process opens the index and answers one query: wall time and peak RSS (VmHWM: ru_maxrss
    would report the forking parent's peak, which Linux carries across exec)."""
    code = ("import sys, time, resource, numpy as np; t = time.perf_counter(); sys.path.insert(0, sys.argv[1]);"
            " from engine.store import Store; s = Store.open(sys.argv[2]);"
            " q = np.frombuffer(bytes.fromhex(sys.argv[3]), dtype=np.float32);"
            " s.exact_vectors(s.nearest_candidates(q, 200)); print(time.perf_counter() - t,"
            " [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), str(db), query.tobytes().hex()],
                         capture_output=True, text=True, check=True).stdout.split()
    print(f"\nA fresh process opening the index and answering one query: {float(out[0]):.2f} s, "
          f"peak RSS {int(out[1]) / 1024:.0f} MB (no model loaded)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--process", action="store_true")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.02, 0.03, 0.04, 0.06],
                        help="shares of the partitions probed")
    args = parser.parse_args()
    real = real_vectors()
    vectors = top_up(real, args.chunks)
    queries = query_vectors(args.queries)
    print(f"{len(real):,} real vectors topped up to {len(vectors):,}; {len(queries)} queries", flush=True)
    exact = np.vstack([np.argsort(-(vectors @ q))[:10] + 1 for q in queries])
    with tempfile.TemporaryDirectory(dir=ROOT / "bench-data") as tmp:
        db = Path(tmp) / "index.db"
        store = Store.open(db)
        built = write(store, vectors)
        lists = len(store.partitions.centroids())
        print(f"partitions built in {built:.0f} s: {lists} partitions", flush=True)
        print(f"\n{'method':>34} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>10}")
        timed("sign bits, 400 re-scored", queries, exact, bits_answer(vectors, store))
        for share in args.shares:
            partitions.PROBE_SHARE = share
            probes = partitions.probe_count(lists, len(vectors))
            timed(f"partitions, {probes} probed, {CODE_CANDIDATES} re-scored", queries, exact,
                  lambda q: rescore(store, store.nearest_candidates(q, CODE_CANDIDATES), q))
        partitions.PROBE_SHARE = 0.04
        times = []
        for q in queries[:5]:
            began = time.perf_counter()
            store.conn.execute("SELECT chunk_id, vec_distance_cosine(vector, ?) d FROM embeddings ORDER BY d LIMIT 10",
                               (q.tobytes(),)).fetchall()
            times.append((time.perf_counter() - began) * 1000)
        print(f"{'exact scan (sqlite-vec)':>34} {np.percentile(times, 50):8.1f} {max(times):8.1f} {1.0:10.3f}")
        sizes(store, len(vectors))
        store.close()
        del vectors
        if args.process:
            process(db, queries[0])
    print(f"\nthis benchmark's own peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
