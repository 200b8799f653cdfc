"""Sync plumbing: what changed is (re)indexed, what did not costs nothing, the store stays consistent.

The fake embedder counts calls, so "not re-embedded" is observable; search quality
and the real model are tested elsewhere.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from engine.cairn import Cairn
from engine.progress import run_to_result
from engine.errors import FolderError, ModelMismatchError
from engine.extract import Document
from tests.fakes import FakeEmbedder


def run(cairn: Cairn):
    return run_to_result(cairn.index())


def consistent(cairn: Cairn) -> tuple[int, int, int, int]:
    """Chunks, exact vectors, partition memberships and FTS rows: always the same number."""
    q = cairn.store.conn.execute
    counts = (q("SELECT count(*) FROM chunks").fetchone()[0], q("SELECT count(*) FROM embeddings").fetchone()[0],
              q("SELECT count(*) FROM vector_members").fetchone()[0],
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


def stored_vectors(cairn: Cairn, path: Path) -> list[tuple[str, bytes]]:
    return [(text, bytes(vector)) for text, vector in cairn.store.conn.execute(
        "SELECT c.text, e.vector FROM chunks c JOIN files f ON f.id = c.file_id JOIN embeddings e ON e.chunk_id = c.id"
        " WHERE f.path = ? ORDER BY c.seq", (str(path),))]


def test_an_edit_embeds_only_the_passages_it_changed(cairn: Cairn, tmp_path: Path) -> None:
    """A long document edited in one place is searchable again after embedding that place, not all of it;
    every passage still has the vector its own text gets (the same as indexing the new version afresh)."""
    folder = tmp_path / "thesis"
    folder.mkdir()
    chapters = [f"Chapter {i} is about topic number {i} and its many details, written at length." for i in range(40)]
    doc = folder / "thesis.md"
    doc.write_text("\n\n".join(f"## Part {i}\n\n{c}" for i, c in enumerate(chapters)))
    cairn.add_folder(folder)
    run(cairn)
    passages = consistent(cairn)[0]
    assert passages >= 10
    before = embedded(cairn)
    doc.write_text(doc.read_text().replace("topic number 7 ", "the migration of cranes "))
    assert run(cairn).updated == 1
    assert 1 <= embedded(cairn) - before < passages / 4
    assert [Path(r.path).name for r in cairn.search("cranes migration", mode="keyword")] == ["thesis.md"]
    with Cairn(tmp_path / "fresh-home", embedder=FakeEmbedder()) as fresh:
        fresh.add_folder(folder)
        run(fresh)
        assert stored_vectors(cairn, doc) == stored_vectors(fresh, doc)
    consistent(cairn)


def test_files_read_by_an_older_reader_are_read_again(docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A better reader for a kind of file (here: Markdown) reaches files indexed before it, unchanged
    ones included, on the next pass; passages whose text it did not change keep their vectors."""
    import engine.extract as extract_module

    better = []

    def reader(path: Path, max_bytes: int) -> Document:  # the newer one finds words the old one missed
        found = extract_module.extract(path, max_bytes)
        return replace(found, text=found.text + "\n\nBasil likes shade.") if better and path.suffix == ".md" else found

    def new_markdown_reader() -> None:
        monkeypatch.setitem(extract_module.READER_VERSIONS, "markdown", extract_module.READER_VERSIONS["markdown"] + 1)

    with Cairn(embedder=FakeEmbedder(), extractor=reader) as cairn:
        cairn.add_folder(docs)
        run(cairn)
        before = embedded(cairn)
        assert run(cairn).updated == 0
        new_markdown_reader()
        report = run(cairn)
        assert (report.updated, report.unchanged) == (1, 2)
        assert embedded(cairn) == before  # same text from the new reader: nothing to embed
        assert run(cairn).updated == 0  # read once by the new reader, then trusted again
        better.append(True)
        new_markdown_reader()
        assert run(cairn).updated == 1
        assert [Path(r.path).name for r in cairn.search("basil", mode="keyword")] == ["notes.md"]
        consistent(cairn)


def test_an_index_from_before_reader_versions_is_read_again_without_embedding(docs: Path) -> None:
    """Upgrading Cairn: its files were read by older readers, so the next pass reads them again;
    their text is the same, so nothing is embedded."""
    with Cairn(embedder=FakeEmbedder()) as old:
        old.add_folder(docs)
        run(old)
        old.store.conn.execute("ALTER TABLE files DROP COLUMN reader_version;"
                               " DELETE FROM migrations WHERE name = 'm004_reader_version'")
    with Cairn(embedder=FakeEmbedder()) as upgraded:
        report = run(upgraded)
        assert (report.updated, report.unchanged, embedded(upgraded)) == (3, 0, 0)
        assert run(upgraded).unchanged == 3
        assert [Path(r.path).name for r in upgraded.search("tomatoes", mode="keyword")] == ["notes.md"]
        consistent(upgraded)


def test_a_share_not_mounted_keeps_its_data_until_it_is_back(cairn: Cairn, docs: Path) -> None:
    """A network share or drive at a fixed mount point leaves an empty folder when it is not mounted:
    that is a missing folder (data kept, said so), not every file deleted (all embedded again later)."""
    cairn.add_folder(docs)
    run(cairn)
    before = embedded(cairn)
    mounted = docs.parent / "mounted"
    docs.rename(mounted)
    docs.mkdir()  # the mount point left behind
    report = run(cairn)
    assert report.missing_folders == (str(docs),) and report.removed == 0
    assert [Path(r.path).name for r in cairn.search("tomatoes", mode="keyword")] == ["notes.md"]
    assert not cairn.status().folders[0].present
    docs.rmdir()
    mounted.rename(docs)  # mounted again
    report = run(cairn)
    assert (report.missing_folders, report.unchanged, embedded(cairn)) == ((), 3, before)
    assert cairn.status().folders[0].present


def test_deleting_every_file_of_a_folder_empties_its_index(cairn: Cairn, docs: Path) -> None:
    """The other side of that rule: files deleted one by one (as the watcher sees them) do leave."""
    cairn.add_folder(docs)
    run(cairn)
    for path in [docs / "lease.txt", docs / "notes.md", docs / "sub" / "recipe.txt"]:
        path.unlink()
        job = cairn.index(scopes=[str(path)])
        with pytest.raises(StopIteration):
            while True:
                next(job)
    (docs / "sub").rmdir()
    assert cairn.status().files == 0 and cairn.status().folders[0].present


def test_a_file_too_large_is_read_once_the_limit_is_raised(cairn: Cairn, docs: Path) -> None:
    """Raising the largest file size read (Settings) reaches the files the old limit turned away."""
    big = docs / "minutes.txt"
    big.write_text("The board approved the harbour budget. " * 100)
    an_hour_ago = time.time() - 3600  # saved well before it is read: its stat is trusted
    os.utime(big, (an_hour_ago, an_hour_ago))
    cairn.settings.max_file_mb = 2 / 1024  # 2 KB
    cairn.add_folder(docs)
    run(cairn)
    assert [p.reason for p in cairn.status().problems] == ["larger than the 2 KB limit"]
    cairn.settings.max_file_mb = 1.0
    assert run(cairn).updated == 1
    assert cairn.status().problems == ()
    assert [Path(r.path).name for r in cairn.search("harbour budget", mode="keyword")] == ["minutes.txt"]


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
        report = run_to_result(second.reindex())
        assert report.added + report.updated == 3
        assert second.status().model == "another model"
