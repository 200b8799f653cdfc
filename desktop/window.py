"""The main window: puts the panels together and routes what one panel does to another.

Why the window holds so little logic: each area (search, preview, ask, folders, problems,
settings) is its own module and talks to the engine only through the session (reads)
and the writer service (writes). The window decides layout, keyboard shortcuts, the
banner for conditions that affect everything (read-only index, model mismatch), when
to refresh the status, and what closing the window means (keep watching from the tray).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMainWindow, QMenu,
                               QMessageBox, QProgressBar, QPushButton, QSplitter, QStackedWidget, QTabWidget,
                               QVBoxLayout, QWidget)

from engine import IndexProgress, Settings, Status
from desktop import theme
from desktop import writer as W
from desktop.ask import AskPanel
from desktop.folders import STATE_TEXT, FoldersPanel
from desktop.operation import describe
from desktop.prefs import Prefs
from desktop.preview import PreviewPanel
from desktop.problems import ProblemsView
from desktop.search import SearchPanel
from desktop.session import Session
from desktop.settings import SettingsDialog
from desktop.welcome import WelcomePage
from desktop.widgets import ElidedLabel
from desktop.writer import WriterService

SEARCH_TAB, ASK_TAB, FOLDERS_TAB, PROBLEMS_TAB = range(4)
STATUS_REFRESH_MS = 2500  # per-folder counts while indexing, or while another process indexes
NOTICE_MS = 15000  # how long a message about a failed save stays in the status bar


class Banner(QFrame):
    """One line across the top for a condition that affects the whole app, with one action."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Notice")
        self.action = QPushButton()
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action)
        self._callback: object = None
        self.action.clicked.connect(lambda: self._callback and self._callback())  # type: ignore[operator]
        self.kind = "warning"
        self.hide()

    def show_notice(self, text: str, action: str, callback: object, kind: str = "warning") -> None:
        self.kind = kind
        self.text.setText(text)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self._callback = callback
        self.recolour()
        self.show()

    def recolour(self) -> None:
        pal = self.palette()
        pal.setColor(self.backgroundRole(), theme.notice_background(self.kind))
        self.setPalette(pal)


class MainWindow(QMainWindow):
    quitRequested = Signal()
    trayMessage = Signal(str, str)  # title, text: shown by the tray icon when there is one

    def __init__(self, session: Session, writer: WriterService, prefs: Prefs) -> None:
        super().__init__()
        self.session = session
        self.writer = writer
        self.prefs = prefs
        self.quitting = False
        self._unlock_declined = False
        self.tray_available = False
        self.setWindowTitle("Cairn")
        self.setWindowIcon(theme.app_icon())

        self.search = SearchPanel(session)
        self.ask = AskPanel(session)
        self.folders = FoldersPanel(session, writer)
        self.problems = ProblemsView(session)
        self.preview = PreviewPanel(session)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.search, "&Search")
        self.tabs.addTab(self.ask, "As&k")
        self.tabs.addTab(self.folders, "&Folders")
        self.tabs.addTab(self.problems, "&Problems")
        self.tabs.setDocumentMode(True)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.banner = Banner()
        main = QWidget()
        column = QVBoxLayout(main)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.banner)
        column.addWidget(self.splitter, 1)
        self.welcome = WelcomePage()
        self.pages = QStackedWidget()
        self.main_page = main
        self.pages.addWidget(main)
        self.pages.addWidget(self.welcome)
        self.setCentralWidget(self.pages)

        self.state_label = ElidedLabel(Qt.TextElideMode.ElideRight)  # shortened, not holding a small window wide
        self.state_label.setAccessibleName("Cairn status")
        self.mini_bar = QProgressBar()
        self.mini_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.mini_bar.setTextVisible(True)
        self.mini_bar.hide()
        self.counts_label = QLabel()
        self.statusBar().addWidget(self.state_label, 1)
        self.statusBar().addPermanentWidget(self.mini_bar)
        self.statusBar().addPermanentWidget(self.counts_label)

        self._build_menus()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(session.refresh_status)

        self.search.resultSelected.connect(self.preview.show_result)
        self.search.resultsShown.connect(lambda results: None if results else self.preview.clear())
        self.ask.sourceActivated.connect(self.preview.show_passage)
        self.welcome.addFolder.connect(self.add_folder)
        self.problems.countChanged.connect(self._problem_count)
        self._offered_switch = False
        session.statusChanged.connect(self._status)
        writer.stateChanged.connect(self._writer_state)
        writer.progressed.connect(self._progress)
        writer.synced.connect(lambda _: session.refresh_status())
        writer.foldersChanged.connect(session.refresh_status)
        self.folders.actionFailed.connect(lambda message: self.statusBar().showMessage(message, 10000))
        writer.problem.connect(lambda message: self.statusBar().showMessage(message, 15000))  # e.g. a folder gone
        self._writer_state(writer.state, writer.message)
        self.resize(self.fontMetrics().averageCharWidth() * 150, self.fontMetrics().height() * 42)

    # ------------------------------------------------------------ menus and keys

    def _build_menus(self) -> None:
        """Every action has a key; an action's extra keys are alternatives (a hidden action has none)."""
        cairn = self.menuBar().addMenu("&Cairn")
        self._action(cairn, "&Add folder…", ("Ctrl+Shift+O",), self.add_folder)
        self.pause_action = self._action(cairn, "&Pause indexing", ("Ctrl+Shift+P",), self.folders.toggle_pause)
        self._action(cairn, "&Settings…", (QKeySequence.StandardKey.Preferences, "Ctrl+,"), self.open_settings)
        cairn.addSeparator()
        self._action(cairn, "&Close window", (QKeySequence.StandardKey.Close,), self.close)
        self._action(cairn, "&Quit", (QKeySequence.StandardKey.Quit,), self.quit)
        go = self.menuBar().addMenu("&Go")
        # Ctrl+K works from anywhere in the app, dialogs of other windows included.
        self._action(go, "&Search", ("Ctrl+K", "Ctrl+1"), self.focus_search).setShortcutContext(
            Qt.ShortcutContext.ApplicationShortcut)
        self._action(go, "&Ask a question", ("Ctrl+J", "Ctrl+2"), self.focus_ask)
        self._action(go, "&Folders and indexing", ("Ctrl+3",), lambda: self._show_tab(FOLDERS_TAB))
        self._action(go, "&Problems", ("Ctrl+4",), lambda: self._show_tab(PROBLEMS_TAB))
        self._action(go, "Pre&view", ("Ctrl+P",), self.preview.focus_body)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Cairn", (), self._about)

    def _action(self, menu: QMenu, text: str, keys: tuple[str | QKeySequence.StandardKey, ...],
                slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        sequences: list[QKeySequence] = []
        for key in keys:
            found = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]
            sequences += [k for k in found if not k.isEmpty() and k not in sequences]
        action.setShortcuts(sequences)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _show_tab(self, index: int) -> None:
        self.pages.setCurrentIndex(0)
        self.tabs.setCurrentIndex(index)
        self.tabs.currentWidget().setFocus()

    def focus_search(self) -> None:
        self.bring_to_front()
        if self.pages.currentWidget() is self.welcome:
            return
        self.tabs.setCurrentIndex(SEARCH_TAB)
        self.search.focus_query()

    def focus_ask(self) -> None:
        self.bring_to_front()
        self.tabs.setCurrentIndex(ASK_TAB)
        self.ask.focus_question()

    def bring_to_front(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    # ------------------------------------------------------------ status

    def _status(self, status: Status) -> None:
        empty = not status.folders
        self.pages.setCurrentWidget(self.welcome if empty else self.main_page)
        if empty:
            self.welcome.button.setFocus()
        if self.writer.state != W.ERROR and self.writer.state != W.READ_ONLY:
            self.state_label.setText(self._state_text(self.writer.state))
        self.counts_label.setText(f"{status.files} files · {status.chunks} passages"
                                  + (f" · {status.model}" if status.model else ""))
        self._offer_multilingual(status)

    def _offer_multilingual(self, status: Status) -> None:
        """An English index of mostly other languages: offer the multilingual model, once per session."""
        quiet = self.writer.state in (W.WATCHING, W.IDLE) and not self.banner.isVisible()
        if status.suggestion and quiet and not self._offered_switch:
            self._offered_switch = True
            self.banner.show_notice(status.suggestion.split(": ")[0] + ": the multilingual model would find them "
                                    "better, also from English questions.", "&Switch and re-embed",
                                    self.switch_to_multilingual, kind="info")

    def switch_to_multilingual(self) -> None:
        self.banner.hide()
        self.apply_settings(replace(self.session.settings, embedding_model="multilingual"), self.prefs, True)

    def _state_text(self, state: str) -> str:
        status = self.session.status
        if state in (W.WATCHING, W.IDLE) and status is not None and not status.folders:
            return "No folders yet: add one to start."
        if state == W.PAUSED and self.writer.message:
            return self.writer.message  # e.g. what a paused re-embed left to do
        return STATE_TEXT.get(state, "")

    def _problem_count(self, count: int) -> None:
        self.tabs.setTabText(PROBLEMS_TAB, f"&Problems ({count})" if count else "&Problems")

    def _writer_state(self, state: str, message: str) -> None:
        self.state_label.setText(message if state == W.ERROR else self._state_text(state))
        self.pause_action.setText("Res&ume indexing" if self.writer.paused else "&Pause indexing")
        self.pause_action.setEnabled(state != W.READ_ONLY)
        busy = state in (W.INDEXING, W.REINDEXING, W.STARTING, W.BUSY)
        self.mini_bar.setVisible(busy)
        if state in (W.STARTING, W.BUSY):
            self.mini_bar.setRange(0, 0)
        if busy or state == W.READ_ONLY:
            self._status_timer.start()
        else:
            self._status_timer.stop()
            self.session.refresh_status()
        if state == W.READ_ONLY:
            self.state_label.setText("Read-only")
            self.banner.show_notice(message, "&Try again", self.writer.start)
        elif state == W.ERROR:
            action = ("&Re-embed now", self.reindex) if "reindex" in message else ("&Try again", self.writer.start)
            self.banner.show_notice(message, action[0], action[1])
        elif state == W.LOCKED:
            self.state_label.setText("Locked: the index is encrypted.")
            self.banner.show_notice("Cairn's index is encrypted. Enter its passphrase to search and index.",
                                    "&Unlock…", self.unlock)
            if not self._unlock_declined:
                QTimer.singleShot(0, self.unlock)  # ask at once; after a Cancel only the banner asks
        else:
            self.banner.hide()

    def _progress(self, p: IndexProgress) -> None:
        if self.pages.currentWidget() is self.welcome and p.files_total:
            self._show_tab(FOLDERS_TAB)  # the first folder is being read: show how far it has got
        if p.phase == "scanning" or not p.files_total:
            self.mini_bar.setRange(0, 0)
        else:
            self.mini_bar.setRange(0, p.files_total)
            self.mini_bar.setValue(p.files_done)
            scans = f" · {p.scans_left} scans left" if p.scans_left else ""  # read last, by OCR
            unit = "passages re-embedded" if p.phase == "re-embedding" else "files"
            self.mini_bar.setFormat(f"{p.files_done} / {p.files_total} {unit}{scans}")

    # ------------------------------------------------------------ actions

    def add_folder(self) -> None:
        self.tabs.setCurrentIndex(FOLDERS_TAB)  # where its progress shows, once the folder is added
        self.folders.add_folder()

    def unlock(self) -> None:
        """Ask for the passphrase of the encrypted index; it is kept in memory only, for this session."""
        if self.writer.state != W.LOCKED:
            return
        text, ok = QInputDialog.getText(self, "Unlock Cairn", "Passphrase of Cairn's encrypted index:",
                                        QLineEdit.EchoMode.Password)
        if not ok:
            self._unlock_declined = True
            return
        self._unlock_declined = False
        self.session.unlock(text)
        self.writer.start()
        self.session.refresh_status()
        self.search.search_now()

    def reindex(self) -> None:
        self.banner.hide()
        self.writer.reindex()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.session, self.prefs, self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.apply_settings(dialog.settings(), dialog.prefs, dialog.needs_reindex)

    def apply_settings(self, settings: Settings, prefs: Prefs, reindex: bool) -> None:
        """Save; reopen the connections that read the changed settings; re-embed if agreed.

        A save that fails (a full disk, a read-only config folder) says so: the dialog has
        already closed as if it worked, and nothing else would show that it did not."""
        self.prefs = prefs
        self._save_prefs()
        old = self.session.settings
        if settings == old and not reindex:
            return
        writer_fields = ("embedding_model", "threads", "max_file_mb", "excludes")
        for_writer = any(getattr(settings, f) != getattr(old, f) for f in writer_fields)

        def saved(_: object) -> None:
            if reindex:
                self.writer.reindex()
            elif for_writer:
                self.writer.reload()

        self.session.save_settings(settings).on_success(saved).on_failure(
            lambda exc: self._tell(f"Settings not saved: {describe(exc)}. The previous settings are still in use."))

    def _save_prefs(self) -> None:
        """Save the window's own preferences; on the UI thread, as they are one small file."""
        try:
            self.prefs.save(self.session.paths)
        except OSError as exc:
            self._tell(f"Window preferences not saved: {describe(exc)}. They apply until Cairn closes.")

    def _tell(self, message: str) -> None:
        """Say that something the person just asked for did not happen, where the status shows."""
        self.statusBar().showMessage(message, NOTICE_MS)

    def _about(self) -> None:
        QMessageBox.about(self, "About Cairn",
                          "<p><b>Cairn</b>: private search over your own files.</p>"
                          "<p>Everything runs on this computer; nothing is sent anywhere.</p>"
                          f"<p>Index: {self.session.paths.index_db}</p>")

    # ------------------------------------------------------------ palette and closing

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.preview.refresh_colours()
            self.search.view.viewport().update()
            self.banner.recolour()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.quitting and self.tray_available and self.prefs.keep_in_tray:
            event.ignore()
            self.hide()
            if not self.prefs.tray_hint_shown:
                self.prefs.tray_hint_shown = True
                self._save_prefs()
                self.trayMessage.emit("Cairn is still watching your folders",
                                      "It keeps the index up to date from the tray. Quit from the tray menu.")
            return
        event.accept()
        self.quitRequested.emit()

    def quit(self) -> None:
        self.quitting = True
        self.close()
