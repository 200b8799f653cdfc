"""A failure after reading (splitting, embedding, writing) is one file's, never the pass's (issue #22).

Each stage is made to fail for one file of a folder, on the real SQLite + sqlite-vec store:
every other file is indexed, the index is consistent, the failed file has a reason, and the
next pass neither fails it again nor reads the others again. Database-level faults go through
APSW's execution tracer, so the real statements run up to the one that fails and the real
transaction is rolled back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import apsw
import numpy as np
import pytest

import engine.indexing.indexer
from engine.indexing import contain
from engine.cairn import Cairn
from engine.errors import ModelLoadError
from engine.extract import Document, extract
from engine.store import Store
from engine.store.sql import scalar
from tests.fakes import FakeEmbedder

VICTIM = "victim.txt"
MARKER = "zanzibarquux"  # a word only the victim holds
NAMES = ["alpha.txt", "bravo.md", "charlie.txt", VICTIM, "delta.txt", "echo.txt"]


def run(job):  # type: ignore[no-untyped-def]
    try:
        while True:
            next(job)
    except StopIteration as stop:
        return stop.value


def consistency(store: Store) -> dict[str, object]:
    """What a consistent index satisfies: SQLite's own check, and one vector, partition membership and keyword row
    per passage, every file's passage count true, nothing pointing at a passage that is gone."""
    q: Callable[[str], int] = lambda sql: int(scalar(store.conn, sql))  # noqa: E731
    return {
        "integrity": scalar(store.conn, "PRAGMA integrity_check"),
        "chunks": q("SELECT count(*) FROM chunks"),
        "vectors": q("SELECT count(*) FROM embeddings"),
        "partitioned": q("SELECT count(*) FROM vector_members"),
        "fts": q("SELECT count(*) FROM chunks_fts"),
        "orphans": q("SELECT count(*) FROM embeddings e LEFT JOIN chunks c ON c.id = e.chunk_id WHERE c.id IS NULL")
        + q("SELECT count(*) FROM vector_members v LEFT JOIN chunks c ON c.id = v.chunk_id WHERE c.id IS NULL"),
        "short": q("SELECT count(*) FROM files f WHERE f.chunks != (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)"),
    }


def assert_consistent(store: Store) -> None:
    c = consistency(store)
    assert c["integrity"] == "ok"
    assert c["chunks"] == c["vectors"] == c["partitioned"] == c["fts"], c
    assert c["orphans"] == 0 and c["short"] == 0, c


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n, name in enumerate(NAMES):
        word = MARKER if name == VICTIM else f"word{n}"
        # a few passages per file, so a batch of the embedder holds several files
        (docs / name).write_text("\n\n".join(f"Paragraph {p} of {name} about {word}: the keeper logs every ship "
                                             f"that passes the point at dawn." for p in range(6)))
    return docs


class FailingEmbedder(FakeEmbedder):
    """Fails every batch holding the marker, as llama.cpp would on a text it cannot take."""

    def __init__(self, broken: bool = False) -> None:
        super().__init__()
        self.broken = broken  # fails everything: a model that stopped working

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        if self.broken or any(MARKER in t for t in texts):
            raise RuntimeError("llama_decode returned -1")
        return super().embed_batch(texts, role)


class TolerantEmbedder(FakeEmbedder):
    """Embeds text with lone surrogates, as the real one does (engine.embed encodes it with "replace")."""

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        return super().embed_batch([t.encode("utf-8", "replace").decode("utf-8") for t in texts], role)


def dirty_extractor(path: Path, max_bytes: int) -> Document:
    """The real reader, whose output with the marker keeps a lone surrogate: as if the boundary had a gap."""
    doc = extract(path, max_bytes)
    return replace(doc, text=doc.text + " \ud800") if MARKER in doc.text else doc


def raising_extractor(path: Path, max_bytes: int) -> Document:
    if path.name == VICTIM:
        raise RuntimeError("a parser bug")
    return extract(path, max_bytes)


def abort_statement(table: str) -> Callable[[apsw.Cursor, str, object], bool]:
    """An execution tracer that aborts the victim's first insert into `table` (its transaction is rolled back)."""
    armed = [False]

    def trace(cursor: apsw.Cursor, sql: str, bindings: object) -> bool:
        if sql.startswith("INSERT INTO chunks(") and isinstance(bindings, tuple) and MARKER in str(bindings[-1]):
            armed[0] = True
        if sql.startswith(f"INSERT INTO {table}") and armed[0]:
            armed[0] = False
            return False
        return True

    return trace


STAGES = ["extract", "chunk", "embed", "write", "fts", "vectors", "partitions"]


@pytest.fixture
def staged(request: pytest.FixtureRequest, cairn_home: Path, folder: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Cairn, str]]:
    stage: str = request.param
    embedder = {"embed": FailingEmbedder(), "write": TolerantEmbedder()}.get(stage, FakeEmbedder())
    extractor = {"extract": raising_extractor, "write": dirty_extractor}.get(stage, extract)
    cairn = Cairn(cairn_home, embedder=embedder, extractor=extractor)
    cairn.add_folder(folder)
    if stage == "chunk":
        real = engine.indexing.indexer.chunk_document

        def split(doc, count_tokens, sizes):  # type: ignore[no-untyped-def]
            if MARKER in doc.text:
                raise IndexError("a splitter bug")
            return real(doc, count_tokens, sizes)

        monkeypatch.setattr(engine.indexing.indexer, "chunk_document", split)
    table = {"fts": "chunks_fts", "vectors": "embeddings", "partitions": "vector_members"}.get(stage)
    if table:
        cairn.store.conn.exec_trace = abort_statement(table)
    yield cairn, stage
    cairn.close()


EXPECTED_REASON = {
    "extract": "could not be read (RuntimeError)",
    "chunk": "IndexError while splitting",
    "embed": "RuntimeError while embedding",
    "write": "UnicodeEncodeError while writing",
    "fts": "ExecTraceAbort while writing",
    "vectors": "ExecTraceAbort while writing",
    "partitions": "ExecTraceAbort while writing",
}


@pytest.mark.parametrize("staged", STAGES, indirect=True)
def test_a_stage_failing_for_one_file_fails_that_file_only(staged: tuple[Cairn, str], folder: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cairn, stage = staged
    report = run(cairn.index())
    assert report.failed == 1 and report.added == len(NAMES)
    problems = {Path(p.path).name: p for p in cairn.status().problems}
    assert list(problems) == [VICTIM]
    assert problems[VICTIM].status == "error" and EXPECTED_REASON[stage] in problems[VICTIM].reason
    assert MARKER not in problems[VICTIM].reason
    indexed = {Path(p).name for (p,) in cairn.store.conn.execute("SELECT path FROM files WHERE status = 'indexed'")}
    assert indexed == set(NAMES) - {VICTIM}
    assert_consistent(cairn.store)
    passages = dict(cairn.store.conn.execute("SELECT path, chunks FROM files"))
    assert all(n > 1 for p, n in passages.items() if Path(p).name != VICTIM) and passages[str(folder / VICTIM)] == 0
    hits = {Path(r.path).name for r in cairn.search("keeper logs every ship", mode="keyword", limit=50)}
    assert hits == set(NAMES) - {VICTIM}

    cairn.store.conn.exec_trace = None
    again = run(cairn.index())  # nothing changed: no file is read, none fails again
    assert (again.added, again.updated, again.failed, again.unchanged) == (0, 0, 0, len(NAMES))
    assert_consistent(cairn.store)


@pytest.mark.parametrize("staged", ["embed", "write"], indirect=True)
def test_a_failed_file_is_tried_again_when_it_changes_or_cairn_is_updated(staged: tuple[Cairn, str], folder: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cairn, _ = staged
    run(cairn.index())
    monkeypatch.setattr(contain, "ENGINE_VERSION", contain.ENGINE_VERSION + ".next")
    retried = run(cairn.index())  # another Cairn version: the failed file is tried once more (and fails)
    assert (retried.updated, retried.failed, retried.unchanged) == (1, 1, len(NAMES) - 1)
    assert run(cairn.index()).failed == 0, "and only once per version"

    (folder / VICTIM).write_text("Now an ordinary note about the lighthouse keeper.")
    changed = run(cairn.index())
    assert (changed.updated, changed.failed) == (1, 0)
    assert cairn.status().problems == ()
    assert_consistent(cairn.store)


def test_an_update_that_fails_to_be_written_leaves_no_old_passages_behind(cairn_home: Path, folder: Path) -> None:
    """The file changed and its new text cannot be written: its old passages go (they no longer say what the
    file says), in the same transaction as the failure is recorded."""
    with Cairn(cairn_home, embedder=TolerantEmbedder(), extractor=dirty_extractor) as cairn:
        cairn.add_folder(folder)
        (folder / VICTIM).write_text("First the keeper's plain note.")
        run(cairn.index())
        assert cairn.status().problems == ()
        (folder / VICTIM).write_text(f"Then the {MARKER} note that cannot be written.")
        report = run(cairn.index())
        assert (report.updated, report.failed) == (1, 1)
        assert not any("plain note" in h.text for h in cairn.store.hits(list(range(1, 500))).values())
        assert_consistent(cairn.store)


def test_a_broken_embedder_ends_the_pass_instead_of_failing_every_file(cairn_home: Path, folder: Path) -> None:
    """An embedder that embeds nothing is no file's fault: marking every file failed would keep them out
    of the index until each one changed."""
    with Cairn(cairn_home, embedder=FailingEmbedder(broken=True)) as cairn:
        cairn.add_folder(folder)
        with pytest.raises(ModelLoadError, match="stopped working"):
            run(cairn.index())
        assert cairn.status().problems == ()


def test_a_full_disk_ends_the_pass_instead_of_failing_the_file(cairn_home: Path, folder: Path) -> None:
    with Cairn(cairn_home, embedder=FakeEmbedder()) as cairn:
        cairn.add_folder(folder)

        def full(cursor: apsw.Cursor, sql: str, bindings: object) -> bool:
            if sql.startswith("INSERT INTO chunks("):
                raise apsw.FullError("database or disk is full")
            return True

        cairn.store.conn.exec_trace = full
        with pytest.raises(Exception, match="disk .*is full"):
            run(cairn.index())
        cairn.store.conn.exec_trace = None
        assert cairn.status().problems == ()
        assert run(cairn.index()).added == len(NAMES)
        assert_consistent(cairn.store)


def test_the_log_says_where_it_failed_without_the_text_or_the_path(cairn_home: Path, folder: Path) -> None:
    with Cairn(cairn_home, embedder=TolerantEmbedder(), extractor=dirty_extractor) as cairn:
        cairn.add_folder(folder)
        run(cairn.index())
        for handler in cairn.log.handlers:
            handler.flush()
        text = cairn.paths.log_file.read_text()
    line = next(line for line in text.splitlines() if "failed while" in line)
    assert "UnicodeEncodeError" in line and "writing" in line and "_insert_chunk" in line
    assert MARKER not in text and VICTIM not in text and str(folder) not in text


@pytest.mark.watchdog
def test_the_watcher_records_a_failing_file_and_goes_on(cairn_home: Path, folder: Path) -> None:
    with Cairn(cairn_home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(folder)
    stop = threading.Event()
    updates = []
    watcher = Cairn(cairn_home, embedder=FailingEmbedder())

    def follow() -> None:
        for update in watcher.watch(stop, debounce=0.2):
            updates.append(update)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        with Cairn(cairn_home, embedder=FakeEmbedder()) as reader:
            wait_for(lambda: any(u.kind == "ready" for u in updates))
            (folder / "later.txt").write_text(f"A later note about {MARKER} too.")
            (folder / "fine.txt").write_text("A fine note about the harbour pilot.")
            wait_for(lambda: [Path(r.path).name for r in reader.search("harbour pilot", mode="keyword")]
                     == ["fine.txt"])
            wait_for(lambda: {Path(p.path).name for p in reader.status().problems} == {VICTIM, "later.txt"})
    finally:
        stop.set()
        thread.join(timeout=10)
        watcher.close()
    assert not thread.is_alive()
    assert all(u.kind != "problem" for u in updates)


def wait_for(condition: Callable[[], object], timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
