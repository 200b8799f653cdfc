"""Another Cairn process holds the writer lock: the app says so, searches anyway, and takes over later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop import writer as W
from engine.config import resolve_paths
from engine.lock import WriterLock
from tests.desktop.conftest import SLOW


def test_read_only_banner_and_search_still_works(qtbot: Any, indexed: Path, launch: Any) -> None:
    other = WriterLock(resolve_paths(indexed).lock_file).acquire()  # as `cairn watch` in a terminal would
    try:
        app = launch()
        window = app.window
        qtbot.waitUntil(lambda: app.writer.state == W.READ_ONLY, timeout=SLOW)
        assert window.banner.isVisible()
        assert "read-only" in window.banner.text.text()
        assert not window.folders.pause_button.isEnabled()
        window.search.query.setText("planet warming greenhouse gases")
        qtbot.waitUntil(lambda: bool(window.search.model.results), timeout=SLOW)
        assert Path(window.search.model.results[0].path).name == "climate-report.txt"
    finally:
        other.release()
    qtbot.waitUntil(lambda: app.writer.state == W.WATCHING, timeout=SLOW)  # retried by itself
    assert not window.banner.isVisible()
