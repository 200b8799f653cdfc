"""A mailbox of any size, live: killed with SIGKILL half way through, then resumed; appended to while watched.

The pass that is killed runs in a process of its own (tests/mailbox_pass.py), as `cairn index` would,
with an embedder slowed so the kill lands between messages; the one that resumes counts what it embeds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.cairn import Cairn
from engine.extract.enclosed import member_path
from engine.progress import run_to_result
from tests.containers import append_messages, mailbox_in
from tests.engine.test_index_sync import consistent
from tests.engine.test_watch import Running, wait_for
from tests.fakes import FakeEmbedder

MESSAGES = 24
ROOT = Path(__file__).resolve().parents[2]


def messages_written(home: Path) -> int:
    with Cairn(home, embedder=FakeEmbedder()) as cairn:
        return int(cairn.store.conn.execute("SELECT count(*) FROM files WHERE hash IS NOT NULL"
                                            " AND container_id IS NOT NULL").fetchone()[0])


def test_kill_9_mid_mailbox_then_resume_reads_only_the_rest(tmp_path: Path, cairn_home: Path) -> None:
    box = mailbox_in(tmp_path, range(1, MESSAGES + 1))
    with Cairn(cairn_home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(box.parent)
    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}
    process = subprocess.Popen([sys.executable, "-m", "tests.mailbox_pass"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while messages_written(cairn_home) < 4 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    done_before = messages_written(cairn_home)
    assert 4 <= done_before < MESSAGES, "killed half way through the mailbox"
    with Cairn(cairn_home, embedder=FakeEmbedder()) as cairn:
        before = dict(cairn.store.conn.execute("SELECT path, indexed_at FROM files WHERE container_id IS NOT NULL"))
        report = run_to_result(cairn.index())
        assert report.failed == 0
        after = dict(cairn.store.conn.execute("SELECT path, indexed_at FROM files WHERE container_id IS NOT NULL"))
        written = [p for p in before if p.count("//") == 1]  # the messages written before the kill
        assert {p: after[p] for p in written} == {p: before[p] for p in written}, "read again"
        # only what was not written before the kill is embedded (an attachment written just before it keeps
        # its vectors though its message is read again)
        fresh = cairn.store.conn.execute("SELECT coalesce(sum(chunks), 0) FROM files WHERE path NOT IN"
                                         f" ({','.join('?' * len(before))})", tuple(before)).fetchone()[0]
        assert sum(cairn.embedder.calls) == fresh > 0  # type: ignore[attr-defined]
        assert len([p for p in after if p.count("//") == 1]) == MESSAGES
        found = cairn.search(f"weathervane{MESSAGES}", mode="keyword")
        assert [r.path for r in found] == [member_path(str(box), f"message {MESSAGES}//exhibit-{MESSAGES}.pdf")]
        consistent(cairn)


def test_a_message_appended_to_a_watched_mailbox_becomes_searchable(tmp_path: Path, cairn_home: Path) -> None:
    box = mailbox_in(tmp_path, range(1, 4))
    with Cairn(cairn_home, embedder=FakeEmbedder()) as setup:
        setup.add_folder(box.parent)
        run_to_result(setup.index())
    live = Running(cairn_home, FakeEmbedder()).start()
    try:
        assert live.names("weathervane3") == ["exhibit-3.pdf"]
        append_messages(box, range(4, 5))
        appended = time.monotonic()
        wait_for(lambda: live.names("weathervane4") == ["exhibit-4.pdf"], timeout=60)
        print(f"appended message searchable after {time.monotonic() - appended:.1f} s")  # a figure, not a test
    finally:
        live.close()
