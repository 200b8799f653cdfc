"""The tray icon: Cairn keeps watching folders while its window is closed.

Why: the index is only as fresh as the watcher, and people close windows. With a tray
icon the app keeps its writer running after the window closes and shows what it is
doing; without a system tray (some desktops have none) closing the window quits, as a
person would expect there.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop import writer as W
from desktop.writer import WriterService

TOOLTIPS = {
    W.WATCHING: "Cairn: up to date, watching for changes",
    W.INDEXING: "Cairn: indexing",
    W.REINDEXING: "Cairn: re-embedding",
    W.PAUSING: "Cairn: pausing",
    W.PAUSED: "Cairn: paused",
    W.READ_ONLY: "Cairn: read-only (searching works)",
    W.ERROR: "Cairn: needs attention",
    W.LOCKED: "Cairn: locked (encrypted index)",
}


class Tray(QObject):
    showRequested = Signal()
    quitRequested = Signal()

    def __init__(self, writer: WriterService, icon: QIcon) -> None:
        super().__init__()
        self.writer = writer
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon = QSystemTrayIcon(icon)
        self.menu = QMenu()
        self.open_action = QAction("&Open Cairn", self.menu)
        self.pause_action = QAction("&Pause watching", self.menu)
        self.quit_action = QAction("&Quit Cairn", self.menu)
        for action in (self.open_action, self.pause_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.open_action.triggered.connect(self.showRequested)
        self.quit_action.triggered.connect(self.quitRequested)
        self.pause_action.triggered.connect(lambda: writer.resume() if writer.paused else writer.pause())
        self.icon.activated.connect(self._activated)
        writer.stateChanged.connect(self._state)
        self._state(writer.state, writer.message)
        if self.available:
            self.icon.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.showRequested.emit()

    def _state(self, state: str, message: str) -> None:
        self.icon.setToolTip(TOOLTIPS.get(state, "Cairn"))
        self.pause_action.setText("&Resume watching" if self.writer.paused else "&Pause watching")
        self.pause_action.setEnabled(state != W.READ_ONLY)

    def tell(self, title: str, text: str) -> None:
        if self.available:
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 6000)

    def hide(self) -> None:
        self.icon.hide()
