"""The file-type filter offers the e-book, OpenDocument, RTF and Outlook files Cairn reads, and narrows to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.cairn import Cairn
from tests.books import epub, odf
from tests.desktop.conftest import SLOW
from tests.outlook import outlook_message


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "voyage.epub").write_bytes(epub("The Salt Road", [("c1.xhtml", "<p>The lighthouse keeper waved.</p>")]))
    (folder / "minutes.odt").write_bytes(odf("text", "<text:p>The council will repaint the lighthouse.</text:p>"))
    (folder / "claim.rtf").write_bytes(b"{\\rtf1\\ansi The lighthouse lamp was broken on the night.\\par}")
    return folder


def names(app: Any) -> set[str]:
    return {Path(r.path).name for r in app.window.search.model.results}


def test_the_type_filter_narrows_to_books_opendocument_and_rtf(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    search.mode.setCurrentIndex(search.mode.findData("keyword"))
    search.query.setText("lighthouse")
    qtbot.waitUntil(lambda: names(app) == {"voyage.epub", "minutes.odt", "claim.rtf"}, timeout=SLOW)
    for label, name in (("E-books", "voyage.epub"), ("OpenDocument", "minutes.odt"), ("Rich text (RTF)", "claim.rtf")):
        assert search.types.findText(label) > 0, label
        search.types.setCurrentIndex(search.types.findText(label))
        qtbot.waitUntil(lambda name=name: names(app) == {name}, timeout=SLOW)


def test_the_email_filter_takes_outlook_messages_with_eml_files(qtbot: Any, tmp_path: Path, cairn_home: Path,
                                                                 real_embedder: Any, launch: Any) -> None:
    """To the user an Outlook message is e-mail: one choice finds both, and mailboxes keep theirs."""
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "ferry.msg").write_bytes(outlook_message("Ferry times", text="The lighthouse ferry leaves at nine."))
    (folder / "ferry.eml").write_bytes(b"Subject: Ferry\r\n\r\nThe lighthouse ferry is late today.\r\n")
    (folder / "notes.txt").write_text("The lighthouse ferry timetable, copied by hand.")
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        for _ in cairn.index():
            pass
    app = launch()
    search = app.window.search
    search.mode.setCurrentIndex(search.mode.findData("keyword"))
    search.query.setText("lighthouse ferry")
    qtbot.waitUntil(lambda: names(app) == {"ferry.msg", "ferry.eml", "notes.txt"}, timeout=SLOW)
    search.types.setCurrentIndex(search.types.findText("E-mail"))
    qtbot.waitUntil(lambda: names(app) == {"ferry.msg", "ferry.eml"}, timeout=SLOW)


def test_the_type_filter_offers_fictionbook_with_e_books_and_gnumeric_and_office_templates() -> None:
    from desktop.search import TYPES

    offered = dict(TYPES)
    assert ".fb2" in offered["E-books"] and ".epub" in offered["E-books"]
    assert offered["Gnumeric"] == (".gnumeric",)
    assert {".docm", ".dotx", ".dot"} <= set(offered["Word"]) and {".xlsm", ".xla"} <= set(offered["Excel"])
    assert ".ppsx" in offered["PowerPoint"]
