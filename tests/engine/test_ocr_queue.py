"""OCR waits for the rest and never reads a page twice: scans are indexed after every other file, and the
pages OCR read are kept by content hash, so a copied or moved scan, or a pass after a change of reader,
costs no OCR. Real Tesseract in the real reader process, the real store; a fake embedder (order and
OCR counts are the point here, not search quality)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.cairn import Cairn
from engine.extract.ocr import memo
from engine.extract.ocr.tessdata import tessdata_dir
from engine.progress import run_to_result
from tests.fakes import FakeEmbedder
from tests.scans import LETTER, encoded, page, tiff_pages

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")

FAX = [page(["Court of Appeal", "Notice of hearing"]), page(["Case number CA-2024-00981", "Listed for 3 June"])]


@pytest.fixture
def cairn() -> Cairn:
    c = Cairn(embedder=FakeEmbedder())
    yield c
    c.close()


def kept(cairn: Cairn) -> dict[tuple[str, int], float]:
    """Every page OCR has read, with when it was read: a page read again gets a new time."""
    rows = cairn.store.conn.execute("SELECT file_hash, page, read_at FROM ocr_pages")
    return {(str(r[0]), int(r[1])): float(r[2]) for r in rows}


def test_every_text_file_is_indexed_before_the_first_scan(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-fax.tif").write_bytes(tiff_pages(FAX))  # first in walk order, yet read last
    (docs / "b-invoice.png").write_bytes(encoded(page(LETTER), "PNG"))
    for n in range(8):
        (docs / f"note-{n}.txt").write_text(f"Note {n}: the boiler service is booked for week {n}.\n")
    (docs / "z-readme.md").write_text("# Readme\n\nNothing scanned here.\n")
    cairn.add_folder(docs)
    seen: list = []
    run_to_result(cairn.index(), seen.append)
    last = seen[-1]
    assert last.ocr_pages_read == 3 and last.ocr_seconds_per_page and last.scans_left == 0
    told = [p for p in seen if p.phase == "indexing" and p.scans_left == 2 and p.files_done]
    assert told and all(p.current and p.current.endswith((".txt", ".md")) for p in told)
    order = [Path(r[0]).name for r in cairn.store.conn.execute("SELECT path FROM files ORDER BY id")]
    scans = {"a-fax.tif", "b-invoice.png"}
    assert set(order[-2:]) == scans and not scans & set(order[:-2]), order
    assert cairn.search("CA-2024-00981", mode="keyword")[0].ocr_confidence is not None
    assert cairn.search("boiler service booked", mode="keyword")[0].ocr_confidence is None


def test_a_copied_or_moved_scan_costs_no_ocr(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fax.tif").write_bytes(tiff_pages(FAX))
    cairn.add_folder(docs)
    run_to_result(cairn.index())
    first = kept(cairn)
    assert sorted(page for _, page in first) == [1, 2]

    (docs / "archive").mkdir()
    shutil.copy(docs / "fax.tif", docs / "archive" / "fax-copy.tif")  # a new file: read, but not by OCR
    shutil.move(docs / "fax.tif", docs / "fax-moved.tif")
    report = run_to_result(cairn.index())
    assert report.moved == 1 and report.added == 1
    assert kept(cairn) == first, "a page was read by OCR again"
    found = {Path(r.path).name for r in cairn.search("CA-2024-00981", mode="keyword", limit=5)}
    assert found == {"fax-moved.tif", "fax-copy.tif"}
    copy = [r for r in cairn.search("CA-2024-00981", mode="keyword", limit=5) if r.path.endswith("fax-copy.tif")]
    assert copy[0].page == 2 and copy[0].ocr_confidence is not None


def test_a_scan_longer_than_one_files_time_is_read_on_by_the_next_passes(tmp_path: Path) -> None:
    """Each pass reads the pages the last one had no time for, and no page twice, until the scan is whole."""
    from engine.runtime.sandbox import Limits, SandboxedExtractor

    docs = tmp_path / "docs"
    docs.mkdir()
    numbers = [f"Exhibit page {n} reference EX-{n}0{n}7" for n in range(1, 17)]
    (docs / "bundle.tif").write_bytes(tiff_pages([page([line, "Signed and dated"]) for line in numbers]))
    cairn = Cairn(embedder=FakeEmbedder(), extractor=SandboxedExtractor(Limits(seconds=4.0, memory_mb=1536)))
    try:
        cairn.add_folder(docs)
        seen: dict[tuple[str, int], float] = {}
        for passes in range(1, 21):
            run_to_result(cairn.index())
            now = kept(cairn)
            assert {k: v for k, v in now.items() if k in seen} == seen, "a page was read again"
            seen = now
            error = cairn.store.conn.execute("SELECT error FROM files").fetchone()[0]
            if error is None:
                break
        assert error is None and sorted(page for _, page in seen) == list(range(1, 17))
        assert passes > 1, "the scan fitted in one file's time: it tests nothing here"
        hit = cairn.search("EX-160167", mode="keyword")[0]
        assert hit.page == 16 and hit.ocr_confidence is not None
    finally:
        cairn.close()


def test_pages_of_bytes_no_file_has_any_more_are_forgotten_and_the_rest_is_bounded(tmp_path: Path) -> None:
    from engine.runtime.sandbox import Limits, SandboxedExtractor

    # the reader's time limit is not what this tests: a loaded machine must not fail it
    with Cairn(embedder=FakeEmbedder(), extractor=SandboxedExtractor(Limits(seconds=600))) as cairn:
        _forgets_and_bounds(cairn, tmp_path)


def _forgets_and_bounds(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fax.tif").write_bytes(tiff_pages(FAX))
    (docs / "note.png").write_bytes(encoded(page(["Boiler service", "booked for 12 May", "ref BS-4410"]), "PNG"))
    cairn.add_folder(docs)
    run_to_result(cairn.index())
    hashes = {h for h, _ in kept(cairn)}
    assert len(hashes) == 2 and len(kept(cairn)) == 3

    (docs / "note.png").unlink()  # deleted: its page goes
    (docs / "fax.tif").write_bytes(tiff_pages(FAX[:1]))  # changed: the old bytes' pages go, the new one's stay
    run_to_result(cairn.index())
    now = kept(cairn)
    files = {r[0] for r in cairn.store.conn.execute("SELECT hash FROM files")}
    assert {h for h, _ in now} == files and not files & hashes and len(now) == 1

    (docs / "fax-2.tif").write_bytes(tiff_pages(FAX[1:]))
    run_to_result(cairn.index())
    assert len(kept(cairn)) == 2
    older = min(kept(cairn).items(), key=lambda kv: kv[1])[0]
    newest_size = cairn.store.conn.execute(
        "SELECT length(CAST(text AS BLOB)) + length(boxes) FROM ocr_pages ORDER BY read_at DESC").fetchone()[0]
    assert cairn.store.prune_ocr_pages(newest_size, memo.setup()) == 1  # over the bound: the older page goes
    assert older not in kept(cairn) and len(kept(cairn)) == 1
