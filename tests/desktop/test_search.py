"""Search as a person uses it: type, see the right file, look at the passage, open it — keys only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import QApplication

from desktop import theme
from tests.corpus import DOCS, IDENTIFIER_QUERY
from tests.desktop.conftest import SLOW

KNEE = "recovering from an operation on a torn knee tendon"  # shares no content word with its target


def first_name(app: Any) -> str | None:
    results = app.window.search.model.results
    return Path(results[0].path).name if results else None


def test_typing_a_query_lists_the_right_file(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    assert QApplication.focusWidget() in (search.query, None)  # focused at start (None: offscreen, no window focus)
    qtbot.keyClicks(search.query, KNEE)
    qtbot.waitUntil(lambda: first_name(app) == "ortho-notes.txt", timeout=SLOW)
    assert "file" in search.info.text()


def test_selecting_a_result_shows_the_passage_in_context(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search, preview = app.window.search, app.window.preview
    search.query.setText("starter flour dough oven")
    qtbot.waitUntil(lambda: first_name(app) == "sourdough.txt", timeout=SLOW)
    search.view.setCurrentIndex(search.model.index(0))
    qtbot.waitUntil(lambda: preview.located is not None and not preview.note.isVisible(), timeout=SLOW)
    assert preview.title.text() == "sourdough.txt"
    shown = preview.text.toPlainText()
    assert DOCS["sourdough.txt"].split(".")[0] in shown
    located = preview.located
    assert shown[located.start:located.end] == search.model.results[0].text
    # the passage is banded and the query's words are marked
    cursor = QTextCursor(preview.text.document())
    cursor.setPosition(located.start + 1)
    assert cursor.charFormat().background().color() in (theme.passage_background(), theme.match_background())
    marked = shown.index("dough")
    cursor.setPosition(marked + 1)
    assert cursor.charFormat().background().color() == theme.match_background()


class Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def test_keyboard_moves_opens_and_reveals(qtbot: Any, indexed: Path, docs: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "handle")
    try:
        search.query.setText("court contract breach claim")
        qtbot.waitUntil(lambda: search.model.rowCount() >= 2, timeout=SLOW)
        qtbot.keyClick(search.query, Qt.Key.Key_Down)
        assert search.view.currentIndex().row() == 0
        qtbot.keyClick(search.view, Qt.Key.Key_Down)
        second = search.model.results[1].path
        assert search.current_result().path == second
        qtbot.keyClick(search.view, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(opened.urls) == 1)
        assert opened.urls[0].toLocalFile() == second
        qtbot.keyClick(search.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: len(opened.urls) == 2)  # no file manager on D-Bus here: its folder opens
        assert opened.urls[1].toLocalFile() == str(docs)
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_modes_and_filters(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    query, target = IDENTIFIER_QUERY
    search.mode.setCurrentIndex(search.mode.findData("keyword"))
    search.query.setText(query)
    qtbot.waitUntil(lambda: first_name(app) == target, timeout=SLOW)
    with qtbot.waitSignal(search.resultsShown, timeout=SLOW) as shown:
        search.types.setCurrentIndex(search.types.findText("Markdown"))
    assert shown.args[0] == []
    # An empty list says what would widen it: the filter that narrowed it, and search by meaning.
    assert search.info.text().startswith("No passages match")
    assert "“Any type”" in search.info.text() and "“Best of both”" in search.info.text()
    assert "Modified" not in search.info.text()  # only the filters that are set
    search.types.setCurrentIndex(0)
    search.modified.setCurrentIndex(search.modified.findText("Past day"))  # the corpus was written just now
    qtbot.waitUntil(lambda: first_name(app) == target, timeout=SLOW)


def test_ctrl_k_focuses_search_from_anywhere(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    window = app.window
    window.activateWindow()
    window.focus_ask()
    assert window.tabs.currentWidget() is window.ask
    qtbot.keyClick(window.ask.question, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.search)
    assert window.search.query.hasFocus() or QApplication.focusWidget() is None


def test_a_new_query_selects_and_previews_its_best_file(qtbot: Any, indexed: Path, launch: Any) -> None:
    """A file picked for one query must not stay picked for the next: the new best file is shown.

    Search by meaning lists nearly every file for any query, so a file picked lower in one list
    is nearly always in the next one too; it was kept selected, the list scrolled down to it and
    the preview kept showing it while the new query's best file sat out of view at the top."""
    app = launch()
    search, preview = app.window.search, app.window.preview
    search.query.setText("starter flour dough oven")
    qtbot.waitUntil(lambda: first_name(app) == "sourdough.txt" and len(search.model.results) > 5, timeout=SLOW)
    search.model.set_expanded(True)  # the weakly related files too
    search.view.setCurrentIndex(search.model.index(search.model.rowCount() - 1))
    picked = search.current_result().path
    qtbot.waitUntil(lambda: preview.passage is not None and preview.passage.path == picked)

    search.query.setText(KNEE)
    qtbot.waitUntil(lambda: first_name(app) == "ortho-notes.txt", timeout=SLOW)
    assert picked in [r.path for r in search.model.results]  # the old pick is listed again, lower down (weak)
    assert search.view.currentIndex().row() == 0
    assert preview.passage is not None and Path(preview.passage.path).name == "ortho-notes.txt"
    assert search.view.verticalScrollBar().value() == 0  # the best file is in view

    # Changing a filter keeps the same query: the person's pick stays where it is, weakly related or not.
    search.model.set_expanded(True)
    search.view.setCurrentIndex(search.model.index(search.model.rowCount() - 1))
    kept = search.current_result().path
    search.modified.setCurrentIndex(search.modified.count() - 1)  # past year: every file here is new
    qtbot.waitUntil(lambda: search._shown is not None and search._shown.filters.modified_after is not None,
                    timeout=SLOW)
    assert search.current_result().path == kept
