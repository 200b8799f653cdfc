"""The errors view: every file Cairn could not read, and why.

Why a view of its own: a search that misses a file because its PDF is damaged looks
exactly like a file that does not contain the words. Listing unreadable files with the
engine's reason (from `Cairn.status().problems`; reasons never quote content) lets a
person fix or accept them. It refreshes with the status after every indexing pass.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from engine import FileProblem, Status
from desktop import files
from desktop.session import Session
from desktop.widgets import ElidedLabel

KIND_TEXT = {"error": "could not be read", "skipped": "skipped"}


class ProblemsView(QWidget):
    countChanged = Signal(int)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.problems: tuple[FileProblem, ...] = ()
        self.intro = QLabel("Files Cairn could not read. Everything else in your folders is searchable.")
        self.intro.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by file name or reason")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter problems")
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["File", "Reason", "Folder"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAccessibleName("Files that could not be read")
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.reveal_button = QPushButton("Show in fo&lder")
        self.copy_button = QPushButton("Cop&y path")
        # The selected file and its reason in full: reasons are sentences, columns cut them. The
        # path is one line, shortened in the middle: shown whole, a long one widened the window.
        self.detail = ElidedLabel(Qt.TextElideMode.ElideMiddle)
        bold = QFont(self.detail.font())
        bold.setBold(True)
        self.detail.setFont(bold)
        self.detail.setAccessibleName("Selected file")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.setAccessibleName("Why the selected file could not be read")
        self.empty = QLabel("No problems: every file was read.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.addWidget(self.filter, 1)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.reason)
        layout.addWidget(self.empty, 1)

        self.filter.textChanged.connect(self._fill)
        self.table.itemActivated.connect(lambda item, _col: files.show_in_folder(item.data(0, Qt.ItemDataRole.UserRole)))
        self.reveal_button.clicked.connect(lambda: self._with_selected(files.show_in_folder))
        self.copy_button.clicked.connect(lambda: self._with_selected(files.copy_path))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        session.statusChanged.connect(self.set_status)
        self._fill()

    def set_status(self, status: Status) -> None:
        if status.problems != self.problems:
            self.problems = status.problems
            self._fill()
            self.countChanged.emit(len(self.problems))

    def _fill(self) -> None:
        """List the problems that match the filter, keeping the person's chosen file and place.

        While indexing, a refresh comes every few seconds: "Show in folder" and "Copy path"
        must still act on the file the person chose, and the list must not jump to its top."""
        needle = self.filter.text().strip().lower()
        chosen, top = self._selected(), self._path_at_top()
        self.table.clear()
        top_item: QTreeWidgetItem | None = None
        for problem in self.problems:
            path = Path(problem.path)
            reason = problem.reason or KIND_TEXT.get(problem.status, problem.status)
            if needle and needle not in path.name.lower() and needle not in reason.lower():
                continue
            item = QTreeWidgetItem([path.name, reason, files.display(path.parent)])
            item.setData(0, Qt.ItemDataRole.UserRole, problem.path)
            item.setToolTip(0, problem.path)
            item.setToolTip(1, f"{KIND_TEXT.get(problem.status, problem.status)}: {reason}")
            self.table.addTopLevelItem(item)
            if problem.path == chosen:
                self.table.setCurrentItem(item)
            if problem.path == top:
                top_item = item
        first = self.table.topLevelItem(0)
        if self.table.currentItem() is None and first is not None:
            self.table.setCurrentItem(first)
        if top_item is not None:
            self.table.scrollToItem(top_item, QAbstractItemView.ScrollHint.PositionAtTop)
        has_any = bool(self.problems)
        self.table.setVisible(has_any)
        self.filter.setVisible(has_any)
        self.empty.setVisible(not has_any)
        self._selection_changed()

    def rows(self) -> list[tuple[str, str]]:
        """(file name, reason) as listed now; what a person sees, for tests and screen readers."""
        items = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        return [(item.text(0), item.text(1)) for item in items if item is not None]

    def _path_at_top(self) -> str | None:
        """The file in the first visible row: the person's place in a long list."""
        item = self.table.itemAt(0, 0)
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _selected(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _with_selected(self, action: object) -> None:
        path = self._selected()
        if path:
            action(path)  # type: ignore[operator]

    def _selection_changed(self) -> None:
        item = self.table.currentItem()
        self.reveal_button.setEnabled(item is not None)
        self.copy_button.setEnabled(item is not None)
        self.detail.setVisible(item is not None)
        self.reason.setVisible(item is not None)
        if item is not None:
            self.detail.setText(files.display(item.data(0, Qt.ItemDataRole.UserRole)))
            self.reason.setText(item.toolTip(1))
