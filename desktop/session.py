"""The app's connections to one Cairn home, and the lanes they run on.

Why several `Cairn` objects: one object's APSW connection is shared by everything that
calls it, so a search issued while the writer indexes would queue behind it. The app
therefore opens the same home more than once (WAL lets readers and one writer work at
the same time): a *reader* for searches, status and previews, an *asker* for answers
(a long generation must not hold up searches), and a *writer* owned by
`desktop.writer.WriterService`. Each connection is used by exactly one lane.

Embedders: the reader and the writer load their own copy of the model, so a query
never waits for an indexing batch to leave the writer's embedder; the asker borrows the
reader's. Tests pass one shared embedder instead (`Session(home, embedder=...)`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine import (Cairn, ConfigError, Document, Embedder, FileReader, KeptScan, ModelPool, PagePicture, Paths,
                    Settings, Status, open_reader, quiet_model_logs, resolve_paths)
from desktop.operation import Lane, Operation


class Session(QObject):
    """Opens `Cairn` objects for one home and runs read-side work on their lanes."""

    statusChanged = Signal(object)  # engine.cairn.Status
    settingsChanged = Signal(object)  # engine.config.Settings

    def __init__(self, home: str | os.PathLike[str] | None = None, *, embedder: Embedder | None = None) -> None:
        super().__init__()
        self.home = home
        self.paths: Paths = resolve_paths(home).ensure()
        self._embedder = embedder
        self.models = ModelPool()  # the embedding models, loaded once for the reader, the asker and the writer
        self.read_lane = Lane("read")
        self.ask_lane = Lane("ask")
        self.preview_lane = Lane("preview", threads=2)  # extraction only: no database
        self._reader: Cairn | None = None
        self._asker: Cairn | None = None
        self._reader_process: FileReader | None = None
        self._guard = threading.Lock()
        self._opened = contextlib.ExitStack()  # private copies of attachments opened: removed at close
        self.status: Status | None = None
        self.passphrase: str | None = None  # typed by the person when the index is encrypted; kept in memory only
        self._keyring_checked = False
        self.settings = Settings.load(self.paths)
        # The reader and the writer load their models at the same moment on two threads;
        # llama.cpp's log hook is installed once here first, as a race installing it twice
        # frees a callback llama.cpp is still calling (a crash, seen at start-up).
        quiet_model_logs()

    # ------------------------------------------------------------ connections (worker threads only)

    def open(self, embedder: Embedder | None = None) -> Cairn:
        """A new `Cairn` on this home; the writer service calls this on its own lane."""
        cairn = Cairn(self.home, embedder=embedder or self._embedder, passphrase=self.passphrase, models=self.models)
        if self.passphrase is not None and not self._keyring_checked:
            # If the keyring keeps one, it had fallen behind (or the app would not have asked).
            # Once per typed passphrase; the lanes may race here, writing the same value twice.
            self._keyring_checked = True
            with contextlib.suppress(ConfigError):  # no keyring now: the next launch asks again, as before
                cairn.update_keyring()
        return cairn

    def unlock(self, passphrase: str) -> None:
        """Use this passphrase for the encrypted index from now on (connections that failed open with it)."""
        self.passphrase = passphrase or None
        self._keyring_checked = False

    def reader(self) -> Cairn:
        """The read lane's Cairn, opened on first use (on that lane, never on the UI thread)."""
        with self._guard:
            if self._reader is None:
                self._reader = self.open()
            return self._reader

    def asker(self) -> Cairn:
        with self._guard:
            if self._asker is None:
                self._asker = self.open()  # its models come from the pool the reader loaded them into
            return self._asker

    def open_member(self, path: str) -> Path:
        """A private copy of an attachment to open in its application; kept until the app closes, then removed
        (an application may read it long after it was started)."""
        copy = self.reader().member_copy(path)
        with self._guard:
            return self._opened.enter_context(copy)

    def extract(self, path: Path | str, max_bytes: int, kept: KeptScan | None = None) -> Document:
        """A file's text for the preview, read in the engine's limited reader process, as indexing does;
        a scan's pages from `kept` (Cairn.kept_scan), so OCR reads none of them again."""
        return self._file_reader().read_kept(path, max_bytes, kept)

    def page_picture(self, path: Path, number: int, max_bytes: int) -> PagePicture:
        """Page `number` of a scan (PDF or image) as a picture, drawn in the reader process."""
        return self._file_reader().page_picture(path, number, max_bytes)

    def _file_reader(self) -> FileReader:
        with self._guard:
            if self._reader_process is None:
                self._reader_process = open_reader(self.settings)
            return self._reader_process

    # ------------------------------------------------------------ work

    def read(self, work: Callable[[Cairn, threading.Event], Any], *, name: str = "read") -> Operation:
        """An operation on the reader's lane; start it with `.start(session.read_lane)` via `run_read`."""
        return Operation(lambda cancel: work(self.reader(), cancel), name=name)

    def run_read(self, work: Callable[[Cairn, threading.Event], Any], *, name: str = "read") -> Operation:
        return self.read(work, name=name).start(self.read_lane)

    def ask_operation(self, work: Callable[[Cairn, threading.Event], Any], *, name: str = "ask") -> Operation:
        return Operation(lambda cancel: work(self.asker(), cancel), name=name, droppable=lambda _: False)

    def warm_up(self) -> Operation:
        """Load the reader's embedding model before the first keystroke, so that search is instant."""
        return self.run_read(lambda cairn, _: cairn.embedder and None, name="warm-up")

    def refresh_status(self) -> Operation:
        def done(status: Status) -> None:
            self.status = status
            self.statusChanged.emit(status)

        return self.run_read(lambda cairn, _: cairn.status(), name="status").on_success(done)

    # ------------------------------------------------------------ settings

    def save_settings(self, settings: Settings) -> Operation:
        """Save, then reopen the read-side connections so they see the new model and limits."""

        def work(_: Cairn, __: threading.Event) -> Settings:
            settings.save(self.paths)
            self._close_reader()
            return settings

        def done(saved: Settings) -> None:
            self.settings = saved
            self.settingsChanged.emit(saved)

        # The asker is closed on its own lane, after any answer in progress.
        Operation(lambda _: self._close_asker(), name="reopen-asker").start(self.ask_lane)
        return self.run_read(work, name="save-settings").on_success(done)

    def _close_reader(self) -> None:
        with self._guard:
            old, self._reader = self._reader, None
        if old is not None:
            old.close()

    def _close_asker(self) -> None:
        with self._guard:
            old, self._asker = self._asker, None
        if old is not None:
            old.close()

    def has_ask(self) -> bool:
        """Whether this engine answers questions (`Cairn.ask`); the Ask panel says so when not."""
        return callable(getattr(Cairn, "ask", None))

    # ------------------------------------------------------------ lifetime

    def close(self, seconds: float = 10.0) -> None:
        for lane in (self.read_lane, self.ask_lane, self.preview_lane):
            lane.wait(seconds)
        self._close_reader()
        self._close_asker()
        with self._guard:
            process, self._reader_process = self._reader_process, None
        if process is not None:
            process.close()
        self._opened.close()

    @property
    def data_folder(self) -> Path:
        return self.paths.data
