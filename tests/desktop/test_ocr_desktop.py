"""A result read from a scan says so in the results list and the preview, as the CLI does; typed text says nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.exceptions import TimeoutError

from desktop.results import describe
from engine.cairn import Cairn
from engine.extract.ocr.tessdata import tessdata_dir
from tests.desktop.conftest import SLOW
from tests.scans import LETTER, encoded, page

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")


def test_a_scanned_result_says_read_from_a_scan_in_the_list_and_the_preview(qtbot: Any, tmp_path: Path,
                                                                          cairn_home: Path, real_embedder: Any,
                                                                          launch: Any) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "invoice-scan.png").write_bytes(encoded(page(LETTER), "PNG"))
    (docs / "memo.txt").write_text("The invoice INV-58213 was paid by bank transfer on 4 March.\n")
    from engine.config import Settings, resolve_paths

    # the reader's time limit is not what this tests: a loaded machine must not fail it (the preview reads too)
    Settings(read_timeout_s=600).save(resolve_paths(cairn_home).ensure())
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
        # the kept page's confidence altered: the previewed file has it only if it was read from the kept page
        cairn.store.conn.execute("UPDATE ocr_pages SET confidence = 12.5")
    app = launch()
    window = app.window
    window.search.query.setText("INV-58213")
    qtbot.waitUntil(lambda: window.search.model.rowCount() >= 2, timeout=90_000)
    rows = {Path(r.path).name: r for r in window.search.model.results}
    assert "read from a scan" in describe(rows["invoice-scan.png"])
    assert "read from a scan" not in describe(rows["memo.txt"])

    window.search.view.setCurrentIndex(window.search.model.index(
        [Path(r.path).name for r in window.search.model.results].index("invoice-scan.png"), 0))
    qtbot.waitUntil(lambda: window.preview.passage is not None
                    and window.preview.passage.path.endswith("invoice-scan.png"), timeout=30_000)
    qtbot.waitUntil(lambda: "Read from a scan" in window.preview.where.text(), timeout=30_000)

    # the page as scanned, the matching word boxed on it, from the pages kept at indexing
    preview = window.preview
    try:
        qtbot.waitUntil(lambda: preview.body.currentWidget() is preview.page, timeout=SLOW)
    except TimeoutError:
        raise AssertionError(f"no page picture: note {preview.note.text()!r}, read {list(preview._cache)}") from None
    shown = preview.page.canvas
    assert shown.image is not None and shown.image.width() / shown.image.height() == pytest.approx(2480 / 3508, 0.01)
    doc = preview._cache[preview.passage.path][1]
    assert [doc.text[m.start:m.end] for m in preview.page.marked] == ["INV-58213"]
    assert len(preview.page.banded) >= 10  # the passage's words (the whole short letter)
    assert doc.pages[0].ocr_confidence == 12.5  # read from the kept page: OCR did not read it again
    preview.view_button.click()
    assert preview.body.currentWidget() is preview.text and preview.view_button.text() == "Show the page &image"
