"""Vector partitions (engine.store.partitions) stay exact as files change, are rebuilt when lost or stale,
and an encrypted index leaves nothing derived from the vectors on disk in plain.

Partitions are made small here (trained at 16 passages, changes folded every 3) so a few dozen files
go through training, retraining, folding and removals; probing every partition then must find
exactly what a brute-force scan of the stored vectors finds.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import engine.store.partitions as partitions
from engine.cairn import Cairn
from engine.progress import run_to_result
from engine.search.ranking import _semantic
from engine.store import Store
from tests.fakes import FakeEmbedder

WORDS = ("river stone bread lamp tenant deposit garden tomato winter ferry harbour ledger invoice court "
         "appeal violin cello sonata glacier valley orbit comet saddle meadow copper kettle").split()


def text(rng: random.Random) -> str:
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + "."
                       for _ in range(rng.randint(2, 5)))


@pytest.fixture
def small_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partitions, "TRAIN_AT", 16)
    monkeypatch.setattr(partitions, "MERGE_AT", 3)
    monkeypatch.setattr(partitions, "MIN_PROBE", 10**6)  # every partition probed: results must be exact


@pytest.fixture
def cairn(tmp_path: Path, small_partitions: None) -> Iterator[Cairn]:
    with Cairn(embedder=FakeEmbedder()) as c:
        yield c


def stored(store: Store) -> tuple[list[int], np.ndarray]:
    rows = store.conn.execute("SELECT chunk_id, vector FROM embeddings ORDER BY chunk_id").fetchall()
    return [r[0] for r in rows], np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])


def assert_exact(store: Store, queries: np.ndarray) -> None:
    """Every stored vector is a candidate once, and the nearest ten equal a brute-force scan's."""
    ids, matrix = stored(store)
    everything = store.nearest_candidates(queries[0], 10**6)
    assert sorted(everything) == ids
    for query in queries:
        sims = matrix @ query
        brute = [ids[i] for i in np.argsort(-sims, kind="stable")[:10]]
        found = list(_semantic(store, query, 10))
        assert np.allclose(sorted(sims[[ids.index(c) for c in found]]), sorted(sims[[ids.index(c) for c in brute]]))


def indexed_folder(cairn: Cairn, tmp_path: Path, files: int, rng: random.Random) -> Path:
    """A folder of `files` random texts, added and indexed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(files):
        (folder / f"f{i}.txt").write_text(text(rng))
    cairn.add_folder(folder)
    run_to_result(cairn.index())
    return folder


def test_partitions_stay_exact_as_files_are_added_edited_moved_and_deleted(cairn: Cairn, tmp_path: Path) -> None:
    rng = random.Random(5)
    folder = indexed_folder(cairn, tmp_path, 30, rng)
    store = cairn.store
    assert len(store.partitions.centroids()) > 1  # trained, not one partition
    queries = FakeEmbedder().embed_batch([" ".join(rng.sample(WORDS, 3)) for _ in range(8)], role="query")
    assert_exact(store, queries)
    for i in range(0, 30, 3):  # edit
        (folder / f"f{i}.txt").write_text(text(rng))
    (folder / "sub").mkdir()
    for i in range(1, 30, 5):  # move
        shutil.move(folder / f"f{i}.txt", folder / "sub" / f"moved{i}.txt")
    for i in range(2, 30, 4):  # delete
        (folder / f"f{i}.txt").unlink(missing_ok=True)
    for i in range(30, 60):  # add: the index doubles, so partitions are trained again
        (folder / f"f{i}.txt").write_text(text(rng))
    run_to_result(cairn.index())
    assert store.conn.execute("SELECT count(*) FROM vector_changes").fetchone()[0] > 0  # some still unfolded
    assert_exact(store, queries)


def test_lost_or_stale_partitions_are_detected_and_rebuilt(cairn: Cairn, tmp_path: Path) -> None:
    indexed_folder(cairn, tmp_path, 20, random.Random(9))
    store = cairn.store
    queries = FakeEmbedder().embed_batch(["river stone", "court appeal ledger"], role="query")
    store.conn.execute("DELETE FROM vector_lists")  # lost
    assert store.partitions.needs_rebuild()
    assert_exact(store, queries)  # the search rebuilt them
    assert not store.partitions.needs_rebuild() and len(store.partitions.centroids()) > 1
    last = store.conn.execute("SELECT max(chunk_id) FROM vector_members").fetchone()[0]
    store.conn.execute("DELETE FROM vector_members WHERE chunk_id = ?", (last,))  # stale: a vector in no partition
    assert store.partitions.needs_rebuild()
    reader = Store.open(cairn.paths.index_db, readonly=True)
    try:  # a reader cannot rebuild them, and still finds the vector no partition holds
        assert last in reader.nearest_candidates(queries[0], 10**6)
    finally:
        reader.close()
    assert_exact(store, queries)
    assert not store.partitions.needs_rebuild()


def files_holding(home: Path, needle: bytes) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize("passphrase", [None, "a passphrase for the partitions"])
def test_an_encrypted_home_holds_no_vector_or_code_in_plain(tmp_path: Path, cairn_home: Path, real_embedder,
                                                            small_partitions: None, passphrase: str | None) -> None:
    """A plain index shows the vectors' bytes (so the search below can find them); an encrypted one shows none."""
    rng = random.Random(3)
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(24):
        (folder / f"f{i}.txt").write_text(text(rng))
    with Cairn(cairn_home, embedder=real_embedder, passphrase=passphrase) as cairn:
        cairn.add_folder(folder)
        run_to_result(cairn.index())
        ids, matrix = stored(cairn.store)
        cairn.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        vector = matrix[0].tobytes()[:64]
        partition = cairn.store.conn.execute("SELECT list_id FROM vector_members WHERE chunk_id = ?", (ids[0],))
        centroid = cairn.store.partitions.centroids()[partition.fetchone()[0]]
        code = partitions.encode(matrix[:1], centroid, cairn.store.partitions.scale()).tobytes()[:64]
        assert len(cairn.store.partitions.centroids()) > 1
        found = files_holding(cairn_home, vector) + files_holding(cairn_home, code)
    assert bool(found) == (passphrase is None), found
