"""Weakly related files wait behind one collapsed row after the matches; nothing strong is said plainly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.results import RESULT_ROLE
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW

KNEE = "recovering from an operation on a torn knee tendon"  # about one file, in other words
UNRELATED = "quantum gravity and black hole entropy"  # about none of them


def rows(search: Any) -> list[Any]:
    """What the list shows: a result, or the text of the weakly-related row."""
    model = search.model
    return [model.index(i).data(RESULT_ROLE) or model.index(i).data(Qt.ItemDataRole.DisplayRole)
            for i in range(model.rowCount())]


def test_weak_results_are_collapsed_behind_one_row_that_expands(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    search.query.setText(KNEE)
    qtbot.waitUntil(lambda: len(search.model.results) == len(DOCS), timeout=SLOW)
    shown = rows(search)
    strong = [r for r in shown if not isinstance(r, str)]
    assert Path(strong[0].path).name == "ortho-notes.txt" and not any(r.weak for r in strong)
    weak = len(DOCS) - len(strong)
    assert weak > 0 and shown[-1] == f"{weak} weakly related files"  # collapsed: one row after the matches
    assert search.current_result() is strong[0]

    qtbot.keyClick(search.query, Qt.Key.Key_Down)
    for _ in strong[1:]:
        qtbot.keyClick(search.view, Qt.Key.Key_Down)
    qtbot.keyClick(search.view, Qt.Key.Key_Down)  # onto the collapsed row
    assert search.view.currentIndex().row() == len(strong)
    qtbot.keyClick(search.view, Qt.Key.Key_Return)  # expands it (opens nothing)
    expanded = rows(search)
    assert len(expanded) == len(DOCS) + 1
    assert expanded[:len(strong)] == strong and expanded[len(strong)] == f"Hide {weak} weakly related files"
    assert all(r.weak for r in expanded[len(strong) + 1:])

    qtbot.keyClick(search.view, Qt.Key.Key_Return)  # and collapses it again
    assert rows(search) == shown


def test_a_query_about_nothing_in_the_files_says_so(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    search.query.setText(UNRELATED)
    qtbot.waitUntil(lambda: len(search.model.results) == len(DOCS), timeout=SLOW)
    assert rows(search) == [f"{len(DOCS)} weakly related files"]
    assert search.info.text().startswith(f"Nothing in your files closely matches “{UNRELATED}”")
    assert search.current_result() is None
    assert app.window.preview.passage is None  # nothing previewed as if it were a match

    row = search.view.visualRect(search.model.index(0)).center()
    qtbot.mouseClick(search.view.viewport(), Qt.MouseButton.LeftButton, pos=row)  # a click expands it
    assert len(rows(search)) == len(DOCS) + 1
    qtbot.mouseClick(search.view.viewport(), Qt.MouseButton.LeftButton, pos=row)  # a double click is a click ...
    qtbot.mouseDClick(search.view.viewport(), Qt.MouseButton.LeftButton, pos=row)  # ... then this: one toggle
    assert rows(search) == [f"{len(DOCS)} weakly related files"]
