#!/usr/bin/env python3
"""Time of migration m005_languages (identify each passage's language, rebuild the keyword index).

    .venv/bin/python -m benchmarks.bench_migration [--english 8000] [--german 2000]

Makes an index as the previous Cairn left it (migrations m001-m004, FTS5 with the Porter
tokenizer) from installed manual pages (German ones need manpages-de), in a temporary folder,
then opens it with this Cairn and prints the time and the languages found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import apsw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_tokenizer import passages  # noqa: E402
from engine.store import Store  # noqa: E402
from engine.store.migrations import MIGRATIONS  # noqa: E402
from engine.store.sql import immediate  # noqa: E402

BEFORE = 4  # m001-m004: the schema before languages


def old_index(path: Path, texts: list[str]) -> None:
    conn = apsw.Connection(str(path))
    conn.execute("CREATE TABLE migrations(name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    for name, apply in MIGRATIONS[:BEFORE]:
        with immediate(conn):
            apply(conn)
            conn.execute("INSERT INTO migrations VALUES (?, 0)", (name,))
    with conn:
        conn.execute("INSERT INTO folders(path, added_at) VALUES ('/docs', 0)")
        for f in range(0, len(texts), 100):
            conn.execute("INSERT INTO files(folder_id, path, ext, size, mtime_ns, status, chunks, indexed_at)"
                         " VALUES (1, ?, '.txt', 1, 1, 'indexed', 100, 0)", (f"/docs/f{f}.txt",))
            file_id = conn.last_insert_rowid()
            for i, text in enumerate(texts[f:f + 100]):
                conn.execute('INSERT INTO chunks(file_id, seq, start, "end", text) VALUES (?, ?, 0, 1, ?)',
                             (file_id, i, text))
                conn.execute("INSERT INTO chunks_fts(rowid, text, context) VALUES (?, ?, '')",
                             (conn.last_insert_rowid(), text))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--english", type=int, default=8000)
    parser.add_argument("--german", type=int, default=2000)
    args = parser.parse_args()
    texts = passages("en", args.english) + passages("de", args.german)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.db"
        old_index(path, texts)
        start = time.perf_counter()
        store = Store.open(path)
        spent = time.perf_counter() - start
        print(f"m005 on {len(texts):,} passages: {spent:.1f} s ({1000 * spent / len(texts):.2f} ms a passage)")
        print("languages:", store.languages())
        store.close()


if __name__ == "__main__":
    main()
