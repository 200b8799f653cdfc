"""A result read from a scan says so in the results list and the preview, as the CLI does; typed text says nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.results import describe
from engine.cairn import Cairn
from engine.extract.ocr.tessdata import tessdata_dir
from tests.scans import LETTER, encoded, page

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")


def test_a_scanned_result_says_read_from_a_scan_in_the_list_and_the_preview(qtbot: Any, tmp_path: Path,
                                                                          cairn_home: Path, real_embedder: Any,
                                                                          launch: Any) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "invoice-scan.png").write_bytes(encoded(page(LETTER), "PNG"))
    (docs / "memo.txt").write_text("The invoice INV-58213 was paid by bank transfer on 4 March.\n")
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
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
