"""The keyword index (FTS5): its table, and the words each passage is found by.

Passages are written with their language as FTS5's locale, which the `cairn` tokenizer
(engine.language.tokenizer) reads to stem them by that language's rules.
"""

from __future__ import annotations

from pathlib import Path

import apsw

# Contentless: the text lives once, in `chunks`; FTS keeps only its index.
CREATE_TABLE = """
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, context,
    content='', contentless_delete=1, locale=1,
    tokenize='cairn'
);
"""

INSERT = "INSERT INTO chunks_fts(rowid, text, context) VALUES (?, fts5_locale(?, ?), fts5_locale(?, ?))"


def keyword_context(path: str, title: str | None, heading: str | None) -> str:
    """The words of a passage's place that keyword search matches too: its file's name, title and heading.

    A rename changes them, so a moved file's keyword rows are rewritten with this (Store.move_file)."""
    name = Path(path).stem.replace("_", " ").replace("-", " ")
    return " ".join(filter(None, [name, title, heading]))


def insert(conn: apsw.Connection, chunk_id: int, text: str, context: str, language: str | None) -> None:
    conn.execute(INSERT, (chunk_id, language or "", text, language or "", context))
