"""A file that cannot be read is listed with the reason, and the rest is still searchable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop import writer as W
from desktop.problems import ProblemsView
from engine.cairn import FileProblem, Status
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW, wait_for_writer


def test_a_corrupt_pdf_appears_in_the_errors_view(qtbot: Any, docs: Path, launch: Any) -> None:
    (docs / "scan-2019.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a real pdf\n")
    app = launch()
    window = app.window
    app.writer.add_folder(str(docs))
    qtbot.waitUntil(lambda: any(name == "scan-2019.pdf" for name, _ in window.problems.rows()), timeout=SLOW)
    wait_for_writer(qtbot, app, W.WATCHING)
    reason = dict(window.problems.rows())["scan-2019.pdf"]
    assert reason and "not a real pdf" not in reason  # a reason, never the file's content
    assert window.tabs.tabText(3).replace("&", "") == "Problems (1)"
    assert app.session.status.folders[0].by_status.get("indexed") == len(DOCS)
    window.problems.filter.setText("nothing like this")
    assert window.problems.rows() == []


class StatusSource(QObject):
    """Stands in for the session: the view only listens to its status."""

    statusChanged = Signal(object)


def problems(count: int) -> Status:
    found = tuple(FileProblem(f"/docs/scan-{n:03d}.pdf", "error", "damaged PDF") for n in range(count))
    return Status(home="", database="", model=None, dimensions=None, folders=(), files=0, chunks=0,
                  problems=found)


def chosen(view: ProblemsView) -> str:
    item = view.table.currentItem()
    return item.text(0) if item else ""


def at_top(view: ProblemsView) -> str:
    item = view.table.itemAt(0, 0)
    return item.text(0) if item else ""


def test_a_refresh_keeps_the_chosen_file_and_the_place_in_the_list(qtbot: Any) -> None:
    source = StatusSource()
    view = ProblemsView(source)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    source.statusChanged.emit(problems(200))
    qtbot.waitUntil(lambda: view.table.verticalScrollBar().maximum() > 0)  # laid out
    view.table.setCurrentIndex(view.table.model().index(150, 0))  # the person scrolls down and picks a file
    qtbot.wait(50)
    top = at_top(view)
    assert top not in ("", "scan-000.pdf")
    source.statusChanged.emit(problems(201))  # indexing found one more unreadable file (every 2.5 s)
    qtbot.wait(50)
    assert chosen(view) == "scan-150.pdf"
    assert "scan-150.pdf" in view.detail.text()  # what Show in folder and Copy path act on
    assert at_top(view) == top  # the list did not jump
    view.filter.setText("scan-15")  # a filter that still lists it keeps it chosen
    assert chosen(view) == "scan-150.pdf"


class FailsOnAWord:
    """The real model, failing on one word's passages: a failure after reading, in the app's own writer."""

    def __init__(self, real: Any, word: str) -> None:
        self.real, self.word = real, word

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def embed_batch(self, texts: Any, role: str = "passage") -> Any:
        if any(self.word in t for t in texts):
            raise RuntimeError("llama_decode returned -1")
        return self.real.embed_batch(texts, role)


def test_a_file_that_fails_after_reading_is_listed_and_the_app_goes_on_watching(
        qtbot: Any, docs: Path, launch: Any, real_embedder: Any) -> None:
    """Issue #22 in the app: the watcher records the file, lists it with its reason, and indexes the rest."""
    (docs / "ledger.txt").write_text("The quartermaster's zanzibarquux ledger of the spring voyage.")
    app = launch(FailsOnAWord(real_embedder, "zanzibarquux"))
    window = app.window
    app.writer.add_folder(str(docs))
    qtbot.waitUntil(lambda: "ledger.txt" in dict(window.problems.rows()), timeout=SLOW)
    wait_for_writer(qtbot, app, W.WATCHING)
    reason = dict(window.problems.rows())["ledger.txt"]
    assert "while embedding" in reason and "zanzibarquux" not in reason
    (docs / "later.txt").write_text("Notes from the harbour pilot's later watch.")
    qtbot.waitUntil(lambda: app.session.status is not None and app.session.status.folders[0].by_status.get(
        "indexed") == len(DOCS) + 1, timeout=SLOW)
    assert app.writer.state == W.WATCHING
