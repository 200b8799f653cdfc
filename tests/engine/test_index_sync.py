"""Sync plumbing: what changed is (re)indexed, what did not costs nothing, the store stays consistent.

The fake embedder counts calls, so "not re-embedded" is observable; search quality
and the real model are tested elsewhere.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from engine.api import Cairn
from engine.errors import FolderError, ModelMismatchError
from tests.fakes import FakeEmbedder


def run(cairn: Cairn):
    job = cairn.index()
    try:
        while True:
            next(job)
    except StopIteration as stop:
        return stop.value


def consistent(cairn: Cairn) -> tuple[int, int, int, int]:
    """Chunks, exact vectors, coarse vectors and FTS rows: always the same number."""
    q = cairn.store.conn.execute
    counts = (q("SELECT count(*) FROM chunks").fetchone()[0], q("SELECT count(*) FROM embeddings").fetchone()[0],
              q("SELECT count(*) FROM coarse_vectors").fetchone()[0],
              q("SELECT count(*) FROM chunks_fts").fetchone()[0])
    assert len(set(counts)) == 1, counts
    return counts


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "lease.txt").write_text("The tenant pays the deposit before moving in.\n\nKeys are returned on exit.")
    (folder / "notes.md").write_text("# Garden\n\nTomatoes need sun and water every day.")
    (folder / "sub").mkdir()
    (folder / "sub" / "recipe.txt").write_text("Bake the bread for forty minutes at high heat.")
    return folder


@pytest.fixture
def cairn() -> Cairn:
    c = Cairn(embedder=FakeEmbedder())
    yield c
    c.close()


def embedded(cairn: Cairn) -> int:
    return sum(cairn.embedder.calls)  # type: ignore[attr-defined]


def test_first_pass_indexes_every_file(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    report = run(cairn)
    assert (report.added, report.failed) == (3, 0)
    assert consistent(cairn)[0] >= 3
    assert {Path(r.path).name for r in cairn.search("tomatoes", mode="keyword")} == {"notes.md"}


def test_unchanged_files_cost_no_embedding(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    before = embedded(cairn)
    report = run(cairn)
    assert report.unchanged == 3 and embedded(cairn) == before


def test_touched_file_with_same_content_is_not_reembedded(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    before = embedded(cairn)
    later = time.time() + 10
    os.utime(docs / "lease.txt", (later, later))
    assert run(cairn).unchanged == 3 and embedded(cairn) == before


def test_edited_file_is_reindexed_and_old_text_is_gone(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    (docs / "lease.txt").write_text("The landlord repaints the walls every five years.")
    report = run(cairn)
    assert report.updated == 1
    assert cairn.search("deposit", mode="keyword") == []
    assert [Path(r.path).name for r in cairn.search("repaints", mode="keyword")] == ["lease.txt"]
    consistent(cairn)


def test_deleted_file_leaves_the_index(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    (docs / "sub" / "recipe.txt").unlink()
    assert run(cairn).removed == 1
    assert cairn.search("bread", mode="keyword") == []
    consistent(cairn)


def test_moved_and_renamed_file_keeps_its_vectors(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    before = embedded(cairn)
    (docs / "sub" / "recipe.txt").rename(docs / "bread-recipe.txt")
    report = run(cairn)
    assert (report.moved, report.added, report.removed) == (1, 0, 0)
    assert embedded(cairn) == before
    assert [Path(r.path).name for r in cairn.search("bread", mode="keyword")] == ["bread-recipe.txt"]


def test_a_renamed_file_is_found_by_its_new_name_not_its_old(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    (docs / "sub" / "recipe.txt").rename(docs / "sourdough-loaf.txt")
    assert run(cairn).moved == 1
    assert [Path(r.path).name for r in cairn.search("sourdough", mode="keyword")] == ["sourdough-loaf.txt"]
    assert cairn.search("recipe", mode="keyword") == []
    consistent(cairn)


def test_a_folder_whose_name_is_not_utf8_is_refused_with_the_reason(cairn: Cairn, tmp_path: Path) -> None:
    bad = os.path.join(os.fsencode(tmp_path), b"Archiv-M\xfcller")
    os.mkdir(bad)
    with pytest.raises(FolderError, match=r"Archiv-M\\xfcller is not valid UTF-8: rename it"):
        cairn.add_folder(os.fsdecode(bad))
    assert cairn.folders() == []


def test_a_second_save_within_one_timestamp_step_is_indexed(cairn: Cairn, docs: Path) -> None:
    """On FAT, SMB or HFS+ two quick saves can share a timestamp; a same-size edit must not be missed."""
    note = docs / "lease.txt"
    cairn.add_folder(docs)
    step = time.time_ns() // 2_000_000_000 * 2_000_000_000  # a FAT-like 2 s step
    os.utime(note, ns=(step, step))
    run(cairn)
    text = note.read_text()
    note.write_text(text.replace("deposit", "premium"))  # same size, same timestamp
    os.utime(note, ns=(step, step))
    assert run(cairn).updated == 1
    assert [Path(r.path).name for r in cairn.search("premium", mode="keyword")] == ["lease.txt"]
    assert run(cairn).updated == 0  # unchanged since: found so by its content, not embedded again


def test_excluded_and_hidden_files_are_not_indexed(cairn: Cairn, docs: Path) -> None:
    (docs / ".env").write_text("SECRET=hunter2 tomatoes")
    (docs / "drafts").mkdir()
    (docs / "drafts" / "draft.txt").write_text("tomatoes draft")
    cairn.add_folder(docs, excludes=["drafts"])
    run(cairn)
    assert [Path(r.path).name for r in cairn.search("tomatoes", mode="keyword")] == ["notes.md"]


def test_removing_a_folder_deletes_its_data(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    run(cairn)
    assert cairn.remove_folder(docs) == 3
    assert consistent(cairn)[0] == 0 and cairn.status().files == 0


def test_nested_folders_are_refused(cairn: Cairn, docs: Path) -> None:
    cairn.add_folder(docs)
    with pytest.raises(FolderError, match="already indexed"):
        cairn.add_folder(docs / "sub")


def test_another_model_is_refused_until_reindex(docs: Path) -> None:
    with Cairn(embedder=FakeEmbedder()) as first:
        first.add_folder(docs)
        run(first)
    other = FakeEmbedder()
    other.model_id, other.model_name = "other-model", "another model"
    with Cairn(embedder=other) as second:
        with pytest.raises(ModelMismatchError, match="cairn reindex"):
            run(second)
        job = second.reindex()
        try:
            while True:
                next(job)
        except StopIteration as stop:
            assert stop.value.added + stop.value.updated == 3
        assert second.status().model == "another model"
