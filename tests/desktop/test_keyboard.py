"""Every area of the window is reachable by a key, from wherever the focus is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.settings import SettingsDialog


def test_keys_reach_every_tab_and_the_settings(qtbot: Any, indexed: Path, launch: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = launch()
    window = app.window
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.main_page)
    ctrl = Qt.KeyboardModifier.ControlModifier
    for key, panel in ((Qt.Key.Key_3, window.folders), (Qt.Key.Key_4, window.problems), (Qt.Key.Key_2, window.ask),
                       (Qt.Key.Key_1, window.search), (Qt.Key.Key_J, window.ask), (Qt.Key.Key_K, window.search)):
        qtbot.keyClick(window.focusWidget() or window.search.query, key, ctrl)
        assert window.tabs.currentWidget() is panel, key
    opened: list[bool] = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: opened.append(True) or 0)
    qtbot.keyClick(window.search.query, Qt.Key.Key_Comma, ctrl)
    assert opened == [True]
