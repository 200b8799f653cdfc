"""The app's single writer: keeps the index live while Cairn is open, and runs every write.

Why one service: Cairn allows one writing process per home (engine.runtime.lock) and one
connection must not run two statements at once. So every write — the watcher's passes,
adding or removing a folder, editing its exclusions, re-embedding — goes through one
lane with its own `Cairn`, one job at a time. The watcher (`Cairn.watch`) is the lane's
normal job; any other write first stops it (through its stop Event), runs, and then
starts it again. Starting the watcher always begins with a full sync pass, which costs a
stat per unchanged file, so "resume" and "index the folder just added" are the same
thing: run the watcher again.

Pause is the watcher stopped by the person; resume starts it again, and the engine
skips files that are already done. A pause shows at once ("Pausing…", every Pause
button now saying Resume, so a second press resumes). During another write it takes
effect when that write ends (adding a folder takes a moment), except that a re-embed,
which can take hours, stops after the batch it is embedding: it has already marked
every file for re-embedding, so the first pass after resume carries on with the rest.

When another process (`cairn watch` in a terminal) holds the writer lock, the engine
raises `IndexLockedError`: the service goes read-only — searches keep working through
the session's reader — and tries again every `retry_seconds`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from engine import (Cairn, IndexLockedError, IndexProgress, IndexReadOnly, IndexReport, ModelMismatchError,
                   PassphraseRequired, WatchUpdate, WrongPassphrase)
from desktop.operation import Lane, Operation, describe
from desktop.session import Session

# States, as shown to the person by the folders panel, the status bar and the tray.
IDLE, STARTING, INDEXING, WATCHING, PAUSING, PAUSED, READ_ONLY, REINDEXING, BUSY, ERROR, LOCKED = (
    "idle", "starting", "indexing", "watching", "pausing", "paused", "read-only", "reindexing", "busy", "error",
    "locked")  # locked: the index is encrypted and the passphrase is missing or wrong


REEMBED_PAUSED = ("Paused. Re-embedding continues when you resume; until then, searches find only the files "
                  "already re-embedded.")

log = logging.getLogger("cairn.desktop")


class WriterService(QObject):
    stateChanged = Signal(str, str)  # state, message for a person ("" when none)
    progressed = Signal(object)  # engine.indexing.indexer.IndexProgress
    synced = Signal(object)  # engine.indexing.indexer.IndexReport
    problem = Signal(str)  # a watcher problem (e.g. a folder that cannot be watched)
    foldersChanged = Signal()  # a folder was added or removed, or its exclusions changed

    def __init__(self, session: Session, *, retry_seconds: float = 15.0, debounce: float = 0.5) -> None:
        super().__init__()
        self.session = session
        self.lane = Lane("write")
        self.debounce = debounce
        self.state = IDLE
        self.message = ""
        self._shown = (IDLE, "", False)  # (state, message, paused) as last told to the UI
        self.last_progress: IndexProgress | None = None
        self._cairn: Cairn | None = None  # used only on the lane
        self._watch: Operation | None = None
        self._exclusive = 0  # writes queued or running that are not the watcher
        self._ops: set[Operation] = set()  # everything started on the lane and not yet done
        self._paused = False
        self._write_state = BUSY  # the state of the write running, to return to when resumed while pausing
        self._stoppable: set[Operation] = set()  # writes a pause stops midway (a re-embed)
        self._pause_note = ""  # what a pause left undone, shown with the paused state
        self._closing = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(int(retry_seconds * 1000))
        self._retry.timeout.connect(self.start)

    # ------------------------------------------------------------ state

    def _set_state(self, state: str, message: str = "") -> None:
        """Tell the UI about every change it shows: the state, its message, and Pause or Resume."""
        if (state, message, self._paused) != self._shown:
            self.state, self.message, self._shown = state, message, (state, message, self._paused)
            self.stateChanged.emit(state, message)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def read_only(self) -> bool:
        return self.state == READ_ONLY

    def _writer(self) -> Cairn:
        """The lane's own Cairn, opened on the lane the first time it is needed."""
        if self._cairn is None:
            self._cairn = self.session.open()
        return self._cairn

    # ------------------------------------------------------------ the watcher

    def start(self) -> None:
        """Sync every folder, then follow changes; a no-op while paused or already running."""
        if self._closing or self._paused or self._exclusive or (self._watch and not self._watch.finished):
            return
        self._retry.stop()
        self._set_state(STARTING)
        op = Operation(lambda stop: self._writer().watch(stop, self.debounce), name="watch",
                       droppable=lambda u: isinstance(u, WatchUpdate) and u.kind == "progress")
        op.on_progress(self._on_update).on_failure(self._on_watch_failed).on_done(lambda: self._watch_ended(op))
        self._watch = self._run(op)

    def pause(self) -> None:
        """Stop indexing; shown at once ("Pausing…"), so that the next press of the same button resumes."""
        self._paused = True
        for op in self._stoppable:
            op.interrupt()
            self._pause_note = REEMBED_PAUSED
        if self._exclusive or (self._watch and not self._watch.finished):
            self._stop_watch()
            self._set_state(PAUSING)  # PAUSED once the watcher or the write has stopped
        else:
            self._set_paused()

    def resume(self) -> None:
        self._paused = False
        self._pause_note = ""
        if self._exclusive:
            self._set_state(self._write_state)  # a write goes on; the watcher starts after it
        elif self.state == PAUSING:
            self._set_state(STARTING)  # the watcher starts again once it has stopped
        self.start()
        self._set_state(self.state, self.message)  # offer Pause again, whatever the state

    def _set_paused(self) -> None:
        self._set_state(PAUSED, self._pause_note)

    def _stop_watch(self) -> None:
        if self._watch and not self._watch.finished:
            self._watch.cancel()

    def _on_update(self, update: WatchUpdate) -> None:
        if update.kind == "progress" and update.progress is not None:
            self.last_progress = update.progress
            self._set_state(INDEXING)
            self.progressed.emit(update.progress)
        elif update.kind == "synced" and update.report is not None:
            self.last_progress = None
            self._set_state(WATCHING)
            self.synced.emit(update.report)
        elif update.kind == "ready":
            self._set_state(WATCHING)
        elif update.kind == "problem" and update.message:
            self.problem.emit(update.message)

    def _on_watch_failed(self, exc: BaseException) -> None:
        # Over, though its "done" may still be on its way: a start() from now on (Unlock, Try again) must run.
        self._watch = None
        if isinstance(exc, IndexLockedError):
            self._set_state(READ_ONLY, f"{exc} New files are indexed by that process; Cairn takes over when it stops.")
            self._retry.start()
        elif isinstance(exc, IndexReadOnly):  # a read-only mount: nothing to wait for, searching works
            self._set_state(READ_ONLY, str(exc))
        elif isinstance(exc, (PassphraseRequired, WrongPassphrase)):
            self._set_state(LOCKED, str(exc))
        elif isinstance(exc, ModelMismatchError):
            self._set_state(ERROR, str(exc))
        else:
            self._set_state(ERROR, describe(exc))

    def _watch_ended(self, op: Operation) -> None:
        if op is not self._watch:
            return
        self._watch = None
        if self._exclusive or self._closing:
            return  # a write is queued behind the watcher; it restarts the watcher when done
        if self._paused:
            self._set_paused()
        elif op.cancelled:
            self.start()  # resumed while it was still stopping
        elif self.state in (STARTING, INDEXING, WATCHING):
            self._set_state(IDLE)  # the watcher ended by itself

    # ------------------------------------------------------------ other writes

    def exclusive(self, work: Callable[[Cairn, threading.Event], Any], *, name: str, state: str = BUSY,
                  droppable: Callable[[Any], bool] | None = None) -> Operation:
        """Run `work` on the writer's Cairn with the watcher stopped; the watcher restarts after it."""
        self._exclusive += 1
        self._retry.stop()
        self._stop_watch()
        self._write_state = state
        self._set_state(state)
        op = Operation(lambda cancel: work(self._writer(), cancel), name=name, droppable=droppable)
        op.on_done(self._exclusive_done)
        return self._run(op)

    def _run(self, op: Operation) -> Operation:
        self._ops.add(op)
        op.on_done(lambda: self._ops.discard(op))
        return op.start(self.lane)

    def _exclusive_done(self) -> None:
        self._exclusive -= 1
        if self._exclusive or self._closing:
            return
        if self._paused:
            self._set_paused()
        else:
            self.start()

    def add_folder(self, path: str, excludes: tuple[str, ...] = ()) -> Operation:
        op = self.exclusive(lambda cairn, _: cairn.add_folder(path, excludes), name="add-folder")
        return op.on_success(lambda _: self.foldersChanged.emit())

    def set_excludes(self, path: str, excludes: tuple[str, ...]) -> Operation:
        """The engine keeps a folder's exclusions with it; adding it again replaces them."""
        return self.add_folder(path, excludes)

    def remove_folder(self, path: str) -> Operation:
        op = self.exclusive(lambda cairn, _: cairn.remove_folder(path), name="remove-folder")
        return op.on_success(lambda _: self.foldersChanged.emit())

    def reindex(self) -> Operation:
        """Re-embed everything with the configured model (after the person agreed to it)."""
        def work(cairn: Cairn, cancel: threading.Event) -> Any:
            self._reopen_writer()  # the model may have just changed in the settings
            return self._writer().reindex(cancel)

        op = self.exclusive(work, name="reindex", state=REINDEXING)
        self._stoppable.add(op)
        op.on_progress(self._on_reindex_progress).on_success(self._on_reindexed)
        op.on_failure(self._on_watch_failed).on_done(lambda: self._stoppable.discard(op))
        return op

    def _on_reindex_progress(self, progress: IndexProgress) -> None:
        self.last_progress = progress
        self.progressed.emit(progress)

    def _on_reindexed(self, report: IndexReport) -> None:
        self.last_progress = None
        self._pause_note = ""  # it finished before the pause reached it
        self.synced.emit(report)

    def reload(self) -> Operation:
        """Reopen the writer's Cairn so that changed settings (model, threads, limits) apply."""
        return self.exclusive(lambda _, __: self._reopen_writer(), name="reload")

    def _reopen_writer(self) -> None:
        old, self._cairn = self._cairn, None
        if old is not None:
            old.close()

    # ------------------------------------------------------------ lifetime

    def shutdown(self, seconds: float = 15.0) -> bool:
        """Stop everything on the lane and wait for it, so the lock and the database close cleanly.

        A write still running (a re-index) is cancelled too and stops at its next check; the
        engine leaves the index consistent at every file. False if the lane was still busy after
        `seconds`; its Cairn is then left open rather than closed under the running job."""
        self._closing = True
        self._retry.stop()
        for op in list(self._ops):
            op.cancel()
        if not self.lane.wait(seconds):
            log.warning("writer still busy %.0f s after shutdown: %s", seconds,
                        ", ".join(sorted(op.name for op in self._ops)))
            return False
        self._reopen_writer()
        return True
