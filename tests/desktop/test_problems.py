"""A file that cannot be read is listed with the reason, and the rest is still searchable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop import writer as W
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW, wait_for_writer


def test_a_corrupt_pdf_appears_in_the_errors_view(qtbot: Any, docs: Path, launch: Any) -> None:
    (docs / "scan-2019.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a real pdf\n")
    app = launch()
    window = app.window
    app.writer.add_folder(str(docs))
    qtbot.waitUntil(lambda: any(name == "scan-2019.pdf" for name, _ in window.problems.rows()), timeout=SLOW)
    wait_for_writer(qtbot, app, W.WATCHING)
    reason = dict(window.problems.rows())["scan-2019.pdf"]
    assert reason and "not a real pdf" not in reason  # a reason, never the file's content
    assert window.tabs.tabText(3).replace("&", "") == "Problems (1)"
    assert app.session.status.folders[0].by_status.get("indexed") == len(DOCS)
    window.problems.filter.setText("nothing like this")
    assert window.problems.rows() == []
