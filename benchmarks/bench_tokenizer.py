#!/usr/bin/env python3
"""Keyword-index cost of the `cairn` tokenizer against FTS5's own Porter tokenizer, on the same real text.

    .venv/bin/python -m benchmarks.bench_tokenizer [--passages 20000]

Text: installed manual pages, English and (where manpages-de, -fr, -ja are installed) German, French
and Japanese, cut into passages of about 1,000 characters. For each tokenizer: the time to write
them all into a contentless FTS5 table like the index's (one transaction), the table's size, and
the median time of a keyword query (five words OR-ed, bm25 order, first 300), in memory.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
from pathlib import Path

import apsw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import roff_to_text  # noqa: E402
from engine.language import tokenizer  # noqa: E402

PORTER = "tokenize='porter unicode61 remove_diacritics 2'"
CAIRN = "locale=1, tokenize='cairn'"
FOLDERS = {"en": "man1", "de": "de/man1", "fr": "fr/man1", "ja": "ja/man1"}


def passages(language: str, limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted((Path("/usr/share/man") / FOLDERS[language]).glob("*.gz")):
        try:
            _, body = roff_to_text(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        except (OSError, EOFError):
            continue
        out.extend(body[i:i + 1000] for i in range(0, len(body), 1000) if len(body[i:i + 1000]) > 200)
        if len(out) >= limit:
            break
    return out[:limit]


def measure(texts: list[str], language: str, create: str, queries: list[str]) -> tuple[float, int, float]:
    conn = apsw.Connection(":memory:")
    tokenizer.register(conn)
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, context, content='', contentless_delete=1, {create})")
    insert = ("INSERT INTO t(rowid, text, context) VALUES (?, fts5_locale(?, ?), '')" if "locale" in create
              else "INSERT INTO t(rowid, text, context) VALUES (?, ?, '')")
    start = time.perf_counter()
    with conn:
        for i, text in enumerate(texts, 1):
            conn.execute(insert, (i, language, text) if "locale" in create else (i, text))
    write = time.perf_counter() - start
    size = sum(len(r[0]) for r in conn.execute("SELECT block FROM t_data"))
    match = ("SELECT rowid FROM t WHERE t MATCH fts5_locale(?, ?) ORDER BY bm25(t) LIMIT 300" if "locale" in create
             else "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 300")
    times = []
    for q in queries:
        start = time.perf_counter()
        conn.execute(match, (f"{language},en", q) if "locale" in create else (q,)).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    return write, size, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(5)
    print(f"{'language':9}{'tokenizer':>10}{'passages':>10}{'write s':>9}{'us/passage':>11}{'MB':>7}{'query ms':>9}")
    for language in FOLDERS:
        texts = passages(language, args.passages)
        if not texts:
            print(f"{language}: no manual pages installed, skipped")
            continue
        words = [w for w in " ".join(texts[:200]).split() if w.isalpha() and len(w) > 3]
        queries = ['"' + '" OR "'.join(rng.sample(words, 5)) + '"' for _ in range(50)]
        for name, create in (("porter", PORTER), ("cairn", CAIRN)):
            write, size, query = measure(texts, language, create, queries)
            print(f"{language:9}{name:>10}{len(texts):>10}{write:9.1f}{1e6 * write / len(texts):11.0f}"
                  f"{size / 1e6:7.1f}{1000 * query:9.2f}")


if __name__ == "__main__":
    main()
