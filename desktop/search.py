"""The search panel: results as you type, with mode and filters, driven by the keyboard.

Why debounce and coalesce: a query per keystroke would queue searches behind each other
on the reader lane. The panel waits until typing pauses (`DEBOUNCE_MS`), keeps at most
one search running, and when the query changes while one runs, silences that one at once
(its result can never reach the list) and runs only the newest query after it. So the
list always shows the results of exactly what is in the box.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListView, QSizePolicy,
                               QVBoxLayout, QWidget)

from engine import SearchFilters, SearchResult, Status, extensions_by_kind
from desktop import files
from desktop.operation import Operation, describe
from desktop.results import RESULT_ROLE, WEAK_ROW_ROLE, ResultDelegate, ResultsModel
from desktop.session import Session
from desktop.widgets import FlowLayout

DEBOUNCE_MS = 180
LIMIT = 30

MODES: tuple[tuple[str, str, str], ...] = (
    ("Best of both", "hybrid", "Meaning and exact words together (recommended)"),
    ("By meaning", "semantic", "Finds passages about the same thing, even in other words"),
    ("Exact words", "keyword", "Only passages containing the words you typed"),
)

# One choice can cover several kinds: an Outlook message is e-mail to the user, a .doc Word, whatever its reader.
KIND_LABELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("pdf",), "PDF"), (("docx", "doc"), "Word"), (("markdown",), "Markdown"), (("text",), "Plain text"),
    (("html",), "Web pages"), (("email", "msg"), "E-mail"), (("code",), "Source code"),
    (("pptx", "ppt"), "PowerPoint"), (("xlsx", "xls"), "Excel"), (("mbox",), "Mailboxes"),
    (("odf",), "OpenDocument"), (("epub", "fb2"), "E-books"), (("rtf",), "Rich text (RTF)"),
    (("gnumeric",), "Gnumeric"),
)


def _types() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """File-type filter choices: the engine's own extension table, grouped by document kind."""
    table = extensions_by_kind()
    groups = [(label, tuple(sorted(e for kind in group for e in table.get(kind, ())))) for group, label in KIND_LABELS]
    return (("Any type", ()), *[(label, exts) for label, exts in groups if exts])


TYPES = _types()

DAY = 86400.0
DATES: tuple[tuple[str, float | None], ...] = (
    ("Any time", None), ("Past day", DAY), ("Past week", 7 * DAY), ("Past month", 31 * DAY),
    ("Past year", 366 * DAY),
)


@dataclass(frozen=True)
class Query:
    text: str
    mode: str
    filters: SearchFilters


class QueryField(QLineEdit):
    """The search box; arrows and Enter act on the results so hands never leave the keys."""

    moveDown = Signal()
    activate = Signal(bool)  # True: show in folder (Ctrl+Enter) instead of open

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.moveDown.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate.emit(bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    resultSelected = Signal(object, str)  # SearchResult, the query it answers
    resultsShown = Signal(list)  # the matches now in the list (also empty); weakly related ones left out
    searchFailed = Signal(str)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._running: Operation | None = None
        self._pending: Query | None = None
        self._shown: Query | None = None

        self.query = QueryField()
        self.query.setPlaceholderText("Search your files by meaning or words  (Ctrl+K)")
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Search")
        self.mode = _combo([(label, value) for label, value, _ in MODES], "Search mode")
        for i, (_, _, tip) in enumerate(MODES):
            self.mode.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.folder = _combo([("All folders", None)], "Only in folder")
        self.types = _combo([(label, exts) for label, exts in TYPES], "File type")
        self.modified = _combo([(label, secs) for label, secs in DATES], "Modified")

        self.model = ResultsModel()
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(ResultDelegate(self.view))
        self.view.setUniformItemSizes(False)  # the weakly-related row is one line high
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setAccessibleName("Results")
        self.view.installEventFilter(self)
        self.info = QLabel()
        self.info.setAccessibleName("Search status")
        self.info.setWordWrap(True)

        # The filters wrap onto a second line in a narrow window rather than hold it wide.
        filters = FlowLayout()
        for label, widget in (("&Mode", self.mode), ("&Folder", self.folder), ("&Type", self.types),
                              ("Mo&dified", self.modified)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            pair = QWidget()
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(caption)
            row.addWidget(widget)
            filters.addWidget(pair)
        self.folder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.folder.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.folder.setMinimumContentsLength(12)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.query.textChanged.connect(self._typed)
        self.query.moveDown.connect(self._enter_results)
        self.query.activate.connect(self._activate_from_field)
        for combo in (self.mode, self.folder, self.types, self.modified):
            combo.currentIndexChanged.connect(self.search_now)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activated.connect(lambda index: self._activate(index, False))
        self.view.pressed.connect(self._pressed)
        session.statusChanged.connect(self.set_folders)
        for before, after in ((self.query, self.mode), (self.mode, self.folder), (self.folder, self.types),
                              (self.types, self.modified), (self.modified, self.view)):
            self.setTabOrder(before, after)

    # ------------------------------------------------------------ querying

    def current_query(self) -> Query:
        after = self.modified.currentData()
        filters = SearchFilters(
            folder=self.folder.currentData(),
            types=tuple(self.types.currentData() or ()),
            modified_after=(time.time() - after) if after else None,
        )
        return Query(self.query.text().strip(), self.mode.currentData(), filters)

    def _typed(self) -> None:
        if not self.query.text().strip():
            self._debounce.stop()
            self.search_now()
        else:
            self._debounce.start()

    def search_now(self) -> None:
        """Search for what is in the box now; an older search still running is dropped at once."""
        self._debounce.stop()
        query = self.current_query()
        if not query.text:
            self._pending = None
            if self._running:
                self._running.cancel()
            self._show(query, [])
            self.info.setText("")
            return
        if self._running and not self._running.finished:
            self._running.cancel()
            self._pending = query
            return
        self._run(query)

    def _run(self, query: Query) -> None:
        self._pending = None
        self.info.setText("Searching…")
        op = self.session.read(
            lambda cairn, _: cairn.search(query.text, mode=query.mode, limit=LIMIT, filters=query.filters),  # type: ignore[arg-type]
            name="search")
        op.on_success(lambda results: self._show(query, results))
        op.on_failure(self._failed)
        op.on_done(self._search_done)
        self._running = op.start(self.session.read_lane)

    def _search_done(self) -> None:
        self._running = None
        if self._pending is not None:
            self._run(self._pending)

    def _failed(self, exc: BaseException) -> None:
        message = describe(exc)
        self.info.setText(message)
        self.searchFailed.emit(message)

    def _show(self, query: Query, results: list[SearchResult]) -> None:
        """List `results`, the best one selected (and so previewed).

        The person's pick is kept only while the words stay the same (a filter or the mode
        changed, or the index was refreshed): search by meaning lists nearly every file for
        any query, so a pick kept across queries would stay selected far down the new list,
        scrolled to and previewed, with the new query's best file out of view."""
        same_words = self._shown is not None and self._shown.text == query.text
        keep = self._selected_path() if same_words else None
        self._shown = query
        expanded = same_words and self.model.expanded  # a filter changed: what was open stays open
        self.model.set_results(results)
        self.model.set_expanded(expanded)
        strong = self.model.strong
        if query.text:
            count = len(strong)
            if not results:
                self.info.setText(self._nothing_found(query))
            elif not strong:
                self.info.setText(f"Nothing in your files closely matches “{query.text}”; the nearest are under "
                                  f"“{self.model.weak_label()}”.")
            else:
                self.info.setText(f"{count} file{'s' if count != 1 else ''} (best passage of each)")
        shown = [self.model.index(i).data(RESULT_ROLE) for i in range(self.model.rowCount())]
        row = next((i for i, r in enumerate(shown) if r is not None and r.path == keep), 0 if strong else -1)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))
            self.view.scrollTo(self.model.index(row))
        self.resultsShown.emit(list(strong))

    def _nothing_found(self, query: Query) -> str:
        """An empty list says what would widen it: the filters that are set, or search by meaning."""
        if self.session.status is not None and not self.session.status.chunks:
            return "No passages match: nothing is indexed yet. Files appear here as their folder is read."
        tips = [f"set {caption} back to “{combo.itemText(0)}”" for caption, combo in
                (("Folder", self.folder), ("Type", self.types), ("Modified", self.modified))
                if combo.currentIndex() > 0]
        if query.mode == "keyword":
            tips.append(f"choose Mode “{MODES[0][0]}” to find passages by meaning too")
        if not tips:
            return "No passages match. Try other or fewer words."
        return "No passages match. To search wider, " + ", or ".join(tips) + "."

    # ------------------------------------------------------------ selection and keys

    def _selected_path(self) -> str | None:
        result = self.current_result()
        return result.path if result else None

    def current_result(self) -> SearchResult | None:
        index = self.view.currentIndex()
        return index.data(RESULT_ROLE) if index.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        result = current.data(RESULT_ROLE) if current.isValid() else None
        if result is not None:
            self.resultSelected.emit(result, self._shown.text if self._shown else "")

    def _enter_results(self) -> None:
        if self.model.rowCount():
            self.view.setFocus()
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.model.index(0))

    def _activate_from_field(self, reveal: bool) -> None:
        if self._debounce.isActive():
            self.search_now()
            return
        index = self.view.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0)
        if index.isValid():
            self._activate(index, reveal, key=True)

    def _toggle_weak(self) -> None:
        self.model.set_expanded(not self.model.expanded)

    def _pressed(self, index: QModelIndex) -> None:
        """A click on the weakly-related row opens or closes it (on the press: a double click is one toggle)."""
        if index.data(WEAK_ROW_ROLE) and QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self._toggle_weak()

    def _activate(self, index: QModelIndex, reveal: bool, key: bool = False) -> None:
        if index.data(WEAK_ROW_ROLE):
            if key:  # a mouse toggles it on the press (`_pressed`)
                self._toggle_weak()
            return
        result = index.data(RESULT_ROLE)
        if result is None:
            return
        if reveal:
            files.show_in_folder(result.path)
        else:
            files.open_file(result.path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            key = key_event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.view.currentIndex().isValid():
                ctrl = bool(key_event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                self._activate(self.view.currentIndex(), ctrl, key=True)
                return True
            if key == Qt.Key.Key_Space and self.view.currentIndex().data(WEAK_ROW_ROLE):
                self._toggle_weak()
                return True
            if key == Qt.Key.Key_Up and self.view.currentIndex().row() <= 0:
                self.focus_query()
                return True
            if key_event.text().isprintable() and key_event.text() and not key_event.modifiers() & (
                    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                self.query.setFocus()
                self.query.insert(key_event.text())
                return True
        return super().eventFilter(watched, event)

    def focus_query(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # ------------------------------------------------------------ folders filter

    def set_folders(self, status: Status) -> None:
        wanted = [f.path for f in status.folders]
        have = [self.folder.itemData(i) for i in range(1, self.folder.count())]
        if wanted == have:
            return
        chosen = self.folder.currentData()
        self.folder.blockSignals(True)
        while self.folder.count() > 1:
            self.folder.removeItem(1)
        for path in wanted:
            self.folder.addItem(path, path)
        index = self.folder.findData(chosen) if chosen else 0
        self.folder.setCurrentIndex(max(0, index))
        self.folder.blockSignals(False)
        if chosen and index < 0:
            self.search_now()


def _combo(items: list[tuple[str, object]], accessible: str) -> QComboBox:
    combo = QComboBox()
    for label, value in items:
        combo.addItem(label, value)
    combo.setAccessibleName(accessible)
    return combo
