"""Indexing speed against its ceiling: one `cairn index` over the whole corpus, then the same model
embedding a sample of the passages that pass stored (each as the indexer gave it to the model: under
its title and heading), nothing else, in the same run.

The two are measured back to back so that they see the same machine; the ratio of the two rates is
the figure the target is about (reading, OCR, chunking and writing must not slow embedding down).
On a machine that other work also keeps busy, wall seconds depend on what else ran at each moment,
so the CPU seconds per passage (the pass: `cairn` and its reader processes; the ceiling: this
process) are compared too: that ratio holds under load.
Scanned pages cost Tesseract's time and add few passages, so the rate is also given without the files
that needed OCR: their reading time is not known per file, so that second pass indexes the corpus
without them, in a fresh home.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import time
from pathlib import Path

from benchmarks.realworld.cairn import _cli, _index_pass
from benchmarks.realworld.paths import CAIRN, CORPUS

SAMPLE = 3000
BATCH = 32


def run() -> None:
    whole = _pass(CAIRN / "rate" / "whole", excluded=[])
    scanned = _ocr_files(whole["database"])
    without_ocr = _pass(CAIRN / "rate" / "text", excluded=scanned)
    pure = _pure(whole["database"], whole["model"])
    result = {"load_after": os.getloadavg(), "pure": pure, "whole": whole, "without_ocr": without_ocr,
              "ocr_files": len(scanned)}
    (CAIRN / "rate.json").write_text(json.dumps(result, indent=1))
    print(f"pure embedding ({pure['model']}): {pure['passages']} passages in {pure['seconds']:.1f} s "
          f"= {pure['rate']:.1f} passages/s, {pure['cpu_per_passage'] * 1000:.0f} ms CPU a passage")
    for name, p in (("whole corpus", whole), (f"without the {len(scanned)} files OCR read", without_ocr)):
        print(f"{name}: {p['passages']} passages in {p['seconds']:.1f} s = {p['rate']:.1f} passages/s "
              f"= {p['rate'] / pure['rate']:.2f} of pure; {p['cpu_per_passage'] * 1000:.0f} ms CPU a passage "
              f"= {pure['cpu_per_passage'] / p['cpu_per_passage']:.2f} of pure; peak {p['peak_mb']:.0f} MB")


def _pass(home: Path, excluded: list[str]) -> dict[str, object]:
    shutil.rmtree(home, ignore_errors=True)
    _cli(home, "add", str(CORPUS))
    for path in excluded:
        rel = Path(path).relative_to(CORPUS).as_posix()
        _cli(home, "add", str(CORPUS), "--exclude", "".join(f"[{c}]" if c in "[]*?" else c for c in rel))
    started = time.perf_counter()
    outcome = _index_pass(home)
    status = json.loads(_cli(home, "status", "--json"))
    database = status["database"]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        passages = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    seconds = outcome["reported_seconds"] or time.perf_counter() - started
    return {"passages": passages, "seconds": seconds, "rate": passages / seconds, "wall": outcome["wall"],
            "cpu_per_passage": outcome["cpu_seconds"] / passages,
            "peak_mb": outcome["peak_tree_mb"], "returncode": outcome["returncode"], "database": database,
            "model": status["model_choice"], "ocr_pages": status["ocr_pages"]}


def _ocr_files(database: str) -> list[str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return [p for (p,) in conn.execute(
            "SELECT path FROM files WHERE hash IN (SELECT file_hash FROM ocr_pages)")]


def _pure(database: str, model: str) -> dict[str, object]:
    from engine import load_embedder
    from engine.indexing.passage import embedding_text

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT f.title, c.heading, c.text FROM chunks c JOIN files f ON f.id = c.file_id").fetchall()
    embedder = load_embedder(model)
    sample = [embedding_text(embedder, text, title, heading)
              for title, heading, text in random.Random(7).sample(rows, min(SAMPLE, len(rows)))]
    embedder.embed_batch(sample[:8])  # first-call allocations are not embedding
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(sample), BATCH):
        embedder.embed_batch(sample[i:i + BATCH])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {"model": model, "passages": len(sample), "seconds": seconds,
            "rate": len(sample) / seconds, "cpu_per_passage": cpu / len(sample)}

