"""Settings: model files are checked before they are accepted; a new embedding model re-embeds after asking."""

from __future__ import annotations

import errno
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop import writer as W
from desktop.prefs import Prefs
from desktop.settings import SettingsDialog
from engine.cairn import Cairn
from engine.config import Settings
from engine.embed import bundled_model_path
from engine.runtime.gguf import model_fingerprint
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW, wait_for_writer
from tests.fakes import FakeEmbedder


def ok_button(dialog: SettingsDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_a_bad_model_file_is_refused_with_the_reason(qtbot: Any, tmp_path: Path, launch: Any) -> None:
    app = launch()
    dialog = SettingsDialog(app.session, app.window.prefs, app.window)
    qtbot.addWidget(dialog)
    bad = tmp_path / "notes.gguf"
    bad.write_text("these are my notes, not a model")
    dialog.embedding.path.setText(str(bad))
    dialog.check("embedding")
    assert not ok_button(dialog).isEnabled()  # nothing is accepted while the file is being checked
    qtbot.waitUntil(lambda: not dialog.checking, timeout=SLOW)
    assert dialog.embedding.verdict.text().startswith("✗") and "GGUF" in dialog.embedding.verdict.text()
    assert not ok_button(dialog).isEnabled()
    dialog.chat.path.setText(str(bad))
    dialog.check("chat")
    qtbot.waitUntil(lambda: not dialog.checking, timeout=SLOW)
    assert dialog.chat.verdict.text().startswith("✗")
    dialog.chat.reset.click()
    dialog.embedding.reset.click()  # back to the bundled model: loaded and accepted
    qtbot.waitUntil(lambda: not dialog.checking, timeout=SLOW)
    assert dialog.embedding.verdict.text().startswith("✓ all-MiniLM-L6-v2")
    assert ok_button(dialog).isEnabled()


def test_a_new_embedding_model_asks_then_reembeds_with_progress(qtbot: Any, tmp_path: Path, cairn_home: Path,
                                                                 real_embedder: Any, launch: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "few"
    docs.mkdir()
    for name in ("sourdough.txt", "tax-return.txt", "volcano.txt"):
        (docs / name).write_text(DOCS[name])
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
    other = tmp_path / "models" / "minilm-copy.gguf"  # another file: another fingerprint, so new vectors
    other.parent.mkdir()
    shutil.copy(bundled_model_path(), other)

    app = launch(shared=False)  # models come from the settings, as in the real app
    wait_for_writer(qtbot, app, W.WATCHING)
    dialog = SettingsDialog(app.session, app.window.prefs, app.window)
    qtbot.addWidget(dialog)
    dialog.embedding.path.setText(str(other))
    dialog.check("embedding")
    qtbot.waitUntil(lambda: not dialog.checking and dialog.index_chunks is not None, timeout=SLOW)
    asked: list[str] = []

    def agree(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", agree)
    ok_button(dialog).click()
    assert asked and "3 passages" in asked[0]
    assert dialog.needs_reindex and dialog.result() == SettingsDialog.DialogCode.Accepted

    states: list[str] = []
    progress: list[Any] = []
    app.writer.stateChanged.connect(lambda state, _: states.append(state))
    app.writer.progressed.connect(progress.append)
    app.window.apply_settings(dialog.settings(), dialog.prefs, dialog.needs_reindex)
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: W.REINDEXING in states)
    assert any(p.files_total == 3 for p in progress)
    assert Settings.load(app.session.paths).embedding_model == str(other)
    with Cairn(cairn_home, embedder=FakeEmbedder()) as check:
        assert check.store.get_meta("model_id") == model_fingerprint(other)
    app.window.search.query.setText("baking bread at home")
    qtbot.waitUntil(lambda: bool(app.window.search.model.results), timeout=SLOW)
    assert Path(app.window.search.model.results[0].path).name == "sourdough.txt"


def test_a_settings_save_that_fails_says_so_and_changes_nothing(qtbot: Any, indexed: Path, launch: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = launch()
    window = app.window
    wait_for_writer(qtbot, app, W.WATCHING)
    before = app.session.settings

    def full_disk(self: Settings, paths: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Settings, "save", full_disk)
    states: list[str] = []
    app.writer.stateChanged.connect(lambda state, _: states.append(state))
    window.apply_settings(replace(before, threads=3), window.prefs, reindex=True)  # the person agreed to re-embed
    qtbot.waitUntil(lambda: "Settings not saved" in window.statusBar().currentMessage(), timeout=SLOW)
    assert "No space left on device" in window.statusBar().currentMessage()
    qtbot.wait(500)
    assert app.session.settings == before and Settings.load(app.session.paths) == before
    assert W.REINDEXING not in states  # nothing re-embedded with settings that were not kept


def test_window_preferences_that_cannot_be_saved_say_so(qtbot: Any, launch: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = launch()
    window = app.window

    def read_only(self: Prefs, paths: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Prefs, "save", read_only)
    window.apply_settings(app.session.settings, Prefs(keep_in_tray=False), reindex=False)
    assert "Window preferences not saved" in window.statusBar().currentMessage()
    assert window.prefs.keep_in_tray is False  # still used until Cairn closes, as the message says


@pytest.mark.parametrize("settings, said", [
    ('{"threads": "many"}', "threads must be a whole number"),
    ("{not json", "Cannot read settings file"),
])
def test_settings_the_app_cannot_use_are_said_in_a_window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         settings: str, said: str) -> None:
    """Started from the desktop's menu there is no terminal: a traceback there is a window that never opens."""
    from desktop.app import main
    from engine.config import resolve_paths

    paths = resolve_paths(tmp_path / "home").ensure()
    paths.settings_file.write_text(settings)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: shown.append(text))
    assert main(["--home", str(tmp_path / "home")]) == 1
    assert len(shown) == 1 and said in shown[0] and str(paths.settings_file) in shown[0]


def test_an_english_index_of_german_files_is_offered_the_multilingual_model(
        qtbot: Any, tmp_path: Path, cairn_home: Path, real_embedder: Any, launch: Any) -> None:
    from tests.engine.test_model_switch import FILES, QUESTION

    docs = tmp_path / "german"
    docs.mkdir()
    with Cairn(cairn_home, embedder=real_embedder) as cairn:  # English locale (tests/conftest.py): MiniLM
        cairn.add_folder(docs)
        for name, text in FILES.items():
            (docs / name).write_text(text, encoding="utf-8")
        for _ in cairn.index():
            pass
    app = launch(shared=False)  # models come from the settings, as in the real app
    wait_for_writer(qtbot, app, W.WATCHING)
    window = app.window
    window.session.refresh_status()
    qtbot.waitUntil(lambda: window.banner.isVisible() and "not in English" in window.banner.text.text(),
                    timeout=SLOW)

    dialog = SettingsDialog(app.session, window.prefs, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.index_choice is not None, timeout=SLOW)
    assert "Now: English" in dialog.choice_note.text() and "not in English" in dialog.choice_note.text()
    dialog.languages.setCurrentIndex(dialog.languages.findData("multilingual"))
    qtbot.waitUntil(lambda: not dialog.checking, timeout=SLOW)
    assert dialog.embedding.verdict.text().startswith("✓ multilingual-e5-small")
    assert dialog.settings().embedding_model == "multilingual"
    dialog.reject()

    states: list[str] = []
    app.writer.stateChanged.connect(lambda state, _: states.append(state))
    window.banner.action.click()  # "Switch and re-embed"
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: W.REINDEXING in states)
    assert Settings.load(app.session.paths).embedding_model == "multilingual"
    window.search.query.setText(QUESTION)
    qtbot.waitUntil(lambda: bool(window.search.model.results)
                    and Path(window.search.model.results[0].path).name == "arztbrief.txt", timeout=SLOW)
