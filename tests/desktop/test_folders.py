"""Folders and indexing: first launch, adding a folder with visible progress, pause/resume, exclusions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop import folders as folders_module
from desktop import writer as W
from engine.api import Cairn
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW, wait_for_writer
from tests.fakes import FakeEmbedder


def test_first_launch_adds_a_folder_and_shows_progress(qtbot: Any, docs: Path, launch: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = launch()
    window = app.window
    assert window.pages.currentWidget() is window.welcome  # nothing indexed yet: the empty state
    assert "Add a folder" in window.welcome.button.text().replace("&", "")

    monkeypatch.setattr(folders_module, "choose_folder", lambda parent: str(docs))
    monkeypatch.setattr(folders_module.ExclusionsDialog, "ask", classmethod(lambda cls, *a: ()))
    seen: list[tuple[str, bool]] = []
    panel = window.folders
    panel.progressShown.connect(lambda summary, current: seen.append((summary, panel.bar.isVisible())))
    qtbot.mouseClick(window.welcome.button, Qt.MouseButton.LeftButton)

    wait_for_writer(qtbot, app, W.WATCHING,
                    also=lambda: app.session.status is not None and app.session.status.files == len(DOCS))
    assert window.pages.currentWidget() is not window.welcome
    assert any(f"of {len(DOCS)} files done" in summary and visible for summary, visible in seen), seen
    row = panel.table.topLevelItem(0)
    assert row.text(0) == str(docs) and row.text(1) == str(len(DOCS)) and int(row.text(2)) >= len(DOCS)
    assert str(len(DOCS)) in window.counts_label.text()


@pytest.fixture
def fake_home(cairn_home: Path, docs: Path) -> Path:
    """Plumbing tests (pause, exclusions, removal) index with the deterministic fake embedder."""
    with Cairn(cairn_home, embedder=FakeEmbedder()) as cairn:
        cairn.add_folder(docs)
    return cairn_home


def keyword_names(app: Any, query: str) -> list[str]:
    with Cairn(app.session.home, embedder=FakeEmbedder()) as reader:
        return [Path(r.path).name for r in reader.search(query, mode="keyword")]


def test_pause_and_resume(qtbot: Any, fake_home: Path, docs: Path, launch: Any) -> None:
    app = launch(FakeEmbedder())
    wait_for_writer(qtbot, app, W.WATCHING)
    panel = app.window.folders
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    wait_for_writer(qtbot, app, W.PAUSED)
    assert panel.pause_button.text().replace("&", "") == "Resume"
    (docs / "walrus.txt").write_text("Walruses haul themselves onto the ice with their tusks.")
    qtbot.wait(300)  # the watcher is stopped: nothing may pick the file up
    assert keyword_names(app, "walruses") == []
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # resume: a sync pass, then watching
    qtbot.waitUntil(lambda: keyword_names(app, "walruses") == ["walrus.txt"], timeout=SLOW)
    wait_for_writer(qtbot, app, W.WATCHING)


def test_exclusions_and_removal(qtbot: Any, fake_home: Path, docs: Path, launch: Any,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    app = launch(FakeEmbedder())
    panel = app.window.folders
    qtbot.waitUntil(lambda: app.session.status is not None and app.session.status.files == len(DOCS)
                    and panel.table.topLevelItemCount() == 1, timeout=SLOW)
    panel.table.setCurrentItem(panel.table.topLevelItem(0))
    monkeypatch.setattr(folders_module.ExclusionsDialog, "ask", classmethod(lambda cls, *a: ("*.md",)))
    panel.excludes_button.click()
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: app.session.status.files == len(DOCS) - 1)
    assert keyword_names(app, "twine wheel") == []
    folder = app.session.status.folders[0]
    assert "*.md" in folder.excludes

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.remove_button.click()
    qtbot.waitUntil(lambda: app.window.pages.currentWidget() is app.window.welcome, timeout=SLOW)
    assert app.session.status.files == 0
