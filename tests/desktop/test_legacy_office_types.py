"""The file-type filter's Word and Excel choices take in the 97-2003 files (.doc, .xls) as well."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.containers import docx_bytes, xlsx_bytes
from tests.desktop.conftest import SLOW
from tests.desktop.test_book_and_office_types import names
from tests.engine.test_legacy_office import fixture, old_ledger


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "old-ledger.xls").write_bytes(old_ledger())  # "harbour master" in its Contacts sheet
    (folder / "new-ledger.xlsx").write_bytes(xlsx_bytes("Maren Olsen, harbour master, a harmless woman"))
    (folder / "old-letter.doc").write_bytes(fixture("harmless-clean.doc"))  # "a harmless test document"
    (folder / "new-letter.docx").write_bytes(docx_bytes("Another harmless letter from the harbour master."))
    return folder


def test_the_word_and_excel_choices_include_the_old_formats(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    search = app.window.search
    search.mode.setCurrentIndex(search.mode.findData("keyword"))
    for query, everything, label, shown in (
        ("harmless", {"old-letter.doc", "new-letter.docx", "new-ledger.xlsx"}, "Word", {"old-letter.doc", "new-letter.docx"}),
        ("harbour master", {"old-ledger.xls", "new-ledger.xlsx", "new-letter.docx"}, "Excel",
         {"old-ledger.xls", "new-ledger.xlsx"}),
    ):
        search.types.setCurrentIndex(0)  # any type
        search.query.setText(query)
        qtbot.waitUntil(lambda everything=everything: names(app) == everything, timeout=SLOW)
        assert search.types.findText(label) > 0, label
        search.types.setCurrentIndex(search.types.findText(label))
        qtbot.waitUntil(lambda shown=shown: names(app) == shown, timeout=SLOW)
