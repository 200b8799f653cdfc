"""An encrypted index: the app asks for the passphrase, refuses a wrong one, and works once unlocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from desktop import writer as W
from engine.cairn import Cairn
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW, wait_for_writer

PASSPHRASE = "correct horse battery"


def test_the_app_asks_for_the_passphrase_of_an_encrypted_index(qtbot: Any, indexed: Path, real_embedder: Any,
                                                                 launch: Any, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(indexed, embedder=real_embedder) as cairn:
        cairn.encrypt(PASSPHRASE)
    typed = iter([("not it", True), (PASSPHRASE, True)])
    prompts: list[str] = []

    def get_text(parent: Any, title: str, label: str, *args: Any, **kwargs: Any) -> tuple[str, bool]:
        prompts.append(label)
        return next(typed)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    app = launch(wait_ready=False)
    window = app.window
    qtbot.waitUntil(lambda: len(prompts) == 2, timeout=SLOW)  # asked at start, and again after the wrong one
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: app.session.status is not None)
    assert app.session.status.files == len(DOCS) and not window.banner.isVisible()
    window.search.query.setText("planet warming greenhouse gases")
    qtbot.waitUntil(lambda: bool(window.search.model.results), timeout=SLOW)
    assert Path(window.search.model.results[0].path).name == "climate-report.txt"


def test_cancel_leaves_the_app_locked_with_a_way_to_unlock(qtbot: Any, indexed: Path, real_embedder: Any,
                                                           launch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(indexed, embedder=real_embedder) as cairn:
        cairn.encrypt(PASSPHRASE)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    app = launch(wait_ready=False)
    window = app.window
    wait_for_writer(qtbot, app, W.LOCKED)
    qtbot.wait(200)
    assert window.banner.isVisible() and window.banner.action.text().replace("&", "") == "Unlock…"
    assert "Locked" in window.state_label.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSPHRASE, True))
    window.banner.action.click()
    wait_for_writer(qtbot, app, W.WATCHING)
    assert not window.banner.isVisible()


def test_unlocking_repairs_a_stale_keyring(qtbot: Any, indexed: Path, real_embedder: Any, launch: Any,
                                           memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring fell behind the index (a passphrase change killed before it was updated): the person
    types the right one once, and the next launch opens without asking."""
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(indexed, embedder=real_embedder) as cairn:
        cairn.encrypt(PASSPHRASE, keep_in_keyring=True)
    [entry] = memory_keyring.passwords
    memory_keyring.passwords[entry] = "an older passphrase"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSPHRASE, True))
    app = launch(wait_ready=False)
    wait_for_writer(qtbot, app, W.WATCHING)
    assert memory_keyring.passwords[entry] == PASSPHRASE
