"""Search speed at 100,000 passages: nearest-neighbour latency and recall, hybrid latency, whole process.

    .venv/bin/python benchmarks/bench_search.py [--chunks 100000] [--real 20000]

Vectors: `--real` passages of installed manual pages embedded by the bundled model
(cached under bench-data/ after the first run), topped up to `--chunks` with
mixtures of two real vectors plus noise, which stay in the region real
embeddings occupy. Queries are the pages' one-line NAME descriptions, embedded
for real. Recall@10 is measured against exact brute-force cosine over all vectors.
Writes only to a temporary folder and bench-data/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import man_pages  # noqa: E402
from engine.indexing.chunk import ChunkSizes, chunk_document  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.extract import Document  # noqa: E402
from engine.search import search  # noqa: E402
from engine.store import FileOutcome, NewChunk, Store  # noqa: E402

CACHE = ROOT / "bench-data"


def passages(embedder, limit: int) -> tuple[list[str], list[str]]:
    sizes = ChunkSizes.for_model(embedder.max_tokens)
    texts: list[str] = []
    queries: list[str] = []
    for _, name, body in man_pages(min_chars=200):
        queries.append(name.split(" - ", 1)[1])
        for chunk in chunk_document(Document(text=body, kind="text", title=name), embedder.count_tokens, sizes):
            texts.append(chunk.text)
        if len(texts) >= limit:
            break
    return texts[:limit], queries


def real_vectors(embedder, texts: list[str]) -> np.ndarray:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"search-{embedder.model_id[:16]}-{len(texts)}.npy"
    if path.exists():
        return np.load(path)
    print(f"embedding {len(texts)} passages once (cached in {path.name})...", flush=True)
    out = np.vstack([embedder.embed_batch(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    np.save(path, out)
    return out


def top_up(real: np.ndarray, total: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    extra = total - len(real)
    a = real[rng.integers(0, len(real), extra)]
    b = real[rng.integers(0, len(real), extra)]
    w = rng.uniform(0.55, 0.85, (extra, 1)).astype(np.float32)
    mixed = w * a + (1 - w) * b + rng.normal(0, 0.02, a.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return np.vstack([real, mixed]).astype(np.float32)


def build(store: Store, embedder, texts: list[str], vectors: np.ndarray) -> None:
    store.bind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
    folder = store.add_folder("/bench", [])
    per_file = 100
    for f in range(0, len(vectors), per_file):
        chunks = [NewChunk(i - f, texts[i % len(texts)], 0, 1, None, None, "") for i in range(f, min(f + per_file, len(vectors)))]
        outcome = FileOutcome(folder.id, f"/bench/file{f // per_file:05}.txt", ".txt", 1, 1, None, "indexed")
        store.write_file(outcome, chunks, vectors[f:f + len(chunks)])


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def nn_table(store: Store, vectors: np.ndarray, queries: np.ndarray) -> None:
    ids_all = np.arange(1, len(vectors) + 1)  # chunk ids follow insertion order
    print(f"\nNearest neighbours over {len(vectors):,} vectors ({len(queries)} queries, k=10)")
    print(f"{'bit candidates':>15} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>10}")
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    for k in (50, 100, 200, 400):
        times, recalls = [], []
        for qi, q in enumerate(queries):
            t = time.perf_counter()
            cand = store.coarse_candidates(q, k)
            ids, matrix = store.exact_vectors(cand)
            top = [ids[i] for i in np.argsort(-(matrix @ q))[:10]]
            times.append((time.perf_counter() - t) * 1000)
            recalls.append(len(set(top) & set(ids_all[exact[qi]].tolist())) / 10)
        print(f"{k:>15} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} {statistics.mean(recalls):10.3f}")
    times = []
    for q in queries[:20]:
        t = time.perf_counter()
        store.conn.execute("SELECT chunk_id, vec_distance_cosine(vector, ?) d FROM embeddings ORDER BY d LIMIT 10",
                           (q.tobytes(),)).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    print(f"{'exact (scan)':>15} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} {1.0:10.3f}")


class Cached:
    """The real embedder with query vectors computed beforehand, to time search without the model."""

    def __init__(self, embedder, table: dict[str, np.ndarray]) -> None:
        self.inner, self.table = embedder, table
        self.model_id, self.model_name, self.dimensions = embedder.model_id, embedder.model_name, embedder.dimensions

    def embed_batch(self, texts, role="passage"):
        missing = [t for t in dict.fromkeys(texts) if t not in self.table]  # search may embed other texts
        if missing:
            self.table.update(zip(missing, self.inner.embed_batch(missing, role=role)))
        return np.vstack([self.table[t] for t in texts])


def hybrid_table(store: Store, embedder, query_texts: list[str]) -> None:
    cached = Cached(embedder, {q: v for q, v in zip(query_texts, embedder.embed_batch(query_texts, role="query"))})
    print("\nWhole queries (query embedding excluded / included)")
    for mode in ("keyword", "semantic", "hybrid"):
        t_ex, t_in = [], []
        for q in query_texts:
            t = time.perf_counter()
            search(store, cached, q, mode=mode)
            t_ex.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            search(store, embedder, q, mode=mode)
            t_in.append((time.perf_counter() - t) * 1000)
        print(f"{mode:>9}: p50 {percentile(t_ex, 50):6.1f} ms, p95 {percentile(t_ex, 95):6.1f} ms"
              f"  | with embedding p50 {percentile(t_in, 50):6.1f} ms")


def process_time(home: Path, query: str) -> None:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    cmd = [str(ROOT / ".venv" / "bin" / "cairn"), "search", query]
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    print(f"\n`cairn search` as a whole process (model load included): median {statistics.median(runs):.2f} s,"
          f" max {max(runs):.2f} s over 5 runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    embedder = load_embedder()
    texts, names = passages(embedder, args.real)
    vectors = top_up(real_vectors(embedder, texts), args.chunks)
    rng = np.random.default_rng(3)
    query_texts = [names[i] for i in rng.choice(len(names), min(args.queries, len(names)), replace=False)]
    queries = embedder.embed_batch(query_texts, role="query")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "data").mkdir()
        store = Store.open(home / "data" / "index.db")
        t = time.perf_counter()
        build(store, embedder, texts, vectors)
        print(f"built an index of {len(vectors):,} passages in {time.perf_counter() - t:.0f} s")
        nn_table(store, vectors, queries)
        hybrid_table(store, embedder, query_texts[:50])
        store.close()
        process_time(home, query_texts[0])


if __name__ == "__main__":
    main()
