"""What Qt itself remembers: kept in Cairn's private config folder, and never the person's folders.

Why: Qt's file dialog (the folder picker, the model picker) records the folders it visited
("history", "lastVisited") through QSettings, by default in ~/.config/QtProject.conf, shared
with every Qt program and readable by all. A folder's name often says what is in it
("Clients/Smith custody"), and with an encrypted index Cairn keeps even paths encrypted; so
Qt's settings go to Cairn's config folder (0700; on Linux and other Unix systems, where
QSettings writes files), and the visited folders are deleted from them after every dialog,
on every platform.
"""

from __future__ import annotations

import contextlib
import os

from PySide6.QtCore import QSettings

from engine import Paths

VISITED = ("FileDialog/history", "FileDialog/lastVisited")


def keep_private(paths: Paths) -> None:
    """Point Qt's per-user settings at Cairn's config folder (process-wide; before any dialog opens)."""
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(paths.config))


def forget_visited_folders() -> None:
    """Delete the folders the file dialog that just closed recorded, and keep its settings file private."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    for key in VISITED:
        settings.remove(key)
    settings.sync()
    name = settings.fileName()
    if os.path.isfile(name):  # a file on Unix; the registry or a property list elsewhere
        with contextlib.suppress(OSError):
            os.chmod(name, 0o600)
