"""Re-keying the index (`cairn encrypt`) on a real encrypted SQLite file, with what else happens around it.

A re-key works on a copy (`index.db.rekey`) and renames it over the index at the
end. These tests put other things in that window (a process opening the index,
a copy that vanishes or is emptied, a journal left by a killed run, a connection
kept open) and check that the index never loses a row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import StoreError
from engine.store import FileOutcome, NewChunk, Store, connect, is_encrypted, rekey
from tests.fakes import FakeEmbedder

OLD = "the old passphrase"
NEW = "the new passphrase"
WORD = "zanzibarquux"  # stands for private text; found in the raw bytes of a plain page


def build(path: Path, files: int, key: str | None = None, first: int = 0) -> None:
    """An index with `files` files of three passages each, written through the Store as the indexer does."""
    store = Store.open(path, key=key)
    embedder = FakeEmbedder()
    store.bind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
    folder = store.add_folder("/data", [])
    for i in range(first, first + files):
        texts = [f"confidential memo {WORD} {i} {j} " * 20 for j in range(3)]
        chunks = [NewChunk(j, text, 0, len(text), None, None, f"f{i}") for j, text in enumerate(texts)]
        outcome = FileOutcome(folder.id, f"/data/f{i}.txt", ".txt", 1, 1, f"h{i}", "indexed")
        store.write_file(outcome, chunks, embedder.embed_batch([f"f{i} {j}" for j in range(3)]))
    store.close()


def contents(path: Path, key: str | None) -> tuple[int, int, list[str]]:
    """(files, passages, folders) as a reader sees them; opening fails if `key` is not the index's."""
    store = Store.open(path, key=key)
    try:
        folders = [f.path for f in store.folders()]
        files = sum(len(store.files_in_folder(f.id)) for f in store.folders())
        return files, store.chunk_count(), folders
    finally:
        store.close()


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.glob(path.name + ".rekey*"))


def after_copy(monkeypatch: pytest.MonkeyPatch, then: Callable[[Path], None]) -> None:
    """Run `then(copy)` right after the re-key has copied the index, before it re-keys and swaps the copy in."""
    copy = shutil.copyfile

    def copy_then(src: str | os.PathLike[str], dst: str | os.PathLike[str], **kwargs: object) -> object:
        done = copy(src, dst)
        then(Path(dst))
        return done

    monkeypatch.setattr(shutil, "copyfile", copy_then)


def test_opening_the_index_during_a_rekey_leaves_its_copy_alone(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Any process opening the index (the app starting, `cairn status`) used to delete the
    copy a running re-key was working on; the re-key then created an empty database under
    that name and swapped it in: "Passphrase changed.", and nothing left in the index."""
    db = tmp_path / "index.db"
    build(db, 20, key=OLD)
    before = contents(db, OLD)
    opened: list[str] = []

    def another_process_opens(copy: Path) -> None:
        for key in (None, OLD):  # `cairn status` without the passphrase, then the app with it
            try:
                connect(db, key=key).close()
                opened.append(f"with {key}")
            except StoreError as exc:
                opened.append(type(exc).__name__)

    after_copy(monkeypatch, another_process_opens)
    rekey(db, OLD, NEW)
    assert opened == ["PassphraseRequired", f"with {OLD}"], "the window was really entered"
    assert contents(db, NEW) == before
    assert leftovers(db) == []


@pytest.mark.parametrize("damage", ["vanished", "emptied", "garbage"])
def test_a_copy_that_is_not_the_index_is_never_swapped_in(damage: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever happens to the copy before the swap, the re-key stops with a StoreError and
    the index is left as it was: same rows, same passphrase."""
    db = tmp_path / "index.db"
    build(db, 20, key=OLD)
    before = contents(db, OLD)

    def spoil(copy: Path) -> None:
        if damage == "vanished":
            copy.unlink()
        elif damage == "emptied":
            copy.write_bytes(b"")
        else:
            copy.write_bytes(os.urandom(copy.stat().st_size))

    after_copy(monkeypatch, spoil)
    with pytest.raises(StoreError, match="left as it was"):
        rekey(db, OLD, NEW)
    assert contents(db, OLD) == before
    assert leftovers(db) == []


def crash_during_rekey(db: Path) -> None:
    """Leave what a SIGKILL during `PRAGMA rekey` of a plain index leaves: the copy and its hot
    journal, which holds page images of the plain index (a process that dies mid-transaction)."""
    copy = db.with_name(db.name + ".rekey")
    conn = connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    shutil.copyfile(db, copy)
    script = (
        "import apsw, os, sys\n"
        "conn = apsw.Connection(sys.argv[1])\n"
        "conn.execute('PRAGMA cache_size = 2')\n"  # spill page images to the journal at once
        "conn.execute('BEGIN')\n"
        "conn.execute('UPDATE chunks SET text = upper(text)')\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(copy)], check=False)
    journal = db.with_name(db.name + ".rekey-journal")
    assert journal.stat().st_size > 0 and WORD.encode() in journal.read_bytes(), "a hot journal was left"


def test_a_journal_left_by_a_killed_encrypt_is_discarded_not_replayed(tmp_path: Path) -> None:
    """A killed `cairn encrypt` left `index.db.rekey-journal`; the next encrypt replayed it
    into its fresh copy and died with a raw apsw.NotADBError (and the journal, plain page
    images of the index, stayed on disk)."""
    db = tmp_path / "index.db"
    build(db, 20)
    crash_during_rekey(db)
    build(db, 10, first=20)  # the person indexes more before trying again
    before = contents(db, None)
    rekey(db, None, NEW)
    assert is_encrypted(db) and contents(db, NEW) == before
    assert leftovers(db) == []
    assert not any(WORD.encode() in p.read_bytes() for p in tmp_path.iterdir() if p.is_file())


def test_rekey_while_another_process_has_the_index_open_says_so(tmp_path: Path) -> None:
    """An index another process keeps open (the app, a `cairn watch`) cannot be re-keyed: say so
    instead of showing an apsw.BusyError."""
    db = tmp_path / "index.db"
    build(db, 5)
    holder = (
        "import sys\n"
        "from engine.store import Store\n"
        "store = Store.open(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
        "print(store.chunk_count(), flush=True)\n"
    )
    other = subprocess.Popen([sys.executable, "-c", holder, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert other.stdout is not None and other.stdin is not None
    try:
        assert other.stdout.readline() == "open\n"
        with pytest.raises(StoreError, match="in use by another Cairn process"):
            rekey(db, None, NEW)
        other.stdin.write("go on\n")
        other.stdin.flush()
        assert other.stdout.readline() == "15\n", "the other process's connection still works"
    finally:
        other.kill()
        other.wait()
    assert not is_encrypted(db) and contents(db, None)[1] == 15
    assert leftovers(db) == []
