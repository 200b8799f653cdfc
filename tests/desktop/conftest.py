"""Desktop fixtures: the real app, offscreen, on a real index built from files the test writes.

`launch` builds the same app `cairn-desktop` runs (desktop.app.build) for the test's own
Cairn home, with the session's real embedding model, starts it (watcher included) and
shuts it down cleanly afterwards, so no worker thread outlives its test.
"""

from __future__ import annotations

import faulthandler
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from pytestqt.exceptions import TimeoutError  # noqa: E402

from engine.cairn import Cairn  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402

SLOW = 90_000  # ms: indexing with the real model on a busy 2-core machine


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs")


@pytest.fixture
def indexed(cairn_home: Path, docs: Path, real_embedder: Any) -> Path:
    """A home whose index already holds the corpus (built through the engine, as `cairn index` would)."""
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
    return cairn_home


@pytest.fixture
def launch(qtbot: Any, cairn_home: Path, real_embedder: Any) -> Iterator[Callable[..., Any]]:
    """launch(embedder=None, shared=True) -> desktop.app.App, started and shown.

    With `shared=False` the app loads the models its settings name, as `cairn-desktop` does."""
    from desktop.app import build

    apps: list[Any] = []

    def start(embedder: Any = None, *, shared: bool = True, wait_ready: bool = True) -> Any:
        chosen = (embedder or real_embedder) if shared else None
        app = build(cairn_home, embedder=chosen, tray=False, retry_seconds=0.5, debounce=0.2)
        apps.append(app)
        qtbot.addWidget(app.window)
        app.start()
        if wait_ready:
            qtbot.waitUntil(lambda: app.session.status is not None, timeout=SLOW)
        return app

    yield start
    stopped = [app.shutdown() for app in apps]
    # A worker left running here once hung a whole CI run at interpreter exit.
    if not all(stopped):
        faulthandler.dump_traceback(sys.__stderr__, all_threads=True)  # where the lane is stuck
    assert all(stopped), "the app's writer was still busy after shutdown (thread stacks on stderr)"


def wait_for_writer(qtbot: Any, app: Any, state: str, timeout: int = SLOW,
                    also: Callable[[], bool] = lambda: True) -> None:
    """Wait until the app's writer is in `state` (and `also` holds); a timeout says which state it is in, and why."""
    try:
        qtbot.waitUntil(lambda: app.writer.state == state and also(), timeout=timeout)
    except TimeoutError:
        raise AssertionError(f"the writer is {app.writer.state!r} ({app.writer.message!r}), wanted {state!r}"
                             f"{'' if also() else ' and a condition that does not hold'}, "
                             f"after {timeout / 1000:.0f} s") from None
