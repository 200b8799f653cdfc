"""The window fits small screens: long names are shortened on screen, never widen the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from desktop import writer as W
from tests.desktop.conftest import SLOW, wait_for_writer

MATTER = "Matter_0042_Northwind_Holdings_International_Limited_v_Contoso_Shipping_GmbH_Correspondence_2019-2024"
EXHIBIT = "Exhibit_A_settlement_offer_from_opposing_counsel_in_full_and_final_satisfaction_final_signed_v3.txt"


def narrowest_width(window: QWidget) -> int:
    """The narrowest the window can be made, once the layouts have taken in what is shown now."""
    for _ in range(4):  # a layout request travels one level up the widget tree per round
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    return window.minimumSizeHint().width()


def test_a_long_file_name_and_path_do_not_widen_the_window(qtbot: Any, docs: Path, launch: Any) -> None:
    """Lawyers' archives have long names without spaces: seen in the preview or the Problems view,
    one used to set the window's narrowest width to its full length (wider than a laptop screen)."""
    folder = docs / MATTER / MATTER.replace("Correspondence", "Exhibits")
    folder.mkdir(parents=True)
    (folder / EXHIBIT).write_text("The defendant offers a settlement of 25,000 euros in full and final "
                                  "satisfaction of all claims, payable within sixty days.\n", "utf-8")
    (folder / EXHIBIT.replace(".txt", "_scan.pdf")).write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nbroken\n")
    app = launch()
    window = app.window
    narrowest = narrowest_width(window)  # before any name is shown
    app.writer.add_folder(str(docs))
    wait_for_writer(qtbot, app, W.WATCHING, also=lambda: bool(window.problems.rows()))

    window.search.query.setText("settlement offer from the other side")
    qtbot.waitUntil(lambda: window.preview.passage is not None and window.preview.passage.path.endswith(EXHIBIT),
                    timeout=SLOW)
    assert narrowest_width(window) <= narrowest
    assert window.preview.title.toolTip().endswith(EXHIBIT)  # the whole name is still there to read
    assert str(folder.name) in window.preview.where.toolTip()

    window.tabs.setCurrentWidget(window.problems)
    window.problems.table.setCurrentItem(window.problems.table.topLevelItem(0))
    assert window.problems.detail.isVisibleTo(window)
    assert narrowest_width(window) <= narrowest


def test_the_window_fits_an_800_by_600_screen(qtbot: Any, indexed: Path, launch: Any) -> None:
    """At 800x600 (a small laptop at 150% scaling) every search filter is still there, none on top
    of another; the filters and the status line used to hold the window at least 960 px wide."""
    app = launch()
    window = app.window
    window.search.query.setText("contract breach")
    qtbot.waitUntil(lambda: window.search.model.rowCount() > 0 and window.preview.passage is not None, timeout=SLOW)
    assert narrowest_width(window) <= 800
    window.resize(800, 600)
    narrowest_width(window)
    assert window.width() == 800
    search = window.search
    combos = [search.mode, search.folder, search.types, search.modified]

    def boxes() -> list[QRect]:
        return [QRect(c.mapTo(search, QPoint(0, 0)), c.size()) for c in combos]

    for combo, box in zip(combos, boxes()):
        assert combo.isVisibleTo(window) and combo.width() >= combo.minimumSizeHint().width()
        assert search.rect().contains(box)
    shown = boxes()
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])
    assert search.view.geometry().top() > max(b.bottom() for b in shown)  # the filters push the list down
    window.resize(1600, 1000)  # and back: one line again
    narrowest_width(window)
    assert len({b.top() for b in boxes()}) == 1


def test_the_question_box_keeps_room_to_type_in_a_small_window(qtbot: Any, indexed: Path, launch: Any) -> None:
    """At 800 px the answer-style list took the row and left the question box a dozen characters wide."""
    app = launch()
    window = app.window
    window.focus_ask()
    window.resize(800, 600)
    assert narrowest_width(window) <= 800
    ask = window.ask
    assert ask.question.width() >= ask.question.fontMetrics().averageCharWidth() * 30
    assert ask.style_choice.isVisibleTo(window) and ask.style_choice.width() >= ask.question.fontMetrics().averageCharWidth() * 10
