"""The ceiling for indexing speed: the bundled model embedding this corpus's own passages, nothing else.

A sample of the passages the Cairn passes stored (spread over every format, fixed seed), embedded
in batches of 32 by the embedder `cairn index` uses, in this process. Indexing passages/s over
this rate is the figure the target is about (bench_embed.py measures the same model on synthetic
240-token passages; real passages are often shorter, so this rate is the fairer ceiling here).
"""

from __future__ import annotations

import json
import random
import sqlite3
import time

from benchmarks.realworld.paths import CAIRN

SAMPLE = 1200


def run() -> None:
    from engine.embed import load_embedder

    texts: list[str] = []
    for home in sorted((CAIRN / "homes").iterdir()):
        for db in home.rglob("*.db"):
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    texts.extend(t for (t,) in conn.execute("SELECT text FROM chunks"))
            except sqlite3.DatabaseError:
                continue
    sample = random.Random(7).sample(texts, min(SAMPLE, len(texts)))
    embedder = load_embedder()
    embedder.embed_batch(sample[:8])  # warm-up: first-call allocations are not embedding
    started = time.perf_counter()
    for i in range(0, len(sample), 32):
        embedder.embed_batch(sample[i:i + 32])
    seconds = time.perf_counter() - started
    result = {"passages": len(sample), "seconds": seconds, "rate": len(sample) / seconds, "of": len(texts)}
    (CAIRN / "pure.json").write_text(json.dumps(result, indent=1))
    print(f"pure embedding: {len(sample)} of {len(texts)} passages in {seconds:.1f} s = {result['rate']:.1f} passages/s")
