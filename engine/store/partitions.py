"""Nearest-neighbour search that stays fast and exact at a million passages: vector partitions in SQLite.

Why partitions (an inverted file, IVF) kept inside the index rather than an ANN library's file beside
it: measured at 1,000,000 passages (docs/scale.md), probing the few partitions nearest the query and
scoring their 8-bit codes finds the true ten nearest far more often than sign bits did (recall@10
0.855 at 400 bit candidates), a search process reads only the centroids and the probed partitions
(no index loaded whole at start-up), every change is written in the same transaction as the
passage it belongs to (a killed process leaves no stale side file), and an encrypted index keeps
them encrypted with everything else: nothing derived from the text is ever on disk in plain.

Layout: `vector_lists` holds each partition's centroid and, packed in two blobs, its members' chunk
ids and 8-bit codes. A write does not rewrite a partition: an added vector goes to
`vector_changes` with its code, a removed one as a row without a code, and a partition is folded
together with its changes once it has `MERGE_AT` of them (so a search reads a handful of change rows
per partition). `vector_members` says which partition each vector is in. Vectors stored past the
last one a partition holds (an index from before partitions) are scored exactly from `embeddings`
until the partitions are rebuilt, so results never miss what is stored.

Partitions are trained (spherical k-means on a sample) when the index first holds `TRAIN_AT`
passages and again each time it has doubled since, about sqrt(2n) of them (for the n it will reach).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import apsw
import numpy as np

from engine.store.sql import scalar

CODE_SCALE = 254.0  # before training: code = round(component * scale), clipped to int8 (components within +-0.5)
RESIDUAL_RANGE = 0.9999  # after: the scale fits this share of the sample's residual components (the rest clip)
TRAIN_AT = 4096  # below this, one partition (a scan of every code) is as fast as probing
REGROW = 2  # partitions are trained again when the index has grown this many times since they were
MERGE_AT = 64  # changes of one partition folded into it at once
SAMPLE = 65_536  # vectors k-means is trained on
ITERATIONS = 12
PROBE_SHARE = 0.04  # share of the partitions a query probes (at least MIN_PROBE, and ...)
MIN_PROBE = 8
MIN_CODES = 20_000  # ... and at least this many codes (docs/scale.md: recall@10 0.982 at 100,000, as the sign bits)
BATCH = 32_768  # vectors read at a time when every vector is assigned again
UNLISTED_MAX = 20_000  # more vectors than this outside the partitions are found by an exact scan


def encode(vectors: np.ndarray, centroids: np.ndarray, scale: float) -> np.ndarray:
    """8-bit codes of each vector's difference from its partition's centroid (`centroids`, one per row):
    the differences are several times smaller than the vectors, so the codes are as many times finer."""
    residuals = np.asarray(vectors, dtype=np.float32) - centroids
    return np.clip(np.rint(residuals * scale), -127, 127).astype(np.int8)


def partition_count(n: int) -> int:
    return max(1, int(math.sqrt(n)))


def probe_count(lists: int, stored: int) -> int:
    """Partitions a query reads: `PROBE_SHARE` of them, and enough to score `MIN_CODES` codes (small
    indexes have small partitions: at 100,000 passages 4% of them held too few of the nearest ten)."""
    per_list = max(1, stored // max(1, lists))
    return min(lists, max(MIN_PROBE, int(math.ceil(lists * PROBE_SHARE)), int(math.ceil(MIN_CODES / per_list))))


class Partitions:
    """The partitions of one connection's index: assign on write, fold changes, probe on search."""

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn
        self._centroids: tuple[Any, np.ndarray, float] | None = None

    # ------------------------------------------------------------ reading

    def centroids(self) -> np.ndarray:
        """(lists, dims) float32, cached until the database changes; empty before the first vector."""
        version = (scalar(self.conn, "PRAGMA data_version"), self.conn.total_changes())
        if self._centroids is None or self._centroids[0] != version:
            rows: list[Any] = self.conn.execute("SELECT centroid FROM vector_lists ORDER BY list_id").fetchall()
            matrix = np.vstack([np.frombuffer(r[0], dtype=np.float32) for r in rows]) if rows else np.zeros((0, 0))
            scale = self.conn.execute("SELECT value FROM meta WHERE key = 'code_scale'").fetchone()
            self._centroids = (version, matrix.astype(np.float32), float(scale[0]) if scale else CODE_SCALE)
        return self._centroids[1]

    def scale(self) -> float:
        self.centroids()
        assert self._centroids is not None
        return self._centroids[2]

    def candidates(self, query: np.ndarray, k: int) -> list[int]:
        """About the `k` chunks nearest the query by their codes, in the partitions nearest it, plus every
        vector not in a partition yet; the caller orders them by their exact vectors."""
        centroids = self.centroids()
        q = np.asarray(query, dtype=np.float32)
        unlisted = [int(r[0]) for r in self.conn.execute(
            "SELECT chunk_id FROM embeddings WHERE chunk_id > (SELECT coalesce(max(chunk_id), 0) FROM vector_members)"
            " LIMIT ?", (UNLISTED_MAX + 1,))]
        if len(unlisted) > UNLISTED_MAX:  # partitions lost on a connection that cannot rebuild them: scan
            return [int(r[0]) for r in self.conn.execute(
                "SELECT chunk_id, vec_distance_cosine(vector, ?) AS d FROM embeddings ORDER BY d LIMIT ?",
                (q.tobytes(), k))]
        if len(centroids) == 0:
            return unlisted
        probe = probe_count(len(centroids), self._count())
        nearest = np.argsort(-(centroids @ q))[:probe] if probe < len(centroids) else np.arange(len(centroids))
        ids, scores = self._scores([int(i) for i in nearest], q, centroids @ q)
        if len(ids) == 0:
            return unlisted
        top = np.argpartition(-scores, k)[:k] if k < len(ids) else np.arange(len(ids))
        return ids[top].tolist() + unlisted

    def _scores(self, lists: Sequence[int], q: np.ndarray, to_centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids of these partitions' members and their approximate cosines to `q`.

        Scored a partition at a time, straight from its blob: one float copy of every code at once
        (32 MB at a million passages) cost more than the reading and the arithmetic together."""
        marks = ",".join("?" * len(lists))
        scale = self.scale()
        id_parts, score_parts = [], []
        for list_id, ids, codes in self.conn.execute(
                f"SELECT list_id, ids, codes FROM vector_lists WHERE list_id IN ({marks})", tuple(lists)):
            members = np.frombuffer(ids, dtype=np.int64)
            if not len(members):  # a partition whose every member was removed or moved to another
                continue
            id_parts.append(members)
            matrix = np.frombuffer(codes, dtype=np.int8).reshape(len(members), -1)
            score_parts.append(to_centroids[list_id] + matrix.astype(np.float32) @ (q / scale))
        removed = []
        for chunk_id, list_id, code in self.conn.execute(
                f"SELECT chunk_id, list_id, code FROM vector_changes WHERE list_id IN ({marks})", tuple(lists)):
            if code is None:
                removed.append(chunk_id)
            else:
                id_parts.append(np.asarray([chunk_id], dtype=np.int64))
                score_parts.append(np.asarray([to_centroids[list_id] + np.frombuffer(code, np.int8) @ (q / scale)]))
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, scores = np.concatenate(id_parts), np.concatenate(score_parts)
        if removed:
            keep = ~np.isin(ids, np.asarray(removed, dtype=np.int64))
            ids, scores = ids[keep], scores[keep]
        return ids, scores

    def _members(self, lists: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Chunk ids, codes and partition of the members of these partitions, their pending changes applied."""
        marks = ",".join("?" * len(lists))
        id_parts, code_parts, list_parts = [], [], []
        for list_id, ids, codes in self.conn.execute(
                f"SELECT list_id, ids, codes FROM vector_lists WHERE list_id IN ({marks})", tuple(lists)):
            id_parts.append(np.frombuffer(ids, dtype=np.int64))
            code_parts.append(np.frombuffer(codes, dtype=np.int8))
            list_parts.append(np.full(len(id_parts[-1]), list_id, dtype=np.int64))
        removed, added = [], []
        for chunk_id, list_id, code in self.conn.execute(
                f"SELECT chunk_id, list_id, code FROM vector_changes WHERE list_id IN ({marks})", tuple(lists)):
            if code is None:
                removed.append(chunk_id)
            else:
                added.append((chunk_id, list_id, code))
        ids = np.concatenate(id_parts + [np.asarray([a[0] for a in added], dtype=np.int64)])
        members = np.concatenate(list_parts + [np.asarray([a[1] for a in added], dtype=np.int64)])
        raw = b"".join([c.tobytes() for c in code_parts] + [a[2] for a in added])
        codes = np.frombuffer(raw, dtype=np.int8).reshape(len(ids), -1) if len(ids) else np.zeros((0, 0), np.int8)
        if removed:
            keep = ~np.isin(ids, np.asarray(removed, dtype=np.int64))
            ids, codes, members = ids[keep], codes[keep], members[keep]
        return ids, codes, members

    # ------------------------------------------------------------ writing (inside the caller's transaction)

    def add(self, chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
        """Put new vectors in their nearest partitions (as changes); the first ever vector makes partition 0."""
        centroids = self.centroids()
        if len(centroids) == 0:
            self._create_lists(np.zeros((1, vectors.shape[1]), dtype=np.float32))
            self._set_meta({"lists_trained_at": "0", "code_scale": repr(CODE_SCALE)})
            centroids = self.centroids()
        lists = np.argmax(np.asarray(vectors, dtype=np.float32) @ centroids.T, axis=1)
        codes = encode(vectors, centroids[lists], self.scale())
        self.conn.executemany("INSERT INTO vector_members(chunk_id, list_id) VALUES (?, ?)",
                              [(int(cid), int(lst)) for lst, cid in zip(lists, chunk_ids)])
        self.conn.executemany("INSERT INTO vector_changes(chunk_id, list_id, code) VALUES (?, ?, ?)",
                              [(int(cid), int(lst), code.tobytes()) for cid, lst, code in zip(chunk_ids, lists, codes)])

    def remove(self, chunk_ids: Sequence[int]) -> None:
        """A pending addition is dropped, a folded member is marked removed."""
        for chunk_id in chunk_ids:
            row = self.conn.execute("DELETE FROM vector_members WHERE chunk_id = ? RETURNING list_id",
                                    (chunk_id,)).fetchone()
            if row is None:
                continue
            pending = self.conn.execute("DELETE FROM vector_changes WHERE chunk_id = ? RETURNING code",
                                        (chunk_id,)).fetchall()
            if not pending:
                self.conn.execute("INSERT INTO vector_changes(chunk_id, list_id, code) VALUES (?, ?, NULL)",
                                  (chunk_id, row[0]))

    def fold(self) -> None:
        """Fold every partition with `MERGE_AT` changes or more into its blobs; retrain once the index has grown."""
        if self._grown():
            self.rebuild()
            return
        full = [int(r[0]) for r in self.conn.execute(
            "SELECT list_id FROM vector_changes GROUP BY list_id HAVING count(*) >= ?", (MERGE_AT,))]
        for list_id in full:
            ids, codes, _ = self._members([list_id])
            self.conn.execute("UPDATE vector_lists SET ids = ?, codes = ? WHERE list_id = ?",
                              (ids.tobytes(), codes.tobytes(), list_id))
            self.conn.execute("DELETE FROM vector_changes WHERE list_id = ?", (list_id,))

    def _grown(self) -> bool:
        lists = len(self.centroids())
        if lists == 0:
            return False
        count = self._count()
        trained_for = int(scalar(self.conn, "SELECT coalesce(max(value), 0) FROM meta WHERE key = 'lists_trained_at'"))
        return count >= TRAIN_AT and count >= REGROW * max(trained_for, TRAIN_AT // REGROW)

    def _count(self) -> int:
        """About the vectors stored: the largest chunk id, an upper bound read from the index in microseconds
        (count(*) would read every row); close as long as the ids have few gaps."""
        return int(scalar(self.conn, "SELECT coalesce(max(chunk_id), 0) FROM embeddings"))

    # ------------------------------------------------------------ (re)building

    def needs_rebuild(self) -> bool:
        """Lost (no partitions while vectors are stored) or stale (the last vector stored is in none)."""
        last = self._count()
        if last == 0:
            return False
        listed = scalar(self.conn, "SELECT coalesce(max(chunk_id), 0) FROM vector_members")
        return len(self.centroids()) == 0 or listed != last

    def rebuild(self) -> None:
        """Train partitions on a sample of the stored vectors and assign every vector again, a batch at a time."""
        count = self._count()
        self.conn.execute("DELETE FROM vector_changes")
        self.conn.execute("DELETE FROM vector_members")
        sample = self._sample(SAMPLE)
        if len(sample) == 0:
            self.conn.execute("DELETE FROM vector_lists")
            return
        if count < TRAIN_AT:
            centroids, scale = np.zeros((1, sample.shape[1]), dtype=np.float32), CODE_SCALE
        else:
            centroids = kmeans(sample, partition_count(count * REGROW))
            residuals = sample - centroids[nearest(sample, centroids)]
            scale = 127.0 / max(float(np.quantile(np.abs(residuals), RESIDUAL_RANGE)), 1e-6)
        members: list[list[np.ndarray]] = [[] for _ in range(len(centroids))]
        codes: list[list[np.ndarray]] = [[] for _ in range(len(centroids))]
        last = 0
        while True:
            rows: list[Any] = self.conn.execute("SELECT chunk_id, vector FROM embeddings WHERE chunk_id > ?"
                                                " ORDER BY chunk_id LIMIT ?", (last, BATCH)).fetchall()
            if not rows:
                break
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            lists = nearest(vectors, centroids)
            self.conn.executemany("INSERT INTO vector_members(chunk_id, list_id) VALUES (?, ?)",
                                  zip(ids.tolist(), lists.tolist()))
            batch_codes = encode(vectors, centroids[lists], scale)
            order = np.argsort(lists, kind="stable")
            bounds = np.searchsorted(lists[order], np.arange(len(centroids) + 1))
            for list_id in range(len(centroids)):
                part = order[bounds[list_id]:bounds[list_id + 1]]
                if len(part):
                    members[list_id].append(ids[part])
                    codes[list_id].append(batch_codes[part])
            last = int(ids[-1])
        self._create_lists(centroids, members, codes)
        self._set_meta({"lists_trained_at": str(count), "code_scale": repr(scale)})

    def _set_meta(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                              " SET value = excluded.value", (key, value))
        self._centroids = None

    def _sample(self, size: int) -> np.ndarray:
        """Up to `size` stored vectors spread evenly over the chunk ids."""
        top = self._count()
        step = max(1, top // size)
        rows: list[Any] = self.conn.execute("SELECT vector FROM embeddings WHERE chunk_id % ? = 0 LIMIT ?",
                                            (step, size)).fetchall()
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(len(rows), -1)

    def _create_lists(self, centroids: np.ndarray, members: list[list[np.ndarray]] | None = None,
                      codes: list[list[np.ndarray]] | None = None) -> None:
        self.conn.execute("DELETE FROM vector_lists")
        dims = centroids.shape[1]
        for list_id, centroid in enumerate(centroids):
            ids = np.concatenate(members[list_id]) if members and members[list_id] else np.zeros(0, dtype=np.int64)
            code = np.concatenate(codes[list_id]) if codes and codes[list_id] else np.zeros((0, dims), np.int8)
            self.conn.execute("INSERT INTO vector_lists(list_id, centroid, ids, codes) VALUES (?, ?, ?, ?)",
                              (list_id, centroid.astype(np.float32).tobytes(), ids.tobytes(), code.tobytes()))
        self._centroids = None


def kmeans(sample: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Spherical k-means (unit centroids, cosine assignment): `k` centroids of the rows of `sample`.

    Written here rather than taken from a library: numpy does it in a dozen lines and a few seconds on
    65,536 vectors, where faiss or scikit-learn would be a large dependency for this one call."""
    k = min(k, len(sample))
    rng = np.random.default_rng(seed)
    centroids = sample[rng.choice(len(sample), k, replace=False)].copy()
    for _ in range(ITERATIONS):
        assign = nearest(sample, centroids)
        order = np.argsort(assign, kind="stable")
        counts = np.bincount(assign, minlength=k)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        empty = counts == 0
        sums = np.zeros_like(centroids)
        sums[~empty] = np.add.reduceat(sample[order], starts[~empty], axis=0)
        if empty.any():  # an empty partition takes a random vector
            sums[empty] = sample[rng.choice(len(sample), int(empty.sum()), replace=False)]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = (sums / np.where(norms > 0, norms, 1)).astype(np.float32)
    return centroids


def nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each vector's nearest centroid, a few thousand vectors at a time (the full product would be large)."""
    return np.concatenate([np.argmax(vectors[i:i + 8192] @ centroids.T, axis=1)
                           for i in range(0, len(vectors), 8192)] or [np.zeros(0, dtype=np.int64)])
