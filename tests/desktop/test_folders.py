"""Folders and indexing: first launch, adding a folder with visible progress, pause/resume, exclusions."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop import folders as folders_module
from desktop import writer as W
from engine.cairn import Cairn
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
    monkeypatch.setattr(folders_module.ExclusionsDialog, "ask", classmethod(lambda cls, *a, **k: ()))
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
    monkeypatch.setattr(folders_module.ExclusionsDialog, "ask", classmethod(lambda cls, *a, **k: ("*.md",)))
    panel.excludes_button.click()
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: app.session.status.files == len(DOCS) - 1)
    assert keyword_names(app, "twine wheel") == []
    folder = app.session.status.folders[0]
    assert "*.md" in folder.excludes

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.remove_button.click()
    qtbot.waitUntil(lambda: app.window.pages.currentWidget() is app.window.welcome, timeout=SLOW)
    assert app.session.status.files == 0


class GatedEmbedder(FakeEmbedder):
    """The fake embedder, held at its next batch while `gate` is set and closed: a slow re-embed, on cue."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: threading.Event | None = None
        self.waiting = threading.Event()

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        if self.gate is not None:
            self.waiting.set()
            self.gate.wait(30)
        return super().embed_batch(texts, role)


def passages(app: Any) -> int:
    with Cairn(app.session.home, embedder=FakeEmbedder()) as reader:
        return reader.status().chunks


def pause_texts(app: Any) -> tuple[str, str]:
    return app.window.folders.pause_button.text().replace("&", ""), app.window.pause_action.text().replace("&", "")


def test_pause_stops_a_reembed_at_once_and_resume_carries_on(qtbot: Any, fake_home: Path, docs: Path,
                                                            launch: Any) -> None:
    for n in range(40):  # enough passages for several batches
        (docs / f"note-{n:02d}.txt").write_text(f"Field note {n}: the heron waited by the reeds at dawn.")
    embedder = GatedEmbedder()
    app = launch(embedder)
    wait_for_writer(qtbot, app, W.WATCHING)
    everything = passages(app)
    panel = app.window.folders
    embedder.gate = threading.Event()
    try:
        app.window.reindex()
        assert embedder.waiting.wait(30)  # the first batch is being embedded
        qtbot.wait(100)  # the stopped watcher's end has reached the UI: only the re-embed runs now
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
        assert pause_texts(app) == ("Resume", "Resume indexing")  # at once, while the batch finishes
        assert panel.state.text() == "Pausing…"
    finally:
        embedder.gate.set()
    embedder.gate = None
    wait_for_writer(qtbot, app, W.PAUSED)
    assert "Re-embedding continues when you resume" in panel.state.text()
    assert 0 < passages(app) < everything  # stopped partway, not run to the end
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # Resume
    assert pause_texts(app) == ("Pause", "Pause indexing")
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: passages(app) == everything)


def test_a_second_press_while_a_folder_is_added_resumes(qtbot: Any, fake_home: Path, tmp_path: Path, launch: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    more = tmp_path / "more"
    more.mkdir()
    (more / "walrus.txt").write_text("Walruses haul themselves onto the ice with their tusks.")
    gate, writing = threading.Event(), threading.Event()
    add_folder = Cairn.add_folder

    def slow_add(self: Cairn, *args: Any, **kwargs: Any) -> Any:  # a folder on a slow disk
        writing.set()
        gate.wait(30)
        return add_folder(self, *args, **kwargs)

    app = launch(FakeEmbedder())
    wait_for_writer(qtbot, app, W.WATCHING)
    panel = app.window.folders
    monkeypatch.setattr(Cairn, "add_folder", slow_add)
    monkeypatch.setattr(folders_module, "choose_folder", lambda parent: str(more))
    monkeypatch.setattr(folders_module.ExclusionsDialog, "ask", classmethod(lambda cls, *a, **k: ()))
    try:
        panel.add_button.click()
        assert writing.wait(30)
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
        assert app.writer.state == W.PAUSING and pause_texts(app) == ("Resume", "Resume indexing")
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # "Resume", as it says
        assert app.writer.state == W.BUSY and pause_texts(app) == ("Pause", "Pause indexing")
    finally:
        gate.set()
    qtbot.waitUntil(lambda: keyword_names(app, "walruses") == ["walrus.txt"], timeout=SLOW)
    wait_for_writer(qtbot, app, W.WATCHING)


def test_adding_a_folder_asks_what_to_skip_in_the_words_of_adding(qtbot: Any, docs: Path, launch: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after choosing a folder, the dialog says it adds that folder; Cancel adds nothing."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    app = launch()
    monkeypatch.setattr(folders_module, "choose_folder", lambda parent: str(docs))
    seen: list[tuple[str, str]] = []

    def shown(dialog: Any) -> int:
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        seen.append((dialog.windowTitle(), ok.text().replace("&", "")))
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(folders_module.ExclusionsDialog, "exec", shown)
    app.window.add_folder()
    assert seen == [(f"Add {docs.name}", "Add folder")]
    assert not app.window.folders.table.topLevelItemCount()
