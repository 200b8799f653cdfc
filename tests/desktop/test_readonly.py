"""The app and `cairn` commands on one index: whoever does not hold the writer lock reads, and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop import writer as W
from engine.config import resolve_paths
from engine.runtime.lock import WriterLock
from tests.desktop.conftest import SLOW, wait_for_writer


def test_read_only_banner_and_search_still_works(qtbot: Any, indexed: Path, launch: Any) -> None:
    other = WriterLock(resolve_paths(indexed).lock_file).acquire()  # as `cairn watch` in a terminal would
    try:
        app = launch()
        window = app.window
        wait_for_writer(qtbot, app, W.READ_ONLY)
        assert window.banner.isVisible()
        assert "read-only" in window.banner.text.text()
        assert not window.folders.pause_button.isEnabled()
        window.search.query.setText("planet warming greenhouse gases")
        qtbot.waitUntil(lambda: bool(window.search.model.results), timeout=SLOW)
        assert Path(window.search.model.results[0].path).name == "climate-report.txt"
    finally:
        other.release()
    wait_for_writer(qtbot, app, W.WATCHING)  # retried by itself
    assert not window.banner.isVisible()


def poll(qtbot: Any, action: Callable[[], object], condition: Callable[[], bool], every_ms: int = 500) -> None:
    """Repeat `action` (a refresh, a search) until `condition` holds, as a person pressing F5 would."""
    deadline = time.monotonic() + SLOW / 1000
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        action()
        qtbot.wait(every_ms)


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=env, text=True, capture_output=True,
                          timeout=SLOW / 1000)


def test_the_app_and_a_cairn_command_share_one_index(qtbot: Any, indexed: Path, docs: Path, launch: Any) -> None:
    app = launch()
    window = app.window
    wait_for_writer(qtbot, app, W.WATCHING)

    # the app writes (its watcher holds the lock): the command line still searches, and refuses to index
    found = json.loads(cli("search", "planet warming greenhouse gases", "--json", home=indexed).stdout)
    assert Path(found[0]["path"]).name == "climate-report.txt"
    refused = cli("index", home=indexed)
    assert refused.returncode != 0 and "read-only" in refused.stderr + refused.stdout

    # `cairn watch` in a terminal takes the writer role while the app is paused ...
    qtbot.mouseClick(window.folders.pause_button, Qt.MouseButton.LeftButton)
    wait_for_writer(qtbot, app, W.PAUSED)
    env = {**os.environ, "CAIRN_HOME": str(indexed)}
    terminal = subprocess.Popen([sys.executable, "-m", "engine.cli", "watch", "--debounce", "0.2"], env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        poll(qtbot, app.session.refresh_status, lambda: bool(
            app.session.status and app.session.status.watcher
            and app.session.status.watcher.get("pid") == terminal.pid
            and app.session.status.watcher.get("state") == "watching"))
        # ... so the app, resumed, is read-only and says so, and everything it shows stays live
        qtbot.mouseClick(window.folders.pause_button, Qt.MouseButton.LeftButton)
        wait_for_writer(qtbot, app, W.READ_ONLY)
        assert window.banner.isVisible() and str(terminal.pid) in window.banner.text.text()
        (docs / "walrus.txt").write_text("Walruses haul themselves onto the ice with their long tusks.")
        window.search.query.setText("big arctic sea mammal with tusks")
        poll(qtbot, window.search.search_now, lambda: bool(window.search.model.results) and Path(
            window.search.model.results[0].path).name == "walrus.txt")  # indexed by the terminal, found by the app
    finally:
        terminal.send_signal(signal.SIGINT)
        out, err = terminal.communicate(timeout=60)
    assert terminal.returncode == 0 and "Stopped watching." in out, err
    wait_for_writer(qtbot, app, W.WATCHING)  # the app took over by itself
    assert not window.banner.isVisible()


def test_an_index_that_cannot_be_written_is_searched_and_the_app_says_why(qtbot: Any, indexed: Path, launch: Any,
                                                                          monkeypatch: Any) -> None:
    """A backup on a read-only mount: nothing to wait for, so not "another Cairn is indexing", and no error.

    The mount itself is exercised by tests/cli/test_read_only_home.py; here the home reports itself
    unwritable, as os.access does on such a mount, and the real engine refuses every write."""
    from engine.config import Paths

    monkeypatch.setattr(Paths, "read_only", property(lambda self: True))
    app = launch()
    window = app.window
    wait_for_writer(qtbot, app, W.READ_ONLY)
    text = window.banner.text.text()
    assert "is read-only" in text and "another" not in text and "takes over" not in text
    window.search.query.setText("planet warming greenhouse gases")
    qtbot.waitUntil(lambda: bool(window.search.model.results), timeout=SLOW)
    assert Path(window.search.model.results[0].path).name == "climate-report.txt"
