"""`cairn-desktop`: start the window, the watcher and the tray icon.

Why this is all the entry point does: the window, the session (read-side connections)
and the writer service are built here and handed to each other, so tests and the
screenshot script can build the very same app with their own home and embedder
(`build(...)`) without going through `main()`.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from engine import CairnError, Embedder, no_core_dumps
from desktop import qt_settings, theme
from desktop.prefs import Prefs
from desktop.session import Session
from desktop.tray import Tray
from desktop.window import MainWindow
from desktop.writer import WriterService


@dataclass
class App:
    session: Session
    writer: WriterService
    window: MainWindow
    tray: Tray | None

    def start(self) -> None:
        """Show the window and begin: status, model warm-up, then the watcher's first sync."""
        self.window.show()
        self.session.refresh_status()
        self.session.warm_up()
        self.writer.start()
        self.window.search.focus_query()

    def shutdown(self, seconds: float = 15.0) -> bool:
        """Stop the writer first (its watcher holds the writer lock), then the read-side lanes.

        False if a worker was still busy after `seconds` (logged by the writer)."""
        self.window.ask.stop()
        self.session.ask_lane.pool.clear()
        stopped = self.writer.shutdown(seconds)
        self.session.close(seconds)
        if self.tray is not None:
            self.tray.hide()
        return stopped


def build(home: str | os.PathLike[str] | None = None, *, embedder: Embedder | None = None, tray: bool = True,
          retry_seconds: float = 15.0, debounce: float = 0.5) -> App:
    """The whole app for one Cairn home, not yet shown or started."""
    session = Session(home, embedder=embedder)
    qt_settings.keep_private(session.paths)
    writer = WriterService(session, retry_seconds=retry_seconds, debounce=debounce)
    prefs = Prefs.load(session.paths)
    window = MainWindow(session, writer, prefs)
    tray_icon = Tray(writer, theme.app_icon()) if tray else None
    if tray_icon is not None:
        window.tray_available = tray_icon.available
        tray_icon.showRequested.connect(window.bring_to_front)
        tray_icon.quitRequested.connect(window.quit)
        window.trayMessage.connect(tray_icon.tell)
    return App(session, writer, window, tray_icon)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cairn-desktop", description="Cairn: private search over your own files.")
    parser.add_argument("--home", help="keep every file Cairn writes under this folder (or set CAIRN_HOME)")
    parser.add_argument("--exit-when-ready", action="store_true",
                        help="quit as soon as the window shows the index (smoke tests, start-up timing)")
    args, qt_args = parser.parse_known_args(argv)
    no_core_dumps()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    qt_app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Cairn")
    qt_app.setApplicationDisplayName("Cairn")
    qt_app.setDesktopFileName("io.github.cairn_search.Cairn")  # packaging/linux/
    qt_app.setWindowIcon(theme.app_icon())
    qt_app.setQuitOnLastWindowClosed(False)  # the tray keeps watching; quitting is explicit

    try:
        app = build(args.home)
    except CairnError as exc:  # settings or a home it cannot use: launched from a menu, no one sees a terminal
        QMessageBox.critical(None, "Cairn cannot start", str(exc))
        return 1
    app.window.quitRequested.connect(qt_app.quit)
    qt_app.aboutToQuit.connect(app.shutdown)
    # Ctrl+C in the terminal quits cleanly; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: qt_app.quit())
    tick = QTimer()
    tick.start(250)
    tick.timeout.connect(lambda: None)
    app.start()
    if args.exit_when_ready:
        _quit_when_ready(app, qt_app)
    return int(qt_app.exec())


def _quit_when_ready(app: App, qt_app: QApplication) -> None:
    started = time.perf_counter()

    def poll() -> None:
        if app.session.status is not None and app.window.isVisible():
            print(f"ready in {time.perf_counter() - started:.2f} s", flush=True)
            qt_app.quit()

    timer = QTimer(qt_app)
    timer.timeout.connect(poll)
    timer.start(20)


if __name__ == "__main__":
    sys.exit(main())
