"""Hand a file to the rest of the desktop: open it, show it in its folder, copy its path.

Why a module of its own: these are the only places Cairn starts other programs, and
each platform does "show in folder" differently (the freedesktop FileManager1 D-Bus
call selects the file on Linux; Finder and Explorer have their own switches). Opening
goes through QDesktopServices, so tests can intercept it with `setUrlHandler`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication


def open_file(path: str) -> bool:
    """Open with the person's default application for that kind of file."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))


def show_in_folder(path: str) -> bool:
    """Show the file selected in the file manager, or at least open its folder."""
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", path])[0]
    if sys.platform == "win32":
        return QProcess.startDetached("explorer", ["/select,", str(Path(path))])[0]
    if _freedesktop_show(path):
        return True
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent))))


def _freedesktop_show(path: str) -> bool:
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    iface = QDBusInterface("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                           "org.freedesktop.FileManager1", bus)
    if not iface.isValid():
        return False
    reply = iface.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
    return reply.type() != QDBusMessage.MessageType.ErrorMessage


def display(path: str | Path) -> str:
    """A path as shown to a person: the home folder written as ~ (copying and opening use the full path)."""
    full = Path(path)
    try:
        return str(Path("~") / full.relative_to(Path.home()))
    except ValueError:
        return str(full)


def copy_path(path: str) -> None:
    QGuiApplication.clipboard().setText(path)
