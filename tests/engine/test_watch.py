"""The live index: real watchdog observers on real folders, no mocked events.

The watcher runs `Cairn.watch` in a thread, as `cairn watch` and the app do; the
test searches through a second Cairn on the same home, as another process would.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from engine.indexing import live as live_indexing
from engine.cairn import Cairn, WatchUpdate
from engine.indexing.watcher import FolderWatcher
from tests.fakes import FakeEmbedder

TIMEOUT = 15.0


class Running:
    def __init__(self, home: Path, embedder: FakeEmbedder) -> None:
        self.embedder = embedder
        self.cairn = Cairn(home, embedder=embedder)
        self.reader = Cairn(home, embedder=FakeEmbedder())
        self.stop = threading.Event()
        self.updates: list[WatchUpdate] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for update in self.cairn.watch(self.stop, debounce=0.2):
            self.updates.append(update)

    def start(self) -> "Running":
        self.thread.start()
        wait_for(lambda: any(u.kind == "ready" for u in self.updates))
        return self

    def names(self, query: str) -> list[str]:
        return [Path(r.path).name for r in self.reader.search(query, mode="keyword", limit=50)]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.cairn.close()
        self.reader.close()


def wait_for(condition: Callable[[], object], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture(autouse=True)
def quick_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders added by another client or plugged back in are noticed within half a second here."""
    monkeypatch.setattr(live_indexing, "FOLDER_REFRESH_SECONDS", 0.5)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.txt").write_text("An old note about lighthouses.")
    return docs


def watching(folder: Path, home: Path) -> Running:
    """A watcher started on `folder`, chosen beforehand as `cairn add` would."""
    with Cairn(home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(folder)
    return Running(home, FakeEmbedder()).start()


@pytest.fixture
def live(folder: Path, cairn_home: Path) -> Iterator[Running]:
    running = watching(folder, cairn_home)
    yield running
    running.close()


def embeds(live: Running) -> int:
    return sum(live.embedder.calls)


def test_start_reconciles_what_changed_while_closed(folder: Path, live: Running) -> None:
    assert live.names("lighthouses") == ["old.txt"]


def test_new_file_becomes_searchable(folder: Path, live: Running) -> None:
    (folder / "new.md").write_text("# Walrus\n\nWalruses use their tusks to climb onto ice.")
    wait_for(lambda: live.names("walruses") == ["new.md"])


def test_edit_replaces_old_text(folder: Path, live: Running) -> None:
    (folder / "old.txt").write_text("Now the note is about glaciers.")
    wait_for(lambda: live.names("glaciers") == ["old.txt"])
    assert live.names("lighthouses") == []


def test_rename_and_move_between_folders_keep_vectors(folder: Path, live: Running, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    live.reader.add_folder(other)
    wait_for(lambda: any(u.kind == "ready" for u in live.updates))
    time.sleep(6)  # the watcher picks up the new folder within its 5 s refresh
    before = embeds(live)
    (folder / "old.txt").rename(folder / "renamed.txt")
    wait_for(lambda: live.names("lighthouses") == ["renamed.txt"])
    (folder / "renamed.txt").rename(other / "moved.txt")
    wait_for(lambda: live.names("lighthouses") == ["moved.txt"])
    assert embeds(live) == before


class GatedEmbedder(FakeEmbedder):
    """Holds its first batch until let go: a pass caught in the middle, at a moment the test picks."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.go = threading.Event()

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        self.entered.set()
        self.go.wait(TIMEOUT)
        return super().embed_batch(texts, role)


def test_changes_during_the_first_pass_are_caught_after_it(folder: Path, cairn_home: Path) -> None:
    """The app starts a full pass at every launch; what is saved meanwhile must not wait for the next one."""
    with Cairn(cairn_home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(folder)
    embedder = GatedEmbedder()
    running = Running(cairn_home, embedder)
    running.thread.start()
    try:
        assert embedder.entered.wait(TIMEOUT)  # old.txt is read; the pass has its list of files
        (folder / "old.txt").write_text("Now the note is about glaciers.")
        (folder / "late.txt").write_text("A late note about fjords.")
        embedder.go.set()
        wait_for(lambda: running.names("glaciers") == ["old.txt"] and running.names("fjords") == ["late.txt"])
        assert running.names("lighthouses") == []
    finally:
        embedder.go.set()
        running.close()


def test_a_folder_added_by_another_client_is_indexed(live: Running, tmp_path: Path) -> None:
    """`cairn add` while the app (or `cairn watch`) runs: the folder's files, not only later changes."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "seals.txt").write_text("Seals sleep on ice floes.")
    live.reader.add_folder(other)
    wait_for(lambda: live.names("seals") == ["seals.txt"])


def test_a_folder_that_goes_away_and_comes_back_is_caught_up(folder: Path, live: Running) -> None:
    """An unplugged and replugged drive: what is on it now is indexed, and its absence is said once."""
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "back.txt").write_text("Back again with notes about puffins.")
    wait_for(lambda: live.names("puffins") == ["back.txt"])
    (folder / "later.txt").write_text("Then a note about terns.")
    wait_for(lambda: live.names("terns") == ["later.txt"])  # and it is watched again
    assert live.names("lighthouses") == []


def said_missing(live: Running, folder: Path) -> int:
    """How many finished passes told the person that `folder` is not there."""
    return sum(1 for u in live.updates if u.report is not None and str(folder) in u.report.missing_folders)


def test_a_folder_renamed_away_is_said_missing_and_caught_up_when_back(folder: Path, live: Running,
                                                                      tmp_path: Path) -> None:
    """`mv docs docs-old`: inotify follows the folder to its new name and sends no event Cairn sees.

    The person chose docs, not docs-old: as for an unplugged drive, its absence is said
    once and its data kept; moved back, what changed in it meanwhile is indexed."""
    away = tmp_path / "docs-old"
    folder.rename(away)
    wait_for(lambda: said_missing(live, folder) == 1)
    assert [f.present for f in live.reader.status().folders] == [False]
    assert live.names("lighthouses") == ["old.txt"]
    (away / "old.txt").write_text("Now the note is about glaciers.")
    away.rename(folder)
    wait_for(lambda: live.names("glaciers") == ["old.txt"])
    assert said_missing(live, folder) == 1


def test_saving_in_a_folder_renamed_away_is_not_taken_for_a_change_at_its_old_path(tmp_path: Path) -> None:
    """inotify reports what happens in docs-old under docs: the watcher must not pass that on as docs/x.txt.

    Only the folder's own path is handed out, so that one pass says it is missing."""
    folder = tmp_path / "docs"
    folder.mkdir()
    watcher = FolderWatcher(debounce=0.2)
    try:
        assert watcher.watch([str(folder)]) == [str(folder)]
        folder.rename(tmp_path / "docs-old")
        (tmp_path / "docs-old" / "x.txt").write_text("Saved after the rename.")
        taken: list[str] = []
        wait_for(lambda: taken.extend(watcher.take(timeout=0.5)) or taken)
        assert taken == [str(folder)]
    finally:
        watcher.stop()


@pytest.mark.parametrize("renamed", ["the folder", "its parent"])
def test_a_folder_renamed_away_and_recreated_is_watched_again(renamed: str, tmp_path: Path,
                                                              cairn_home: Path) -> None:
    """`mv Notes Notes-old; mkdir Notes` (or `mv Documents Docs` and a sync tool recreating Documents/Notes).

    The watch stays on the moved folder, so the new folder at the chosen path must be
    watched in its place; what is saved in the renamed one is not indexed under any name."""
    notes = tmp_path / "Documents" / "Notes"
    notes.mkdir(parents=True)
    (notes / "old.txt").write_text("An old note about lighthouses.")
    running = watching(notes, cairn_home)
    try:
        moved = notes if renamed == "the folder" else notes.parent
        away = moved.with_name(moved.name + "-old")
        moved.rename(away)
        notes.mkdir(parents=True)
        (notes / "new.txt").write_text("A new note about puffins.")
        wait_for(lambda: running.names("puffins") == ["new.txt"])
        (away / notes.relative_to(moved) / "whales.txt").write_text("A note about whales.")
        (notes / "later.txt").write_text("Then a note about terns.")
        wait_for(lambda: running.names("terns") == ["later.txt"])  # watched again, not only caught up
        assert running.names("lighthouses") == []  # old.txt left with the renamed folder
        assert running.names("whales") == []
    finally:
        running.close()


def test_a_name_that_is_not_utf8_is_reported_and_the_rest_indexed(folder: Path, live: Running) -> None:
    """A Latin-1 name from an old zip or a USB stick: the index cannot store it, the watcher must go on."""
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(bad, "w") as handle:
        handle.write("A note about espresso.")
    (folder / "good.txt").write_text("A good note about harbours.")
    wait_for(lambda: live.names("harbours") == ["good.txt"])
    problems = live.reader.status().problems
    assert [(Path(p.path).name, p.reason) for p in problems] == [
        ("caf\\xe9.txt", "its name is not valid UTF-8: rename it to index it")]
    assert live.thread.is_alive()


def test_delete_removes_from_index(folder: Path, live: Running) -> None:
    (folder / "old.txt").unlink()
    wait_for(lambda: live.names("lighthouses") == [])


def test_directory_moves_and_deletes(folder: Path, live: Running) -> None:
    (folder / "trip").mkdir()
    (folder / "trip" / "day1.txt").write_text("We hiked to the volcano crater.")
    wait_for(lambda: live.names("crater") == ["day1.txt"])
    before = embeds(live)
    (folder / "trip").rename(folder / "holiday")
    wait_for(lambda: [r.path for r in live.reader.search("crater", mode="keyword")]
             == [str(folder / "holiday" / "day1.txt")])
    assert embeds(live) == before
    shutil.rmtree(folder / "holiday")
    wait_for(lambda: live.names("crater") == [])


def test_editor_save_dance_indexes_the_final_text_once(folder: Path, live: Running) -> None:
    target = folder / "essay.md"
    target.write_text("First draft about otters.")
    wait_for(lambda: live.names("otters") == ["essay.md"])
    before = embeds(live)
    # what vim and many editors do: write a temporary file, keep a backup, rename over the original
    tmp = folder / ".essay.md.swp"
    tmp.write_text("Final version about beavers.")
    shutil.copy(target, folder / "essay.md~")
    tmp.rename(target)
    (folder / "essay.md~").unlink()
    wait_for(lambda: live.names("beavers") == ["essay.md"])
    time.sleep(0.6)
    assert live.names("otters") == []
    assert embeds(live) - before == 1


def test_a_burst_of_files_is_indexed_once_each(folder: Path, live: Running, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for i in range(300):
        (source / f"note{i:03}.txt").write_text(f"Burst note number {i} about penguins.")
    before = embeds(live)
    shutil.copytree(source, folder / "copied")
    wait_for(lambda: len(live.names("penguins")) == 50 and live.reader.status().files == 301, timeout=60)
    time.sleep(1.0)
    assert embeds(live) - before == 300


def test_status_shows_the_watcher(live: Running) -> None:
    state = live.reader.status().watcher
    assert state is not None and state["state"] in ("watching", "indexing")


def _exhaust_inotify_instances() -> list[int]:
    """Open inotify instances until the kernel refuses (fs.inotify.max_user_instances)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    fds: list[int] = []
    while len(fds) < 100_000:
        fd = libc.inotify_init1(0)
        if fd < 0:
            break
        fds.append(fd)
    return fds


def test_exhausted_inotify_limit_falls_back_to_polling(folder: Path, cairn_home: Path) -> None:
    with Cairn(cairn_home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(folder)
    held = _exhaust_inotify_instances()
    try:
        running = Running(cairn_home, FakeEmbedder()).start()
    finally:
        for fd in held:
            os.close(fd)
    try:
        problems = [u.message or "" for u in running.updates if u.kind == "problem"]
        assert any("max_user_watches" in p and "every 5 s" in p for p in problems)
        (folder / "polled.txt").write_text("Found by polling: narwhals.")
        wait_for(lambda: running.names("narwhals") == ["polled.txt"], timeout=20)
    finally:
        running.close()


def test_stopping_as_a_pass_starts_ends_the_watcher(tmp_path: Path, cairn_home: Path, real_embedder: object) -> None:
    """Pause or quit just as a sync pass begins (the app's first launch: nothing to read yet).

    The file reader stops without a word once told to; the pass must notice the stop
    itself rather than wait for the reader's next file forever (a frozen "Pausing…")."""
    empty = tmp_path / "empty"
    empty.mkdir()
    with Cairn(cairn_home, embedder=real_embedder) as cairn:  # type: ignore[arg-type]
        cairn.add_folder(empty)
        stop = threading.Event()
        updates = cairn.watch(stop, debounce=0.2)
        assert next(updates).kind == "progress"  # the pass has begun: scanning
        stop.set()
        rest = threading.Thread(target=lambda: list(updates), daemon=True)
        rest.start()
        rest.join(timeout=TIMEOUT)
        assert not rest.is_alive(), "the watcher was still waiting for files after it was told to stop"
