"""`cairn index` killed with SIGKILL in the middle of a long scan: the next pass reads on from the first page
not read, and reads no page twice (each page OCR reads is kept at once, by content hash: ocr_pages)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.extract.ocr.tessdata import tessdata_dir
from engine.store import connect
from tests.cli.test_cli import cairn
from tests.scans import page, tiff_pages

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")

PAGES = 8


def kept(home: Path) -> dict[int, float]:
    conn = connect(home / "data" / "index.db", readonly=True)
    try:
        return {int(r[0]): float(r[1]) for r in conn.execute("SELECT page, read_at FROM ocr_pages")}
    finally:
        conn.close()


def test_kill_9_in_the_middle_of_a_scan_then_resume_without_reading_a_page_again(tmp_path: Path,
                                                                               cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = [[f"Deposition transcript page {n}", f"Reference DT-{n}{n}4{n}", "Certified copy"]
             for n in range(1, PAGES + 1)]
    (docs / "deposition.tif").write_bytes(tiff_pages([page(text) for text in lines]))
    (docs / "memo.txt").write_text("Meeting moved to Thursday.\n")
    cairn("add", str(docs), home=cairn_home)

    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "index"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if (home_db := cairn_home / "data" / "index.db").exists() and len(kept(cairn_home)) >= 2:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the pass ended before it could be killed mid-scan"
        os.killpg(proc.pid, signal.SIGKILL)  # the pass and its reader process, as a crash or power cut
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    before = kept(cairn_home)
    assert home_db.exists() and 2 <= len(before) < PAGES

    resumed = cairn("index", home=cairn_home).stdout
    after = kept(cairn_home)
    assert f"{PAGES - len(before)} pages read by OCR" in resumed
    assert sorted(after) == list(range(1, PAGES + 1))
    assert {n: after[n] for n in before} == before, "a page read before the kill was read again"
    hits = json.loads(cairn("search", f"DT-{PAGES}{PAGES}4{PAGES}", "--json", home=cairn_home).stdout)
    assert Path(hits[0]["path"]).name == "deposition.tif" and hits[0]["page"] == PAGES
    assert hits[0]["note"].startswith("read from a scan")
