"""Folders and indexing: what Cairn reads, how far it has got, and pause/resume.

Why the panel only talks to the writer service and the session: adding, removing and
re-excluding are writes, so they go through the one writer (which stops the watcher,
writes, and starts it again: the new folder is indexed by that restart); counts come
from `Cairn.status()` on the reader lane. Progress is the engine's `IndexProgress`
as the writer relays it, shown as files done and left, passages per second, time left
and the file being read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from engine import FolderStatus, IndexProgress, Status
from desktop import files, qt_settings
from desktop import writer as W
from desktop.operation import describe
from desktop.session import Session
from desktop.writer import WriterService


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "estimating time left"
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60:02d} min left"


def scans_text(p: IndexProgress) -> str:
    """The OCR tail: scans are read after every other file, a page at 1-3 s."""
    if not p.scans_left:
        return ""
    rate = f", {p.ocr_seconds_per_page:.1f} s a page" if p.ocr_seconds_per_page else ""
    when = f", {duration(p.scans_eta_seconds)}" if p.scans_eta_seconds is not None else ""
    return f" · {p.scans_left} scan{'s' if p.scans_left != 1 else ''} left to read{rate}{when}"


def progress_lines(p: IndexProgress) -> tuple[str, str]:
    """(summary, current file) for one progress report, in words a person reads at a glance."""
    if p.phase == "scanning":
        return "Looking for new and changed files…", ""
    if p.phase == "re-embedding":  # a model switch: files_* count passages
        return (f"Re-embedding with {p.current}: {p.files_done:,} of {p.files_total:,} passages · "
                f"{p.chunks_per_second:.0f} passages/s · {duration(p.eta_seconds)}"), \
            "Search uses the current model until every passage is done."
    left = max(0, p.files_total - p.files_done)
    summary = (f"{p.files_done} of {p.files_total} files done · {left} left · "
               f"{p.chunks_per_second:.0f} passages/s · {duration(p.eta_seconds)}")
    if p.errors:
        summary += f" · {p.errors} could not be read"
    summary += scans_text(p)
    return summary, (f"Reading {files.display(p.current)}" if p.current else "")


STATE_TEXT = {
    W.IDLE: "Not watching.",
    W.STARTING: "Checking your folders…",
    W.LOCKED: "Locked: the index is encrypted. Unlock it with its passphrase to index.",
    W.WATCHING: "Up to date. Watching your folders for changes.",
    W.INDEXING: "Indexing…",
    W.PAUSING: "Pausing…",
    W.PAUSED: "Paused. New and changed files are indexed when you resume.",
    W.REINDEXING: "Re-embedding every passage with the new model (search uses the old one until it is done)…",
    W.BUSY: "Updating…",
}


class ExclusionsDialog(QDialog):
    """Extra patterns to skip in one folder, one per line (on top of the defaults in Settings)."""

    def __init__(self, folder: str, current: tuple[str, ...], defaults: list[str], parent: QWidget | None = None,
                 *, adding: bool = False) -> None:
        super().__init__(parent)
        # Right after choosing a folder, a bare "Exclusions" box asks a question the person did not ask.
        self.setWindowTitle(f"Add {Path(folder).name or folder}" if adding else "Exclusions")
        lead = (f"Cairn will index the files in <b>{_escape(folder)}</b>. Anything to skip? (optional) "
                if adding else f"Files and folders in <b>{_escape(folder)}</b> to skip, ")
        intro = QLabel(lead + "One pattern per line, for example <tt>Archive</tt>, <tt>*.log</tt> or <tt>drafts/*</tt>.")
        intro.setWordWrap(True)
        self.edit = QPlainTextEdit("\n".join(current))
        self.edit.setAccessibleName("Patterns to skip")
        self.edit.setTabChangesFocus(True)
        shown = ", ".join(defaults[:8]) + (", …" if len(defaults) > 8 else "")
        note = QLabel(f"Always skipped (change in Settings): {_escape(shown)}")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        if adding:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add folder")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.edit)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def patterns(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.edit.toPlainText().splitlines() if line.strip())

    @classmethod
    def ask(cls, parent: QWidget | None, folder: str, current: tuple[str, ...], defaults: list[str], *,
            adding: bool = False) -> tuple[str, ...] | None:
        dialog = cls(folder, current, defaults, parent, adding=adding)
        return dialog.patterns() if dialog.exec() == QDialog.DialogCode.Accepted else None


def choose_folder(parent: QWidget | None) -> str | None:
    path = QFileDialog.getExistingDirectory(parent, "Add a folder to Cairn", str(Path.home()))
    qt_settings.forget_visited_folders()
    return path or None


class FoldersPanel(QWidget):
    progressShown = Signal(str, str)  # the summary and current-file lines just put on screen
    actionFailed = Signal(str)

    def __init__(self, session: Session, writer: WriterService) -> None:
        super().__init__()
        self.session = session
        self.writer = writer
        self.status: Status | None = None

        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Folder", "Files", "Passages", "Problems", ""])
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName("Indexed folders")
        self.table.setUniformRowHeights(True)
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton("&Add folder…")
        self.excludes_button = QPushButton("&Exclusions…")
        self.remove_button = QPushButton("&Remove…")
        self.pause_button = QPushButton("Pa&use")
        self.pause_button.setToolTip("Stop indexing and watching for now; resume picks up where it stopped")

        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Indexing state")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Indexing progress")
        self.bar.setTextVisible(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.current = QLabel()
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.current.setMinimumWidth(1)  # long paths are elided, never widen the window
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.excludes_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.pause_button)
        progress = QGroupBox("Progress")
        box = QVBoxLayout(progress)
        box.addWidget(self.state)
        box.addWidget(self.bar)
        box.addWidget(self.summary)
        box.addWidget(self.current)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(progress)

        self.add_button.clicked.connect(self.add_folder)
        self.excludes_button.clicked.connect(self.edit_exclusions)
        self.remove_button.clicked.connect(self.remove_folder)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        writer.stateChanged.connect(self._state_changed)
        writer.progressed.connect(self.show_progress)
        session.statusChanged.connect(self.set_status)
        self._state_changed(writer.state, writer.message)
        self._selection_changed()

    # ------------------------------------------------------------ folders

    def set_status(self, status: Status) -> None:
        self.status = status
        chosen = self.selected_folder()
        self.table.clear()
        for folder in status.folders:
            item = QTreeWidgetItem([files.display(folder.path), str(folder.files), str(folder.chunks),
                                    str(_problems(folder)), "" if folder.present else "missing (unplugged?)"])
            item.setData(0, Qt.ItemDataRole.UserRole, folder.path)
            item.setToolTip(0, folder.path)
            for column in (1, 2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
            if folder.path == chosen:
                self.table.setCurrentItem(item)
        first = self.table.topLevelItem(0)
        if self.table.currentItem() is None and first is not None:
            self.table.setCurrentItem(first)
        self._selection_changed()

    def selected_folder(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _folder_status(self, path: str) -> FolderStatus | None:
        return next((f for f in self.status.folders if f.path == path), None) if self.status else None

    def _selection_changed(self) -> None:
        chosen = self.selected_folder() is not None
        self.excludes_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def add_folder(self) -> None:
        path = choose_folder(self)
        if not path:
            return
        extras = ExclusionsDialog.ask(self, path, (), self.session.settings.excludes, adding=True)
        if extras is None:
            return
        self._run(self.writer.add_folder(path, extras))

    def edit_exclusions(self) -> None:
        path = self.selected_folder()
        folder = self._folder_status(path) if path else None
        if folder is None:
            return
        defaults = self.session.settings.excludes
        current = tuple(p for p in folder.excludes if p not in defaults)
        extras = ExclusionsDialog.ask(self, folder.path, current, defaults)
        if extras is not None and extras != current:
            self._run(self.writer.set_excludes(folder.path, extras))

    def remove_folder(self) -> None:
        path = self.selected_folder()
        if not path:
            return
        answer = QMessageBox.question(
            self, "Remove folder",
            f"Stop searching {path}?\n\nThe files stay where they are; Cairn forgets what it read from them.")
        if answer == QMessageBox.StandardButton.Yes:
            self._run(self.writer.remove_folder(path))

    def _run(self, op: object) -> None:
        self.error.setVisible(False)
        op.on_failure(self._failed)  # type: ignore[attr-defined]
        op.on_success(lambda _: self.session.refresh_status())  # type: ignore[attr-defined]

    def _failed(self, exc: BaseException) -> None:
        message = describe(exc)
        self.error.setText(message)
        self.error.setVisible(True)
        self.actionFailed.emit(message)

    # ------------------------------------------------------------ progress

    def toggle_pause(self) -> None:
        if self.writer.paused:
            self.writer.resume()
        else:
            self.writer.pause()

    def _state_changed(self, state: str, message: str) -> None:
        self.state.setText(STATE_TEXT[state] if state == W.LOCKED else message or STATE_TEXT.get(state, ""))
        self.pause_button.setText("Res&ume" if self.writer.paused else "Pa&use")
        self.pause_button.setEnabled(state not in (W.READ_ONLY, W.LOCKED))  # pausing: Resume undoes it
        busy = state in (W.INDEXING, W.REINDEXING, W.STARTING, W.BUSY)
        self.bar.setVisible(busy)
        self.summary.setVisible(busy)
        self.current.setVisible(busy)
        if state in (W.STARTING, W.BUSY):
            self.bar.setRange(0, 0)  # busy indicator until the first figures arrive
            self.summary.setText("")
            self.current.setText("")

    def show_progress(self, p: IndexProgress) -> None:
        summary, current = progress_lines(p)
        for widget in (self.bar, self.summary, self.current):
            widget.setVisible(True)
        if p.phase == "scanning" or p.files_total == 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, p.files_total)
            self.bar.setValue(p.files_done)
            self.bar.setFormat(f"{p.files_done} / {p.files_total}")
        self.summary.setText(summary)
        metrics = self.current.fontMetrics()
        self.current.setText(metrics.elidedText(current, Qt.TextElideMode.ElideMiddle, max(200, self.current.width())))
        self.current.setToolTip(current)
        self.progressShown.emit(summary, current)


def _problems(folder: FolderStatus) -> int:
    return folder.by_status.get("error", 0) + folder.by_status.get("skipped", 0)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
