"""Append-only, named schema migrations.

Each migration runs once, inside the same transaction that records it in
`migrations`, so a crash mid-upgrade leaves the old schema intact. Never edit a
migration that has shipped: add the next one.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import apsw
import numpy as np

from engine.language import identify
from engine.store import fts
from engine.store.partitions import Partitions
from engine.store.sql import immediate, scalar

Migration = tuple[str, Callable[[apsw.Connection], None]]


def _sql(script: str) -> Callable[[apsw.Connection], None]:
    def run(conn: apsw.Connection) -> None:
        conn.execute(script)

    return run


M001_INITIAL = """
CREATE TABLE meta(
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE folders(
    id       INTEGER PRIMARY KEY,
    path     TEXT NOT NULL UNIQUE,
    excludes TEXT NOT NULL DEFAULT '[]',
    added_at REAL NOT NULL
);
CREATE TABLE files(
    id         INTEGER PRIMARY KEY,
    folder_id  INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path       TEXT NOT NULL UNIQUE,
    ext        TEXT NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    hash       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('indexed', 'empty', 'skipped', 'error')),
    error      TEXT,
    kind       TEXT,
    title      TEXT,
    chunks     INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL NOT NULL
);
CREATE INDEX files_folder ON files(folder_id);
CREATE INDEX files_hash ON files(hash);
CREATE TABLE chunks(
    id      INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    page    INTEGER,
    start   INTEGER NOT NULL,
    "end"   INTEGER NOT NULL,
    heading TEXT,
    text    TEXT NOT NULL
);
CREATE INDEX chunks_file ON chunks(file_id, seq);
-- Exact vectors for re-scoring: read by primary key, a few hundred at a time.
CREATE TABLE embeddings(
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vector   BLOB NOT NULL
);
-- Contentless: the text lives once, in `chunks`; FTS keeps only its index.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, context,
    content='', contentless_delete=1,
    tokenize='porter unicode61 remove_diacritics 2'
);
"""

# Move detection looks up indexed files of a given size.
M002_FILES_SIZE = "CREATE INDEX files_size ON files(size, status);"

# One vector per file: the normalised mean of its passages' vectors. Search adds a little of
# the file's similarity to each passage's, so a file that is about the query as a whole beats
# one that only mentions it in passing (docs/evaluation.md). Filled for existing indexes here.
M003_FILE_VECTORS = """
CREATE TABLE file_vectors(
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    vector  BLOB NOT NULL
);
"""


def _file_vectors(conn: apsw.Connection) -> None:
    conn.execute(M003_FILE_VECTORS)
    rows: Iterator[Any] = conn.execute(  # one file's vectors in memory at a time
        "SELECT c.file_id, e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id ORDER BY c.file_id"
    )
    for file_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        vectors = [np.frombuffer(r[1], dtype=np.float32) for r in group]
        conn.execute("INSERT INTO file_vectors(file_id, vector) VALUES (?, ?)",
                     (file_id, mean_direction(np.stack(vectors)).tobytes()))


def mean_direction(vectors: np.ndarray) -> np.ndarray:
    """The unit vector along the mean of `vectors` (float32): a file's vector from its passages'."""
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)


def coarse_bits(vector: np.ndarray) -> bytes:
    """Sign bits, least significant bit first, as sqlite-vec's `bit[]` columns expect."""
    return np.packbits(np.asarray(vector) > 0, bitorder="little").tobytes()


# Which version of its kind's reader read each file (engine.extract.READER_VERSIONS): a file read
# by an older one is read again. Files indexed before this was kept were read by version 1.
M004_READER_VERSION = "ALTER TABLE files ADD COLUMN reader_version INTEGER NOT NULL DEFAULT 1;"


# Keyword search in every language (docs/multilingual-keywords.md): each passage's language is
# kept, and the keyword index is built again with the `cairn` tokenizer, which stems each passage
# by its language's rules and cuts Chinese and Japanese into pairs of characters, in place of
# FTS5's English Porter stemmer. The passages' text and places are all in `chunks` and `files`.
def _languages(conn: apsw.Connection) -> None:
    conn.execute("ALTER TABLE chunks ADD COLUMN language TEXT")
    conn.execute("CREATE INDEX chunks_language ON chunks(language)")
    conn.execute("DROP TABLE chunks_fts")
    conn.execute(fts.CREATE_TABLE)
    last = 0
    while True:  # a thousand passages in memory at a time
        rows: list[Any] = conn.execute(
            "SELECT c.id, c.text, c.heading, f.title, f.path FROM chunks c JOIN files f ON f.id = c.file_id"
            " WHERE c.id > ? ORDER BY c.id LIMIT 1000", (last,)).fetchall()
        if not rows:
            return
        for chunk_id, text, heading, title, path in rows:
            language = identify(text)
            conn.execute("UPDATE chunks SET language = ? WHERE id = ?", (language, chunk_id))
            fts.insert(conn, chunk_id, text, fts.keyword_context(path, title, heading), language)
        last = rows[-1][0]


# OCR (docs/ocr.md). chunks.ocr_confidence: how sure OCR was of the page a passage was read from
# (Tesseract's mean word confidence, 0-100); NULL for passages from a text layer, so results can say
# "read from a scan" and warn where it is low. ocr_pages: every page OCR has read, by the file's
# content hash (files.hash), page number and OCR set-up (languages): a page is read once, so a
# re-index, a new reader version, a copied file or a pass killed halfway through a long scan
# costs no OCR for the pages already read. Written page by page, each in its own commit.
M006_OCR = """
ALTER TABLE chunks ADD COLUMN ocr_confidence REAL;
CREATE TABLE ocr_pages(
    file_hash  TEXT NOT NULL,
    page       INTEGER NOT NULL,
    setup      TEXT NOT NULL,
    text       TEXT NOT NULL,
    confidence REAL NOT NULL,
    read_at    REAL NOT NULL,
    PRIMARY KEY (file_hash, page, setup)
) WITHOUT ROWID;
"""

# What is inside containers (issue #25, docs/containers.md): a mail's attachment or an archive's member is a
# row of `files` of its own (its kind, title, passages, problems), under the path
# "<container>//<path inside>", with `container_id` the file on disk that holds it (the top one, for
# members of nested containers) and `location` its place in words ("attached to 'Re: Lease renewal'
# from A. Ortiz, 14 Feb 2025"). The folder scan passes over such rows; they go with their container.
M007_CONTAINERS = """
ALTER TABLE files ADD COLUMN container_id INTEGER REFERENCES files(id) ON DELETE CASCADE;
ALTER TABLE files ADD COLUMN location TEXT;
CREATE INDEX files_container ON files(container_id);
"""


# Word boxes (docs/ocr.md, "Preview"): where each word of a kept page sits on the page picture and its span
# in the page's text (engine.extract.ocr.boxes.pack), so the app's preview boxes a scan's matching words
# without reading the page again. NULL for pages read before: the preview shows them without boxes.
M009_OCR_BOXES = "ALTER TABLE ocr_pages ADD COLUMN boxes BLOB;"


# Vector partitions (engine.store.partitions, docs/scale.md) in place of the sign bits of every vector
# (`coarse_vectors`), which found too few of the true nearest at a million passages. An existing
# index's vectors are partitioned here, once.
M008_VECTOR_PARTITIONS = """
DROP TABLE IF EXISTS coarse_vectors;
CREATE TABLE vector_lists(
    list_id  INTEGER PRIMARY KEY,
    centroid BLOB NOT NULL,
    ids      BLOB NOT NULL,
    codes    BLOB NOT NULL
);
CREATE TABLE vector_members(
    chunk_id INTEGER PRIMARY KEY,
    list_id  INTEGER NOT NULL
);
CREATE TABLE vector_changes(
    chunk_id INTEGER PRIMARY KEY,
    list_id  INTEGER NOT NULL,
    code     BLOB
);
CREATE INDEX vector_changes_list ON vector_changes(list_id);
"""


def _vector_partitions(conn: apsw.Connection) -> None:
    conn.execute(M008_VECTOR_PARTITIONS)
    Partitions(conn).rebuild()


# A change of embedding model re-embeds in the background while the old vectors keep serving search
# (docs/multilingual-model.md): the new model's vectors wait here, one per passage, until every
# passage has one; then one transaction moves them to `embeddings` (engine/store/switch.py).
M011_REEMBED = """
CREATE TABLE next_embeddings(
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vector   BLOB NOT NULL
);
"""

MIGRATIONS: list[Migration] = [
    ("m001_initial", _sql(M001_INITIAL)),
    ("m002_files_size", _sql(M002_FILES_SIZE)),
    ("m003_file_vectors", _file_vectors),
    ("m004_reader_version", _sql(M004_READER_VERSION)),
    ("m005_languages", _languages),
    ("m006_ocr", _sql(M006_OCR)),
    ("m007_containers", _sql(M007_CONTAINERS)),
    ("m008_vector_partitions", _vector_partitions),
    ("m009_ocr_boxes", _sql(M009_OCR_BOXES)),
    ("m011_reembed", _sql(M011_REEMBED)),
]


def migrate(conn: apsw.Connection) -> None:
    """Apply the migrations this index has not had yet, each in its own write transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS migrations(name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    for name, apply in MIGRATIONS:
        if name in done:
            continue
        with immediate(conn):
            if scalar(conn, "SELECT count(*) FROM migrations WHERE name = ?", (name,)):
                continue  # another connection (the app opens several at once) applied it while this one waited
            apply(conn)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))
