"""Several real `cairn` processes on one home: crashes, locks and readers during writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import apsw
import pytest

from engine.store import connect
from tests.cli.test_cli import cairn


def start(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def counts(home: Path) -> dict[str, int]:
    conn = connect(home / "data" / "index.db")
    q = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    result = {
        "files": q("SELECT count(*) FROM files WHERE status = 'indexed'"),
        "chunks": q("SELECT count(*) FROM chunks"),
        "vectors": q("SELECT count(*) FROM embeddings"),
        "partitioned": q("SELECT count(*) FROM vector_members"),
        "fts": q("SELECT count(*) FROM chunks_fts"),
        "orphans": q("SELECT count(*) FROM embeddings e LEFT JOIN chunks c ON c.id = e.chunk_id WHERE c.id IS NULL")
        + q("SELECT count(*) FROM chunks c LEFT JOIN embeddings e ON e.chunk_id = c.id WHERE e.chunk_id IS NULL"),
        "short": q("SELECT count(*) FROM files f WHERE f.chunks != (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)"),
    }
    conn.close()
    return result


def wait_until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except apsw.Error:  # the other process has not created its tables yet
            pass
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_kill_9_mid_index_leaves_a_consistent_index_that_resumes(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(200):
        (docs / f"memo{i:03}.txt").write_text(f"Memo {i}. " + "The committee reviewed the budget line by line. " * 30)
    cairn("add", str(docs), home=cairn_home)
    db = cairn_home / "data" / "index.db"
    proc = start("index", home=cairn_home)
    wait_until(lambda: db.exists() and counts(cairn_home)["files"] >= 25)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after_kill = counts(cairn_home)
    assert 25 <= after_kill["files"] < 200, "killed mid-way"
    assert after_kill["chunks"] == after_kill["vectors"] == after_kill["partitioned"] == after_kill["fts"]
    assert after_kill["orphans"] == 0 and after_kill["short"] == 0

    resumed = cairn("index", home=cairn_home).stdout
    assert f"{200 - after_kill['files']} added" in resumed, "only what was missing is indexed"
    final = counts(cairn_home)
    assert final["files"] == 200 and final["orphans"] == 0 and final["short"] == 0
    assert final["chunks"] == final["vectors"] == final["partitioned"] == final["fts"]


def test_one_writer_many_readers(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Quarterly figures for the orchard cooperative.")
    cairn("add", str(docs), home=cairn_home)
    watcher = start("watch", home=cairn_home)
    try:
        wait_until(lambda: json.loads(cairn("status", "--json", home=cairn_home).stdout)["watcher"] is not None
                   and json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 1)
        second = cairn("index", home=cairn_home, check=False)
        assert second.returncode == 1
        assert f"process {watcher.pid}" in second.stderr and "read-only" in second.stderr
        found = json.loads(cairn("search", "orchard cooperative", "--json", home=cairn_home).stdout)
        assert Path(found[0]["path"]).name == "a.txt"
        more = tmp_path / "more"
        more.mkdir()
        (more / "b.txt").write_text("Minutes of the beekeepers' association.")
        added = cairn("add", str(more), home=cairn_home).stdout
        assert "The running watcher" in added and "Run `cairn index`" not in added
        wait_until(lambda: [Path(r["path"]).name for r in json.loads(
            cairn("search", "beekeepers", "--mode", "keyword", "--json", home=cairn_home).stdout)] == ["b.txt"])
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, _ = watcher.communicate(timeout=30)
    assert watcher.returncode == 0 and "Stopped watching." in out
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["watcher"] is None


def memos(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"memo{i:03}.txt").write_text(f"Memo {i}. " + "The committee reviewed the budget line by line. " * 30)
    return folder


def consistent(found: dict[str, int]) -> bool:
    return (found["chunks"] == found["vectors"] == found["partitioned"] == found["fts"]
            and found["orphans"] == 0 and found["short"] == 0)


def interrupt_mid_index(home: Path, docs: Path, then: str) -> tuple[subprocess.Popen[str], str]:
    """Ctrl+C while `cairn index` is at work, and more Ctrl+C: at once (`then="at once"`), or once Cairn
    has said it stops (`then="while stopping"`), as a person who presses again because it did not end yet."""
    cairn("add", str(docs), home=home)
    proc = start("index", home=home)
    wait_until(lambda: (home / "data" / "index.db").exists() and counts(home)["files"] >= 10)
    proc.send_signal(signal.SIGINT)
    if then == "at once":
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        return proc, err
    assert proc.stderr is not None
    first = proc.stderr.readline()  # Cairn has begun stopping: the index is being closed
    for _ in range(3):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=120)
    return proc, first + err


@pytest.mark.parametrize("then", ["at once", "while stopping"])
def test_ctrl_c_twice_during_index_stops_with_130_and_keeps_what_was_indexed(tmp_path: Path, cairn_home: Path,
                                                                             then: str) -> None:
    docs = memos(tmp_path / "docs", 200)
    proc, err = interrupt_mid_index(cairn_home, docs, then)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip() == "Stopped; everything indexed so far is saved.", err  # not click's "Aborted!", no traceback
    after = counts(cairn_home)
    assert 10 <= after["files"] < 200 and consistent(after)
    resumed = cairn("index", home=cairn_home).stdout
    assert f"{200 - after['files']} added" in resumed, "what was indexed stays; the rest is indexed next time"
    assert consistent(counts(cairn_home))


def test_ctrl_c_twice_stops_watch_cleanly(tmp_path: Path, cairn_home: Path) -> None:
    docs = memos(tmp_path / "docs", 3)
    cairn("add", str(docs), home=cairn_home)
    watcher = start("watch", home=cairn_home)
    wait_until(lambda: (json.loads(cairn("status", "--json", home=cairn_home).stdout)["watcher"] or {}).get(
        "state") == "watching")
    watcher.send_signal(signal.SIGINT)
    watcher.send_signal(signal.SIGINT)
    out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0 and out.strip().endswith("Stopped watching."), (watcher.returncode, out, err)
    assert "Aborted" not in err and "Traceback" not in err, err
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["watcher"] is None
