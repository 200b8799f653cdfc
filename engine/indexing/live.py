"""Indexing as files change: the watcher's events become index passes, reported as `WatchUpdate`s.

`cairn watch` and the app's writer both run this; it also records in the index what the
watcher is doing (so that `cairn status` in another terminal can say so).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

from engine.errors import Cancelled
from engine.indexing.indexer import IndexProgress, IndexReport
from engine.indexing.watcher import FolderWatcher
from engine.progress import relay
from engine.store import Store

FOLDER_REFRESH_SECONDS = 5.0  # how soon a watcher notices a folder added by another client, replugged or renamed

IndexPass = Callable[[threading.Event, Sequence[str] | None], Generator[IndexProgress, None, IndexReport]]


@dataclass(frozen=True)
class WatchUpdate:
    """What `Cairn.watch` reports: a pass's progress, a finished pass, or a problem."""

    kind: str  # "progress", "synced", "ready", "problem"
    progress: IndexProgress | None = None
    report: IndexReport | None = None
    message: str | None = None


def follow_folders(store: Store, index: IndexPass, stop: threading.Event, debounce: float = 0.5
                   ) -> Generator[WatchUpdate, None, None]:
    """Reconcile what changed while nothing watched, then follow changes until `stop` is set.

    The caller holds the writer lock; `index` is its index pass (`Cairn.index`)."""
    watcher = FolderWatcher(debounce)
    try:
        # watching starts before the first pass, so what changes during it is caught after it
        watcher.watch(f.path for f in store.folders())
        yield from _pass(store, index, stop, None)
        yield from _follow(store, index, watcher, stop)
    except Cancelled:
        return
    finally:
        watcher.stop()
        store.save_watch_state(None)


def _follow(store: Store, index: IndexPass, watcher: FolderWatcher, stop: threading.Event
            ) -> Generator[WatchUpdate, None, None]:
    reported = 0
    next_refresh = 0.0
    ready = False
    while not stop.is_set():
        if time.monotonic() >= next_refresh:  # folders added or removed by another client, drives replugged
            folders = [f.path for f in store.folders()]
            new = watcher.watch(folders)
            next_refresh = time.monotonic() + FOLDER_REFRESH_SECONDS
            for problem in watcher.problems[reported:]:
                yield WatchUpdate("problem", message=f"{problem.folder}: {problem.message}")
            reported = len(watcher.problems)
            if not ready:
                ready = True
                store.save_watch_state({"pid": os.getpid(), "state": "watching", "queued": 0})
                yield WatchUpdate("ready", message=f"Watching {len(folders)} folder{'' if len(folders) == 1 else 's'}.")
            if new:  # its files as they are now: nothing was watching it until this moment
                yield from _pass(store, index, stop, new)
        scopes = watcher.take(timeout=1.0)
        if scopes:
            yield from _pass(store, index, stop, scopes, queued=len(scopes) + watcher.queued())


def _pass(store: Store, index: IndexPass, stop: threading.Event, scopes: Sequence[str] | None, queued: int = 0
          ) -> Generator[WatchUpdate, None, None]:
    store.save_watch_state({"pid": os.getpid(), "state": "indexing", "queued": queued})
    report = yield from relay(index(stop, scopes), lambda progress: WatchUpdate("progress", progress=progress))
    last_error = store.latest_error() if report.failed else None
    store.save_watch_state({"pid": os.getpid(), "state": "watching", "queued": 0,
                            "last_error": last_error, "last_sync": time.time()})
    yield WatchUpdate("synced", report=report)
