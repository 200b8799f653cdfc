"""Changing the embedding model re-embeds in the background: the old vectors serve search until one commit
swaps in the new ones; a pass stopped or killed halfway leaves the old index whole, and the next one finishes.

The store's side with fake embedders (fast); the whole switch with both real bundled models, loaded by
Cairn from its settings, and a real `cairn index` process killed with SIGKILL halfway through.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import apsw
import pytest
from click.testing import CliRunner

from engine.cairn import Cairn
from engine.cli import cli
from engine.config import resolve_paths
from engine.cli import folders, settings  # noqa: F401  (registers `status`, `config`)
from engine.errors import Cancelled
from engine.indexing import reembed as reembed_module
from engine.indexing.reembed import reembed
from engine.progress import run_to_result
from engine.store.switch import Target
from tests.corpus import write_corpus
from tests.engine.test_model_switch import FILES, QUESTION
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]


class OtherFake(FakeEmbedder):
    """Another model: other id, other dimensions."""

    model_id = "fake-embedder-v2"
    model_name = "other fake"
    dimensions = 16


def counts(cairn: Cairn) -> dict[str, int]:
    conn = cairn.store.conn
    return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("chunks", "embeddings", "vector_members", "file_vectors", "next_embeddings")}


def ranked(cairn: Cairn, query: str) -> list[tuple[str, float]]:
    return [(Path(r.path).name, round(r.score, 6)) for r in cairn.search(query, mode="semantic", limit=5)]


# ----------------------------------------------------------------------------- the store's side (fast)

def test_a_switch_serves_the_old_vectors_then_swaps_all_at_once(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reembed_module, "EMBED_BATCH", 4)
    docs = write_corpus(tmp_path / "docs")
    old, new = FakeEmbedder(), OtherFake()
    cairn = Cairn(tmp_path / "home", embedder=old)
    cairn.add_folder(docs)
    run_to_result(cairn.index())
    before = counts(cairn)
    query = "how do volcanoes erupt"
    results = ranked(cairn, query)
    target = Target(new.model_id, new.model_name, new.dimensions, "other", "chosen in the settings")

    cancel = threading.Event()
    job = reembed(cairn.store, new, target, cancel)
    next(job), next(job)  # two batches kept, then stopped
    cancel.set()
    with pytest.raises(Cancelled):
        next(job)
    assert counts(cairn)["next_embeddings"] == 8
    assert cairn.store.get_meta("model_id") == old.model_id and ranked(cairn, query) == results  # old vectors serve

    (docs / "volcano.txt").write_text("Lava and ash pour out when a volcano erupts; Etna erupted again in May.")
    run_to_result(cairn.index())  # indexed meanwhile with the old model: its new passage has no new vector yet
    kept = counts(cairn)["next_embeddings"]
    calls = len(new.calls)
    assert run_to_result(reembed(cairn.store, new, target)) is True
    assert sum(new.calls[calls:]) == before["chunks"] - kept  # only what was left, the new passage included

    after = counts(cairn)
    assert after["next_embeddings"] == 0 and cairn.store.switch_pending() is None
    assert after["embeddings"] == after["vector_members"] == after["chunks"] == before["chunks"]
    assert after["file_vectors"] == before["file_vectors"]
    widths = {len(r[0]) for r in cairn.store.conn.execute("SELECT vector FROM embeddings")}
    assert widths == {new.dimensions * 4}
    assert (cairn.store.get_meta("model_id"), cairn.store.get_meta("model_choice")) == (new.model_id, "other")
    cairn.close()
    with Cairn(tmp_path / "home", embedder=new) as switched:
        assert ranked(switched, "Etna erupted in May")[0][0] == "volcano.txt"


def test_choosing_the_old_model_again_drops_the_new_vectors(tmp_path: Path) -> None:
    cairn = Cairn(tmp_path / "home", embedder=FakeEmbedder())
    cairn.add_folder(write_corpus(tmp_path / "docs"))
    run_to_result(cairn.index())
    new = OtherFake()
    job = reembed(cairn.store, new, Target(new.model_id, new.model_name, new.dimensions, "other", "x"))
    next(job)
    job.close()
    assert cairn.store.switch_pending() is not None
    cairn.store.abandon_switch()
    assert cairn.store.switch_pending() is None and counts(cairn)["next_embeddings"] == 0
    cairn.close()


# ------------------------------------------------------------------- the real models, the real command

def english_index(home: Path, folder: Path, copies: int) -> None:
    """An index on the English model of the German files (and the English test corpus), `copies` times over."""
    for n in range(copies):
        for name, text in FILES.items():
            (folder / f"{n}-{name}").write_text(text, encoding="utf-8")
    write_corpus(folder / "english")
    config("embedding_model", "english", home)
    with Cairn(home) as cairn:
        cairn.add_folder(folder)
        run_to_result(cairn.index())
        assert cairn.status().model.startswith("all-MiniLM-L6-v2")  # type: ignore[union-attr]


def config(key: str, value: str, home: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(home), "config", "set", key, value])
    assert result.exit_code == 0, result.output


@pytest.mark.model
def test_search_uses_the_old_model_until_the_switch_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reembed_module, "EMBED_BATCH", 8)
    home, folder = tmp_path / "home", tmp_path / "docs"
    folder.mkdir()
    english_index(home, folder, copies=1)
    config("embedding_model", "multilingual", home)
    reader, writer = Cairn(home), Cairn(home)  # the app's read lane and its writer: two connections
    try:
        before = ranked(reader, QUESTION)
        assert reader.status().switch is not None and reader.status().switch.done == 0  # type: ignore[union-attr]
        seen = []
        for progress in writer.reindex():
            if progress.phase == "re-embedding" and progress.files_done < progress.files_total:
                assert ranked(reader, QUESTION) == before  # the old model's query and vectors, never a mix
                seen.append(progress.files_done)
        assert len(seen) >= 2 and seen == sorted(seen)
        status = reader.status()
        assert status.model.startswith("multilingual-e5-small") and status.switch is None  # type: ignore[union-attr]
        assert ranked(reader, QUESTION)[0][0].endswith("arztbrief.txt")  # the reader now embeds with e5
        assert ranked(reader, QUESTION) != before
    finally:
        reader.close()
        writer.close()


@pytest.mark.model
@pytest.mark.cli
def test_kill_9_halfway_through_a_switch_then_the_next_pass_finishes_it(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "docs"
    folder.mkdir()
    english_index(home, folder, copies=12)
    with Cairn(home) as cairn:
        before = ranked(cairn, QUESTION)
        total = cairn.store.chunk_count()
    config("embedding_model", "multilingual", home)

    env = {**os.environ, "CAIRN_HOME": str(home), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "index"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    done = wait_for_some_new_vectors(resolve_paths(home).index_db, proc, total)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert 0 < done < total, f"killed at {done} of {total} passages"

    with Cairn(home) as cairn:
        assert cairn.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = cairn.status()
        assert status.model.startswith("all-MiniLM-L6-v2") and status.switch is not None  # type: ignore[union-attr]
        assert 0 < status.switch.done < status.switch.total == total  # type: ignore[union-attr]
        assert ranked(cairn, QUESTION) == before  # the old index, whole, still serving
        resumed = status.switch.done  # type: ignore[union-attr]
        embedded = [p.chunks_done for p in cairn.index() if p.phase == "re-embedding"]
        assert embedded[-1] == total - resumed  # the restart embedded only what was left
        status = cairn.status()
        assert status.model.startswith("multilingual-e5-small") and status.switch is None  # type: ignore[union-attr]
        after = counts(cairn)
        assert after["embeddings"] == after["vector_members"] == after["chunks"] == total
        assert after["next_embeddings"] == 0
        assert ranked(cairn, QUESTION)[0][0].endswith("arztbrief.txt")


def wait_for_some_new_vectors(db: Path, proc: subprocess.Popen[bytes], total: int) -> int:
    """Poll the index from outside until the pass has kept some, but not all, of the new vectors."""
    deadline = time.monotonic() + 240
    conn = apsw.Connection(f"file:{db}?mode=ro", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the pass ended"
            try:
                done = int(conn.execute("SELECT count(*) FROM next_embeddings").fetchone()[0])
            except apsw.BusyError:
                done = 0
            if done >= total // 4:
                return done
            time.sleep(0.02)
    finally:
        conn.close()
    raise AssertionError("the switch kept no new vector in time")
