"""Turn file-system events into the few paths worth re-checking.

Events are only hints: the indexer re-checks each path against the disk and the
index, so a lost, duplicated or out-of-order event costs nothing but a stat.
Each path waits until it has been quiet for `debounce` seconds, which absorbs the
editor save dance (write temp file, rename over the original) and lets a copy of
a thousand files be indexed once per file, not once per write. Ready paths are
handed out together once the whole queue has been quiet, so both halves of a
move between two watched folders (a delete here, a create there) land in one
pass and the move is recognised; during a long burst, paths that have waited
`max_wait` go anyway.

inotify has a per-user watch limit; when a folder cannot be watched because of
it, that folder is polled instead and the fallback is reported. A folder that is
not there (an unplugged drive) is not watched until it is back; `watch` then
returns it as newly watched, so the caller can catch up with what changed on it.

inotify watches a folder, not a path: a watched folder renamed away (it or its
parent) goes on being watched under its new name, its events reported under the
old path, and watchdog passes on no event for the move. So a watch holds the
device and inode of its folder, and both an event and each `watch` call check
that the folder at the path is still that one (a deleted folder says so by its
own event). A watch whose folder is gone or replaced ends; the path is marked
once, so that a pass says the folder is missing or catches up with the new one,
which is watched like a replugged drive.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from engine.indexing.scan import storable

IGNORED_EVENTS = {"opened", "closed_no_write"}
POLL_SECONDS = 5.0


@dataclass(frozen=True)
class WatchProblem:
    folder: str
    message: str


class _Collector(FileSystemEventHandler):
    def __init__(self, sink: "FolderWatcher", folder: str, identity: tuple[int, int]) -> None:
        self.sink = sink
        self.folder = folder
        self.identity = identity  # device and inode of the folder watched: the path may come to name another
        self.ended = False

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self.ended or event.event_type in IGNORED_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's own timestamp: its children's events say what changed
        if not self._still_there(event):
            return
        self.sink.mark(_text(event.src_path))
        if event.event_type == "moved":
            self.sink.mark(_text(event.dest_path))

    def _still_there(self, event: FileSystemEvent) -> bool:
        """Whether the watched folder is still the one at its path; if not, end this watch, once.

        Deleted, renamed away or replaced: its events (a renamed one's, named under the
        old path) no longer say what is at the path. Its pass says the folder is missing,
        or catches up with the one now there. A deleted folder is known by its own event:
        one made at once in its place may get its inode number."""
        deleted = event.is_directory and event.event_type == "deleted" and _text(event.src_path) == self.folder
        if not deleted and _identity(self.folder) == self.identity:
            return True
        self.ended = True
        self.sink.lost(self.folder)
        self.sink.mark(self.folder)
        return False


@dataclass(frozen=True)
class _Watch:
    observer: BaseObserver
    handle: ObservedWatch
    collector: _Collector


def _identity(folder: str) -> tuple[int, int] | None:
    """Device and inode of the folder at this path; None if none is there.

    Through links: a folder moved and replaced by a link to it is still the one watched,
    and its watch reports its events under the path the link gives them."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISDIR(found.st_mode) else None


def _text(path: str | bytes) -> str:
    """The path to re-check: for a name the index cannot store, its folder (whose pass reports the name)."""
    text = os.fsdecode(path)
    while not storable(text):
        text = os.path.dirname(text)
    return text


class FolderWatcher:
    """Watches folders recursively and hands out paths that have gone quiet."""

    def __init__(self, debounce: float = 0.5, max_wait: float = 1.5) -> None:
        self.debounce = debounce
        self.max_wait = max_wait
        self._pending: dict[str, float] = {}  # path -> time of its last event
        self._first: dict[str, float] = {}  # path -> time of its first event since handed out
        self._last_event = 0.0
        self._cond = threading.Condition()
        self._observer: BaseObserver | None = None
        self._poller: BaseObserver | None = None
        self._watched: dict[str, _Watch] = {}
        self._failed: dict[str, str] = {}  # folder -> why it could not be watched, reported once
        self._lost: set[str] = set()  # watched folders gone or replaced since the last `watch`
        self.problems: list[WatchProblem] = []

    def mark(self, path: str) -> None:
        with self._cond:
            now = time.monotonic()
            self._pending[path] = now
            self._first.setdefault(path, now)
            self._last_event = now
            self._cond.notify_all()

    def lost(self, folder: str) -> None:
        with self._cond:
            self._lost.add(folder)

    def watch(self, folders: Iterable[str]) -> list[str]:
        """Watch exactly those of these folders that are there now; return the ones newly watched.

        A watched folder that went away is dropped and watched again when it is back, even
        if it was back before this call: a deleted one said so by its own event, a renamed
        one is found by comparing the folder now at its path with the one watched."""
        with self._cond:  # not held while (un)scheduling: the observer holds its own lock to call `mark`
            lost, self._lost = self._lost, set()
        chosen = set(folders)
        # taken before watching: a folder put in its place meanwhile differs at the next call
        present = {folder: found for folder in chosen if (found := _identity(folder)) is not None}
        for folder, watched in list(self._watched.items()):
            if folder not in lost and present.get(folder) == watched.collector.identity:
                continue
            self._unschedule(folder)
            if folder in chosen and folder not in present and folder not in lost:
                self.mark(folder)  # renamed away or unmounted in silence: a pass says it is missing
        return [folder for folder in sorted(set(present) - set(self._watched))
                if self._schedule(folder, present[folder])]

    def _native(self) -> BaseObserver:
        if self._observer is None:
            observer = Observer()  # opens an inotify instance: may hit the limit itself
            observer.start()
            self._observer = observer
        return self._observer

    def _schedule(self, folder: str, identity: tuple[int, int]) -> bool:
        handler = _Collector(self, folder, identity)
        try:
            observer = self._native()
            self._watched[folder] = _Watch(observer, observer.schedule(handler, folder, recursive=True), handler)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                self._problem(folder, f"cannot watch this folder: {exc.strerror or exc}")
                return False
            self._problem(folder, "the system's limit on file watches is reached (fs.inotify.max_user_watches or "
                          f"max_user_instances); Cairn checks this folder for changes every {POLL_SECONDS:.0f} s "
                          "instead")
            poller = self._polling()
            self._watched[folder] = _Watch(poller, poller.schedule(handler, folder, recursive=True), handler)
            return True
        self._failed.pop(folder, None)
        return True

    def _problem(self, folder: str, message: str) -> None:
        """Report why a folder is not watched (natively) once, not at every retry."""
        if self._failed.get(folder) != message:
            self._failed[folder] = message
            self.problems.append(WatchProblem(folder, message))

    def _polling(self) -> BaseObserver:
        if self._poller is None:
            self._poller = PollingObserver(timeout=POLL_SECONDS)
            self._poller.start()
        return self._poller

    def _unschedule(self, folder: str) -> None:
        watched = self._watched.pop(folder)
        watched.collector.ended = True  # what its observer still has queued would mark a folder handled here
        try:
            watched.observer.unschedule(watched.handle)
        except (KeyError, OSError):
            pass

    @property
    def polled(self) -> list[str]:
        return [f for f, watched in self._watched.items() if watched.observer is self._poller]

    def queued(self) -> int:
        with self._cond:
            return len(self._pending)

    def take(self, timeout: float) -> list[str]:
        """Paths quiet for `debounce` seconds, waiting at most `timeout` for some to be ready."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                ready = [p for p, t in self._pending.items() if now - t >= self.debounce]
                quiet = now - self._last_event >= self.debounce
                overdue = any(now - self._first[p] >= self.max_wait for p in ready)
                if ready and (quiet or overdue):
                    for path in ready:
                        del self._pending[path]
                        del self._first[path]
                    return sorted(ready)
                if now >= deadline:
                    return []
                soonest = min((t + self.debounce for t in self._pending.values()), default=deadline)
                if self._pending:
                    soonest = min(soonest, max(self._last_event + self.debounce,
                                               min(self._first.values()) + self.max_wait))
                self._cond.wait(max(0.01, min(deadline, soonest) - now))

    def stop(self) -> None:
        for observer in (self._observer, self._poller):
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
