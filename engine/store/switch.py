"""A change of embedding model while the old one keeps serving search: the index's side of it.

The new model's vectors go to `next_embeddings`, a batch at a time, each batch in its own
commit, while `embeddings`, the vector partitions, `file_vectors` and the `model_*` meta keys stay
the old model's: every search reads one model's vectors and embeds its query with that model.
When every passage has its new vector, one transaction puts the new vectors in place, rebuilds
the vector partitions and the file vectors from them and names the new model; a reader sees the
index before that commit or after it, never a mix. A process killed at any moment leaves the
old index whole plus some new vectors kept, and the next pass embeds only the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import apsw
import numpy as np

from engine.store.migrations import mean_direction
from engine.store.partitions import Partitions
from engine.store.sql import immediate, scalar

TARGET_KEYS = ("next_model_id", "next_model_name", "next_dimensions", "next_model_choice", "next_model_reason")


@dataclass(frozen=True)
class Target:
    """The model being switched to, and the choice it comes from (engine.embed.choice)."""

    model_id: str
    model_name: str
    dimensions: int
    choice: str  # "english", "multilingual" or a GGUF path: what becomes the index's `model_choice`
    reason: str


@dataclass(frozen=True)
class Pending:
    """A switch under way: its target, and how many of the index's passages have their new vector."""

    target: Target
    done: int
    total: int


@dataclass(frozen=True)
class Passage:
    """What the new model reads for one passage: its text, under its file's title and its heading."""

    chunk_id: int
    text: str
    heading: str | None
    title: str | None


def pending(conn: apsw.Connection) -> Pending | None:
    target = _target(conn)
    if target is None:
        return None
    done = int(scalar(conn, "SELECT count(*) FROM next_embeddings"))
    return Pending(target, done, int(scalar(conn, "SELECT count(*) FROM chunks")))


def _target(conn: apsw.Connection) -> Target | None:
    meta = {str(k): str(v) for k, v in conn.execute(
        f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(TARGET_KEYS))})", TARGET_KEYS)}
    if len(meta) < len(TARGET_KEYS):
        return None
    return Target(meta["next_model_id"], meta["next_model_name"], int(meta["next_dimensions"]),
                  meta["next_model_choice"], meta["next_model_reason"])


def begin(conn: apsw.Connection, target: Target) -> None:
    """Start (or go on with) the switch to `target`; new vectors kept for another target are dropped."""
    current = _target(conn)
    if current is not None and current.model_id == target.model_id and current.choice == target.choice:
        return
    with immediate(conn):
        conn.execute("DELETE FROM next_embeddings")
        values = (target.model_id, target.model_name, str(target.dimensions), target.choice, target.reason)
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "excluded.value", list(zip(TARGET_KEYS, values)))


def abandon(conn: apsw.Connection) -> None:
    """Stop a switch (the person chose the index's model again): its new vectors are dropped."""
    with immediate(conn):
        clear(conn)


def clear(conn: apsw.Connection) -> None:
    conn.execute("DELETE FROM next_embeddings")
    conn.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in TARGET_KEYS])


def todo(conn: apsw.Connection, limit: int, after: int = 0) -> list[Passage]:
    """Up to `limit` passages after chunk id `after` without a new vector yet, in id order.

    A pass goes on from its last batch's id, so it never scans what it has done; it asks
    once more from 0 before it swaps (a file indexed meanwhile may have taken a lower id)."""
    rows: Sequence[Any] = conn.execute(
        "SELECT c.id, c.text, c.heading, f.title FROM chunks c JOIN files f ON f.id = c.file_id"
        " WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM next_embeddings n WHERE n.chunk_id = c.id)"
        " ORDER BY c.id LIMIT ?", (after, limit)).fetchall()
    return [Passage(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]


def keep(conn: apsw.Connection, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
    """One batch of new vectors, in one commit; a passage deleted meanwhile (its file changed) is skipped."""
    with immediate(conn):
        for chunk_id, vector in zip(chunk_ids, vectors):
            conn.execute("INSERT OR REPLACE INTO next_embeddings(chunk_id, vector) SELECT ?, ?"
                         " WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?)",
                         (chunk_id, np.ascontiguousarray(vector, dtype=np.float32).tobytes(), chunk_id))


def finish(conn: apsw.Connection, expected: Target) -> bool:
    """Put the new vectors in place and name the new model, in one transaction, if every passage has one.

    False (nothing changed) when passages are still missing theirs (a file indexed meanwhile)
    or the switch was stopped or retargeted."""
    with immediate(conn):
        target = _target(conn)
        if target != expected or scalar(
                conn, "SELECT count(*) FROM chunks c WHERE NOT EXISTS"
                      " (SELECT 1 FROM next_embeddings n WHERE n.chunk_id = c.id)"):
            return False
        conn.execute("DELETE FROM embeddings")
        conn.execute("INSERT INTO embeddings(chunk_id, vector) SELECT chunk_id, vector FROM next_embeddings")
        Partitions(conn).rebuild()
        _rebuild_file_vectors(conn)
        for key, value in (("model_id", target.model_id), ("model_name", target.model_name),
                           ("dimensions", str(target.dimensions)), ("model_choice", target.choice),
                           ("model_choice_reason", target.reason)):
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "excluded.value", (key, value))
        clear(conn)
    return True


def _rebuild_file_vectors(conn: apsw.Connection) -> None:
    conn.execute("DELETE FROM file_vectors")
    rows: Iterator[Any] = conn.execute(  # one file's vectors in memory at a time
        "SELECT c.file_id, e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id ORDER BY c.file_id")
    for file_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in group])
        conn.execute("INSERT INTO file_vectors(file_id, vector) VALUES (?, ?)",
                     (file_id, mean_direction(vectors).tobytes()))


def _batches(rows: Iterator[Any], size: int = 1000) -> Iterator[list[Any]]:
    """A cursor's rows a thousand at a time: the whole index's vectors are never in memory at once."""
    while batch := list(itertools.islice(rows, size)):
        yield batch
