"""The index's queries: every read and write of folders, files, passages and vectors; all SQL lives here.

Consistency rule: a file's chunks, exact vectors, coarse vectors and FTS rows are
written and deleted together in one transaction, so a process killed at any
moment leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import json
from functools import partial
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw
import numpy as np

from engine.errors import ModelMismatchError
from engine.store import fts, switch
from engine.store.connection import connect
from engine.store.migrations import mean_direction
from engine.store.partitions import Partitions
from engine.store.records import ChunkHit, FileOutcome, FileRow, FolderRow, NewChunk
from engine.store.sql import immediate, scalar, snapshot

_FILE_COLUMNS = "id, folder_id, path, size, mtime_ns, hash, status, error, indexed_at, reader_version"  # a FileRow


class Store:
    """Typed access to the index; the only code that speaks SQL."""

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn
        self.partitions = Partitions(conn)
        self._languages: tuple[tuple[Any, int], dict[str | None, int]] | None = None

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False, key: str | None = None) -> "Store":
        return cls(connect(path, readonly=readonly, key=key))

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------ meta / model

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with immediate(self.conn):
            self._set_meta(key, value)

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def vector_dimensions(self) -> int | None:
        value = self.get_meta("dimensions")
        return None if value is None else int(value)

    def bind_model(self, model_id: str, model_name: str, dimensions: int) -> None:
        """Tie the index to one embedding model; refuse to mix vectors of two models."""
        current = self.get_meta("model_id")
        if current == model_id:
            return
        if current is not None and self.chunk_count() > 0:
            raise ModelMismatchError(
                f"This index was built with {self.get_meta('model_name')}, but the configured model is "
                f"{model_name}. Run `cairn reindex` to re-embed your files with the new model."
            )
        with immediate(self.conn):
            self._reset_vectors(dimensions)
            self._set_meta("model_id", model_id)
            self._set_meta("model_name", model_name)
            self._set_meta("dimensions", str(dimensions))

    def rebind_model(self, model_id: str, model_name: str, dimensions: int) -> None:
        """Drop every chunk and vector so all files are embedded again by the new model."""
        with immediate(self.conn):
            self.conn.execute("DELETE FROM chunks_fts")
            self.conn.execute("DELETE FROM chunks")
            self.conn.execute("UPDATE files SET mtime_ns = -1, hash = NULL, chunks = 0")
            self._reset_vectors(dimensions)
            self._set_meta("model_id", model_id)
            self._set_meta("model_name", model_name)
            self._set_meta("dimensions", str(dimensions))

    def _reset_vectors(self, dimensions: int) -> None:
        """No vector is kept; the partitions are made again from the first new one (a new model, new dimensions)."""
        switch.clear(self.conn)  # vectors of a model being switched to were for the chunks that go
        for table in ("embeddings", "file_vectors", "vector_lists", "vector_members", "vector_changes"):
            self.conn.execute(f"DELETE FROM {table}")

    # ------------------------------------------------------------ model switch (engine/store/switch.py)

    def switch_pending(self) -> switch.Pending | None:
        return switch.pending(self.conn)

    def begin_switch(self, target: switch.Target) -> None:
        switch.begin(self.conn, target)

    def abandon_switch(self) -> None:
        switch.abandon(self.conn)

    def switch_todo(self, limit: int, after: int = 0) -> list[switch.Passage]:
        return switch.todo(self.conn, limit, after)

    def keep_switched(self, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
        switch.keep(self.conn, chunk_ids, vectors)

    def finish_switch(self, target: switch.Target) -> bool:
        return switch.finish(self.conn, target)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the index as of one moment: a search whose query was embedded with the
        index's model then reads that model's vectors, even if a model switch commits meanwhile.

        Inside a transaction this connection already holds, it is that one's moment."""
        if not self.conn.getautocommit():
            yield
            return
        self.conn.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if not self.conn.getautocommit():
                self.conn.execute("COMMIT")

    # ------------------------------------------------------------ folders

    def add_folder(self, path: str, excludes: Sequence[str]) -> FolderRow:
        with immediate(self.conn):
            self.conn.execute(
                "INSERT INTO folders(path, excludes, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET excludes = excluded.excludes",
                (path, json.dumps(list(excludes)), time.time()),
            )
        folder = self.folder_by_path(path)
        assert folder is not None
        return folder

    def folders(self) -> list[FolderRow]:
        rows = self.conn.execute("SELECT id, path, excludes FROM folders ORDER BY path")
        return [FolderRow(r[0], r[1], tuple(json.loads(r[2]))) for r in rows]

    def folder_by_path(self, path: str) -> FolderRow | None:
        return next((f for f in self.folders() if f.path == path), None)

    def remove_folder(self, folder_id: int) -> int:
        """Delete a folder and everything indexed from it; returns how many files went."""
        with immediate(self.conn):
            ids = [r[0] for r in self.conn.execute("SELECT id FROM files WHERE folder_id = ?", (folder_id,))]
            self._delete_chunks_of(ids)
            self.conn.execute("DELETE FROM files WHERE folder_id = ?", (folder_id,))
            self.conn.execute("DELETE FROM folders WHERE id = ?", (folder_id,))
            self.partitions.fold()
        return len(ids)

    # ------------------------------------------------------------ files

    def files_in_folder(self, folder_id: int) -> dict[str, FileRow]:
        rows = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE folder_id = ? AND container_id IS NULL",
            (folder_id,),
        )
        return {r[2]: FileRow(*r) for r in rows}

    def files_under(self, folder_id: int, prefix: str) -> dict[str, FileRow]:
        """Rows for the file at `prefix` and every file below it (a watcher's scope)."""
        rows = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files "
            "WHERE folder_id = ? AND container_id IS NULL AND (path = ? OR substr(path, 1, ?) = ?)",
            (folder_id, prefix, len(prefix) + 1, prefix.rstrip("/") + "/"),
        )
        return {r[2]: FileRow(*r) for r in rows}

    def indexed_files_of_size(self, size: int) -> list[FileRow]:
        rows = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files "
            "WHERE size = ? AND status = 'indexed' AND hash IS NOT NULL AND container_id IS NULL", (size,))
        return [FileRow(*r) for r in rows]

    def file_by_path(self, path: str) -> FileRow | None:
        row = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE path = ?", (path,)
        ).fetchone()
        return None if row is None else FileRow(*row)

    def touch_file(self, file_id: int, size: int, mtime_ns: int, checked_at: float) -> None:
        """Same content (its hash, computed at `checked_at`), new timestamp: the next pass costs only a stat."""
        with immediate(self.conn):
            self.conn.execute("UPDATE files SET size = ?, mtime_ns = ?, indexed_at = ? WHERE id = ?",
                              (size, mtime_ns, checked_at, file_id))

    def ocr_pages(self, file_hash: str, setup: str) -> dict[int, tuple[str, float, bytes | None]]:
        """The pages of the file with these bytes that OCR has read with this set-up:
        number -> (text, confidence, word boxes (engine.extract.ocr.boxes.pack), None if read before they were kept)."""
        rows = self.conn.execute("SELECT page, text, confidence, boxes FROM ocr_pages WHERE file_hash = ? AND setup = ?",
                                 (file_hash, setup))
        return {int(r[0]): (str(r[1]), float(r[2]), None if r[3] is None else bytes(r[3])) for r in rows}

    def keep_ocr_page(self, file_hash: str, page: int, setup: str, text: str, confidence: float,
                      boxes: bytes = b"") -> None:
        """One page as OCR read it, kept at once: the page is never read again, even after kill -9.

        Called from the index pass's reader thread while the writer may hold a transaction on this
        connection: no transaction of its own, so the row commits by itself or with the writer's."""
        self.conn.execute("INSERT OR REPLACE INTO ocr_pages(file_hash, page, setup, text, confidence, boxes, read_at)"
                          " VALUES (?,?,?,?,?,?,?)", (file_hash, page, setup, text, confidence, boxes, time.time()))

    def prune_ocr_pages(self, max_bytes: int, setup: str) -> int:
        """Forget the kept OCR pages of bytes no file in the index has any more (deleted, changed, forgotten),
        then, above `max_bytes` of text and boxes, the pages read longest ago, those read with another
        set-up than `setup` first. Returns how many pages went. Call it only between passes: a file being
        read now may have kept pages whose hash no file row holds yet."""
        with immediate(self.conn):
            self.conn.execute("DELETE FROM ocr_pages WHERE file_hash NOT IN (SELECT hash FROM files WHERE hash IS NOT NULL)")
            gone = self.conn.changes()
            size = "length(CAST(text AS BLOB)) + coalesce(length(boxes), 0)"
            total = int(scalar(self.conn, f"SELECT coalesce(sum({size}), 0) FROM ocr_pages"))
            if total <= max_bytes:
                return gone
            oldest: list[tuple[str, int, str, int]] = self.conn.execute(  # type: ignore[assignment]
                f"SELECT file_hash, page, setup, {size} FROM ocr_pages ORDER BY setup = ?, read_at", (setup,)).fetchall()
            for file_hash, page, page_setup, bytes_ in oldest:
                if total <= max_bytes:
                    break
                self.conn.execute("DELETE FROM ocr_pages WHERE file_hash = ? AND page = ? AND setup = ?",
                                  (file_hash, page, page_setup))
                total -= bytes_
                gone += 1
        return gone

    def ocr_pages_kept(self) -> int:
        return int(scalar(self.conn, "SELECT count(*) FROM ocr_pages"))

    def move_file(self, file_id: int, folder_id: int, new_path: str, ext: str, mtime_ns: int,
                  context: Callable[[str | None, str | None], str]) -> None:
        """A renamed or moved file keeps its chunks and vectors: nothing is embedded again.

        Its keyword rows are written again with `context(title, heading)`, the words of the
        new name, so the file is found by its new name and no longer by the old one."""
        with immediate(self.conn):
            old_path = scalar(self.conn, "SELECT path FROM files WHERE id = ?", (file_id,))
            self.conn.execute(
                "UPDATE files SET folder_id = ?, path = ?, ext = ?, mtime_ns = ? WHERE id = ?",
                (folder_id, new_path, ext, mtime_ns, file_id),
            )
            self._recontext(file_id, context)
            members = self.conn.execute("SELECT id, path FROM files WHERE container_id = ?", (file_id,)).fetchall()
            for member_id, path in members:  # what it holds moves with it (engine.extract.enclosed)
                moved = new_path + str(path)[len(str(old_path)):]
                self.conn.execute("UPDATE files SET folder_id = ?, path = ? WHERE id = ?", (folder_id, moved, member_id))
                self._recontext(int(str(member_id)), partial(fts.keyword_context, moved))

    def _recontext(self, file_id: int, context: Callable[[str | None, str | None], str]) -> None:
        """The file's keyword rows written again with the words of its new place."""
        rows: list[tuple[int, str, str | None, str | None, str | None]] = self.conn.execute(
            "SELECT c.id, c.text, c.heading, f.title, c.language FROM chunks c JOIN files f ON f.id = c.file_id"
            " WHERE c.file_id = ?", (file_id,)).fetchall()  # type: ignore[assignment]
        for chunk_id, text, heading, title, language in rows:
            self.conn.execute("DELETE FROM chunks_fts WHERE rowid = ?", (chunk_id,))
            fts.insert(self.conn, chunk_id, text, context(title, heading), language)

    def delete_files(self, file_ids: Sequence[int]) -> None:
        """The files and what they hold (a mail's attachments, an archive's members)."""
        if not file_ids:
            return
        with immediate(self.conn):
            self._delete_with_members(file_ids)
            self.partitions.fold()

    def _delete_with_members(self, file_ids: Sequence[int]) -> None:
        members = [int(str(r[0])) for i in file_ids for r in
                   self.conn.execute("SELECT id FROM files WHERE container_id = ?", (i,)).fetchall()]
        every = [*members, *file_ids]
        self._delete_chunks_of(every)
        self.conn.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in every])

    def wipe_freed(self) -> None:
        """Make deleted text unrecoverable from the files on disk.

        secure_delete zeroes deleted rows in place; FTS5 keeps deleted terms in old
        index segments until they are merged, so the index is rewritten; the WAL
        still holds old page images, so it is checkpointed and truncated."""
        with immediate(self.conn):
            self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def update_folder_excludes(self, folder_id: int, excludes: Sequence[str]) -> None:
        with immediate(self.conn):
            self.conn.execute("UPDATE folders SET excludes = ? WHERE id = ?", (json.dumps(list(excludes)), folder_id))

    def _delete_chunks_of(self, file_ids: Sequence[int]) -> None:
        """FTS and vec0 rows are not reached by foreign keys: delete them explicitly first."""
        for file_id in file_ids:
            chunk_ids = [(r[0],) for r in self.conn.execute("SELECT id FROM chunks WHERE file_id = ?", (file_id,))]
            self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", chunk_ids)
            self.partitions.remove([c[0] for c in chunk_ids])
            self.conn.executemany("DELETE FROM embeddings WHERE chunk_id = ?", chunk_ids)
            self.conn.executemany("DELETE FROM next_embeddings WHERE chunk_id = ?", chunk_ids)
            self.conn.execute("DELETE FROM chunks WHERE file_id = ?", (file_id,))
            self.conn.execute("DELETE FROM file_vectors WHERE file_id = ?", (file_id,))

    def passage_vectors(self, path: str) -> tuple[str | None, dict[tuple[str | None, str], np.ndarray]]:
        """The indexed file's title, and the vector of each of its passages by (heading, text).

        A file read again mostly says what it said: a passage under the same title and
        heading with the same text is embedded to the same vector, so it need not be again."""
        row = self.conn.execute("SELECT id, title FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None, {}
        rows = self.conn.execute(
            "SELECT c.heading, c.text, e.vector FROM chunks c JOIN embeddings e ON e.chunk_id = c.id"
            " WHERE c.file_id = ?", (row[0],))
        return row[1], {(heading, text): np.frombuffer(vector, dtype=np.float32) for heading, text, vector in rows}

    def write_file(self, outcome: FileOutcome, chunks: Sequence[NewChunk], vectors: np.ndarray | None) -> int:
        """Replace one file's row, chunks, vectors and FTS rows atomically; returns the file id."""
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError("one vector per chunk")
        with immediate(self.conn):
            if self.partitions.needs_rebuild():
                self.partitions.rebuild()
            existing = self.conn.execute("SELECT id FROM files WHERE path = ?", (outcome.path,)).fetchone()
            if existing is not None:
                self._delete_chunks_of([existing[0]])
            file_id = self._upsert_file(outcome, len(chunks), existing[0] if existing else None)
            if outcome.members is not None:  # a container: what it held before and holds no more goes
                self._drop_members_but(file_id, set(outcome.members))
            chunk_ids = [self._insert_chunk(file_id, chunk, vector)
                         for chunk, vector in zip(chunks, vectors if vectors is not None else [None] * len(chunks))]
            if vectors is not None and len(vectors):
                self.conn.execute("INSERT INTO file_vectors(file_id, vector) VALUES (?, ?)",
                                  (file_id, mean_direction(vectors).tobytes()))
                self.partitions.add(chunk_ids, np.asarray(vectors, dtype=np.float32))
            self.partitions.fold()
        return file_id

    def _drop_members_but(self, container_id: int, keep: set[str]) -> None:
        """A container read again: what it no longer holds goes."""
        gone = [int(str(r[0])) for r in self.conn.execute("SELECT id, path FROM files WHERE container_id = ?",
                                                      (container_id,)).fetchall() if r[1] not in keep]
        self._delete_chunks_of(gone)
        self.conn.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in gone])

    def seal_container(self, path: str, mtime_ns: int, members: Sequence[str] | None = None) -> None:
        """All a container holds is written: its real timestamp, so the next pass finds it unchanged.

        Until then it carries an impossible one (-1): a pass killed half way through its members
        reads it again, embedding only the members that were not written (their vectors are kept).
        `members`, when given, is all it holds now: the others go."""
        with immediate(self.conn):
            self.conn.execute("UPDATE files SET mtime_ns = ? WHERE path = ?", (mtime_ns, path))
            if members is not None:
                container_id = scalar(self.conn, "SELECT id FROM files WHERE path = ?", (path,))
                self._drop_members_but(int(str(container_id)), set(members))

    def members_of(self, path: str) -> dict[str, str | None]:
        """The paths of what the container at `path` holds, each with its hash (a mailbox's messages have one)."""
        rows = self.conn.execute("SELECT m.path, m.hash FROM files m JOIN files c ON c.id = m.container_id"
                                 " WHERE c.path = ?", (path,))
        return {str(r[0]): r[1] for r in rows}

    def _upsert_file(self, o: FileOutcome, n_chunks: int, file_id: int | None) -> int:
        container_id: int | None = None
        if o.container is not None:
            found = scalar(self.conn, "SELECT id FROM files WHERE path = ?", (o.container,))
            if found is None:
                raise ValueError("a sub-document is written after its container")
            container_id = int(str(found))
        values = (o.folder_id, o.path, o.ext, o.size, o.mtime_ns, o.hash, o.status, o.error, o.kind, o.title,
                  n_chunks, time.time() if o.read_at is None else o.read_at, o.reader_version, container_id,
                  o.location)
        if file_id is None:
            self.conn.execute(
                "INSERT INTO files(folder_id, path, ext, size, mtime_ns, hash, status, error, kind, title, chunks,"
                " indexed_at, reader_version, container_id, location) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                values,
            )
            return int(self.conn.last_insert_rowid())
        self.conn.execute(
            "UPDATE files SET folder_id=?, path=?, ext=?, size=?, mtime_ns=?, hash=?, status=?, error=?, kind=?,"
            " title=?, chunks=?, indexed_at=?, reader_version=?, container_id=?, location=? WHERE id=?",
            (*values, file_id),
        )
        return file_id

    def _insert_chunk(self, file_id: int, chunk: NewChunk, vector: np.ndarray | None) -> int:
        self.conn.execute(
            'INSERT INTO chunks(file_id, seq, page, start, "end", heading, language, ocr_confidence, text)'
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (file_id, chunk.seq, chunk.page, chunk.start, chunk.end, chunk.heading, chunk.language,
             chunk.ocr_confidence, chunk.text),
        )
        chunk_id = self.conn.last_insert_rowid()
        fts.insert(self.conn, chunk_id, chunk.text, chunk.context, chunk.language)
        if vector is not None:
            vec = np.ascontiguousarray(vector, dtype=np.float32)
            self.conn.execute("INSERT INTO embeddings(chunk_id, vector) VALUES (?, ?)", (chunk_id, vec.tobytes()))
        return int(chunk_id)

    # ------------------------------------------------------------ queries

    def keyword_candidates(self, fts_query: str, limit: int,
                           languages: Sequence[str | None] = ()) -> list[tuple[int, float]]:
        """(chunk_id, bm25) best first; bm25 is negative, smaller is better.

        Each word of the query stands for its term in every one of `languages` (none: English)."""
        locale = ",".join(language or "" for language in languages)
        rows = self.conn.execute(
            "SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS rank FROM chunks_fts WHERE chunks_fts MATCH fts5_locale(?, ?) "
            "ORDER BY rank LIMIT ?",
            (locale, fts_query, limit),
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    def passages_containing(self, text: str, limit: int) -> list[int]:
        """Passages whose text holds `text` verbatim: words of unspaced scripts, which FTS5 cannot split.

        A scan of every passage's text, so it is only asked for such words (engine.search.query.unspaced_terms)."""
        rows = self.conn.execute("SELECT id FROM chunks WHERE instr(text, ?) > 0 LIMIT ?", (text, limit))
        return [int(r[0]) for r in rows]

    def nearest_candidates(self, query: np.ndarray, k: int) -> list[int]:
        """About the `k` chunks nearest the query by their 8-bit codes, read from the partitions nearest it
        (engine.store.partitions); the caller orders them by their exact vectors.

        Partitions found lost or stale are rebuilt first when this connection may write."""
        if self.vector_dimensions() is None:
            return []
        if not self.conn.readonly("main") and self.partitions.needs_rebuild():
            with immediate(self.conn):
                if self.partitions.needs_rebuild():
                    self.partitions.rebuild()
        with snapshot(self.conn):  # partitions and their changes as one commit left them
            return self.partitions.candidates(query, k)

    def exact_vectors(self, chunk_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
        if not chunk_ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        marks = ",".join("?" * len(chunk_ids))
        rows: list[Any] = self.conn.execute(f"SELECT chunk_id, vector FROM embeddings WHERE chunk_id IN ({marks})",
                                            tuple(chunk_ids)).fetchall()
        ids = [int(r[0]) for r in rows]
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return ids, matrix

    def file_vectors(self, file_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Each file's unit vector along the mean of its passages' vectors (files without one are left out)."""
        wanted = tuple(set(file_ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT file_id, vector FROM file_vectors WHERE file_id IN ({marks})", wanted)
        return {int(r[0]): np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def hits(self, chunk_ids: Sequence[int]) -> dict[int, ChunkHit]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            'SELECT c.id, c.file_id, f.path, f.kind, f.title, c.page, c.start, c."end", c.heading, c.text,'
            f" f.mtime_ns, c.ocr_confidence, f.location FROM chunks c JOIN files f ON f.id = c.file_id"
            f" WHERE c.id IN ({marks})",
            tuple(chunk_ids),
        )
        return {int(r[0]): ChunkHit(*r) for r in rows}

    # ------------------------------------------------------------ status

    def save_watch_state(self, state: dict[str, object] | None) -> None:
        """Kept in the database (not a side file) so paths in it share the index's protection."""
        with immediate(self.conn):
            if state is None:
                self.conn.execute("DELETE FROM meta WHERE key = 'watch_state'")
            else:
                self._set_meta("watch_state", json.dumps(state))

    def watch_state(self) -> dict[str, object] | None:
        raw = self.get_meta("watch_state")
        return None if raw is None else dict(json.loads(raw))

    def languages(self) -> dict[str | None, int]:
        """Passages per language in the whole index, most first (None: not identified).

        Asked by every search; counted again only when the index has changed since (another
        connection's commit moves `data_version`, this one's own writes `total_changes`)."""
        version = (scalar(self.conn, "PRAGMA data_version"), self.conn.total_changes())
        if self._languages is None or self._languages[0] != version:
            rows = self.conn.execute(
                "SELECT language, count(*) AS n FROM chunks GROUP BY language ORDER BY n DESC")
            self._languages = (version, {r[0]: int(r[1]) for r in rows})
        return dict(self._languages[1])

    def folder_languages(self) -> dict[int, dict[str | None, int]]:
        """Per folder id, its passages per language, most first (None: not identified)."""
        out: dict[int, dict[str | None, int]] = {}
        rows = self.conn.execute(
            "SELECT f.folder_id, c.language, count(*) AS n FROM chunks c JOIN files f ON f.id = c.file_id"
            " GROUP BY f.folder_id, c.language ORDER BY f.folder_id, n DESC")
        for folder_id, language, count in rows:
            out.setdefault(int(folder_id), {})[language] = int(count)
        return out

    def chunk_count(self) -> int:
        return int(scalar(self.conn, "SELECT count(*) FROM chunks"))

    def file_count(self, folder_id: int) -> int:
        return int(scalar(self.conn, "SELECT count(*) FROM files WHERE folder_id = ?", (folder_id,)))

    def folder_stats(self) -> list[tuple[FolderRow, dict[str, int], int]]:
        """Per folder: file counts by status and the number of chunks."""
        out = []
        for folder in self.folders():
            counts = {str(r[0]): int(r[1]) for r in self.conn.execute(
                "SELECT status, count(*) FROM files WHERE folder_id = ? GROUP BY status", (folder.id,))}
            chunks = scalar(self.conn, "SELECT coalesce(sum(chunks), 0) FROM files WHERE folder_id = ?",
                            (folder.id,))
            out.append((folder, counts, int(chunks)))
        return out

    def latest_error(self) -> str | None:
        row = self.conn.execute(
            "SELECT path, error FROM files WHERE status = 'error' ORDER BY indexed_at DESC LIMIT 1").fetchone()
        return None if row is None else f"{row[0]}: {row[1]}"

    def problem_files(self) -> list[tuple[str, str, str]]:
        """(path, status, reason) for files that failed, were skipped, or were only partly read ("partial")."""
        rows = self.conn.execute(
            "SELECT path, CASE WHEN status = 'indexed' THEN 'partial' ELSE status END, coalesce(error, '') FROM files"
            " WHERE status IN ('error', 'skipped') OR (status = 'indexed' AND error IS NOT NULL) ORDER BY path"
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]
