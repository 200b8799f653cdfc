"""The preview never waits for the file system on the UI thread, and shows a file as it is now."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.preview import Passage
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW

NAME = "sourdough.txt"
FIRST = DOCS[NAME].split(". ")[0] + "."


def test_a_file_read_before_shows_at_once_even_on_a_stalled_mount(qtbot: Any, docs: Path, launch: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    preview = launch().window.preview
    path = docs / NAME
    with qtbot.waitSignal(preview.passageShown, timeout=SLOW):
        preview.show_passage(Passage(str(path), 0, len(FIRST), FIRST))
    assert DOCS[NAME] in preview.text.toPlainText()

    released, on_ui_thread = threading.Event(), []
    real_stat = Path.stat

    def stalled(self: Path, *args: Any, **kwargs: Any) -> os.stat_result:  # a network mount that stopped answering
        if self == path:
            on_ui_thread.append(threading.current_thread() is threading.main_thread())
            released.wait(5)
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stalled)
    try:
        started = time.monotonic()
        preview.show_passage(Passage(str(path), 0, len(FIRST), FIRST))  # the person selects it again
        assert time.monotonic() - started < 1.0
        assert DOCS[NAME] in preview.text.toPlainText() and not preview.note.isVisible()
        qtbot.waitUntil(lambda: bool(on_ui_thread))  # checked for changes, on the preview lane
        assert on_ui_thread == [False]
    finally:
        released.set()  # the app's shutdown waits for the preview lane


def test_a_file_changed_since_it_was_shown_is_read_again(qtbot: Any, docs: Path, launch: Any) -> None:
    preview = launch().window.preview
    path = docs / NAME
    with qtbot.waitSignal(preview.passageShown, timeout=SLOW):
        preview.show_passage(Passage(str(path), 0, len(FIRST), FIRST))
    added = "Rye flour makes a denser crumb."
    path.write_text(DOCS[NAME] + "\n" + added + "\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))  # a new modification time even on a coarse-grained file system
    preview.show_passage(Passage(str(path), 0, len(FIRST), FIRST))
    qtbot.waitUntil(lambda: added in preview.text.toPlainText(), timeout=SLOW)
