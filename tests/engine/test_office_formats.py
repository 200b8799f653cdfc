"""Slides, spreadsheets and mailboxes as a person searches them: found by their words, each passage
under its slide title, sheet name or message subject, and a broken file named as broken.

The files are real ones on disk, written by the libraries other software uses (python-pptx,
openpyxl, the email package) or edited byte by byte where a library cannot write the case
(a formula's cached value, a zip bomb, an entity bomb). Keyword search needs no real model,
so the fake embedder stands in where only the words matter.
"""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pptx
import pytest
from pptx.util import Inches

from engine.cairn import Cairn
from engine.errors import ExtractionError
from engine.extract import Document, extract
from engine.runtime.sandbox import Limits, SandboxedExtractor
from tests.books import big_old_sheet, big_sheet, office_zip_bomb, password_protected
from tests.fakes import FakeEmbedder

LIMIT = 50 * 1024 * 1024


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    return tmp_path / "docs"


def indexed(tmp_path: Path, extractor: Callable[[Path, int], Document] = extract) -> Cairn:
    cairn = Cairn(tmp_path / "home", embedder=FakeEmbedder(), extractor=extractor)
    cairn.add_folder(tmp_path / "docs")
    for _ in cairn.index():
        pass
    return cairn


def problems(cairn: Cairn) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in cairn.status().problems}


def reason(path: Path) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(path, LIMIT)
    return str(caught.value)


def with_member(data: bytes, name: str, replace: tuple[bytes, bytes] | None = None, content: bytes | None = None) -> bytes:
    """The same package with one part's bytes replaced, as a careless (or hostile) tool leaves it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            member = source.read(info)
            if info.filename == name:
                member = content if content is not None else member.replace(*replace)  # type: ignore[misc]
            copy.writestr(info.filename, member)
    return out.getvalue()


# --- PowerPoint ---------------------------------------------------------------------------------


def pitch_deck() -> bytes:
    deck = pptx.Presentation()
    deck.core_properties.title = "Harbour pitch"
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "Harbour renewal"
    cover.placeholders[1].text = "A proposal for the town council"
    figures = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    figures.shapes.title.text = "Budget by quarter"
    table = figures.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, row in enumerate((("Quarter", "Spend"), ("Spring", "48,000 EUR"), ("Autumn", "51,500 EUR"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    figures.notes_slide.notes_text_frame.text = "Stress that the dredging contract ends in May."
    loose = deck.slides.add_slide(deck.slide_layouts[6])  # blank: no title
    group = loose.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1)).text_frame.text = "Lighthouse keepers' cottages"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def test_slides_text_tables_and_notes_are_found_under_the_slide_title(tmp_path: Path, docs: Path) -> None:
    (docs / "pitch.pptx").write_bytes(pitch_deck())
    with indexed(tmp_path) as cairn:
        assert problems(cairn) == {}
        [table_hit] = cairn.search("Autumn 51,500", mode="keyword")
        assert (Path(table_hit.path).name, table_hit.page, table_hit.heading) == ("pitch.pptx", 2, "Budget by quarter")
        assert "Autumn | 51,500 EUR" in table_hit.text, "a table row reads as one line"
        [notes_hit] = cairn.search("dredging contract", mode="keyword")
        assert (notes_hit.page, notes_hit.heading) == (2, "Budget by quarter"), "speaker notes belong to their slide"
        [cover_hit] = cairn.search("town council", mode="keyword")
        assert (cover_hit.page, cover_hit.heading, cover_hit.title) == (1, "Harbour renewal", "Harbour pitch")
        [grouped_hit] = cairn.search("lighthouse cottages", mode="keyword")
        assert (grouped_hit.page, grouped_hit.heading) == (3, "Slide 3"), \
            "text in a group is found, and an untitled slide is not filed under the slide before it"


def test_damaged_and_locked_presentations_give_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pptx"
    broken.write_bytes(b"PK\x03\x04" + b"confidential merger " * 50)
    assert reason(broken).startswith("damaged PowerPoint file") and "merger" not in reason(broken)
    no_slides_part = tmp_path / "cut.pptx"
    no_slides_part.write_bytes(with_member(pitch_deck(), "ppt/presentation.xml", content=b"<not-xml"))
    assert reason(no_slides_part).startswith("damaged PowerPoint file")
    locked = tmp_path / "locked.pptx"
    locked.write_bytes(password_protected(pitch_deck()))
    assert reason(locked) == "password-protected PowerPoint file: Cairn reads only presentations saved without a password"
    other = tmp_path / "old.pptx"  # an OLE container that is not encrypted: a 97-2003 file, but not PowerPoint
    other.write_bytes(big_old_sheet(3))
    assert reason(other).startswith("not a PowerPoint presentation: an Office 97-2003 file of another kind")
    # a real PowerPoint 97-2003 file under the new name is read: tests/engine/test_more_formats.py


# --- Excel --------------------------------------------------------------------------------------


def ledger() -> bytes:
    book = openpyxl.Workbook()
    invoices = book.active
    invoices.title = "Invoices 2024"
    invoices.append(["Client", "Amount", "Due", "Paid"])
    invoices.append(["Harbour Ltd", 1200.5, datetime.date(2024, 3, 1), True])
    invoices.append(["Ferry Company", 3000, datetime.datetime(2024, 4, 15), False])
    invoices["B5"] = "=SUM(B2:B3)"
    invoices["A5"] = "Total"
    contacts = book.create_sheet("Contacts")
    contacts.append(["Name", "Role"])
    contacts.append(["Maren Olsen", "harbour master"])
    contacts["C40"] = "far below, after empty rows"
    book.properties.title = "Ledger"
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl writes a formula without the value Excel caches beside it; Excel always writes one
    return with_member(buffer.getvalue(), "xl/worksheets/sheet1.xml",
                       replace=(b"<f>SUM(B2:B3)</f><v></v>", b"<f>SUM(B2:B3)</f><v>4200.5</v>"))


def test_sheets_are_headings_and_rows_are_lines_of_cached_values(tmp_path: Path, docs: Path) -> None:
    (docs / "ledger.xlsx").write_bytes(ledger())
    doc = extract(docs / "ledger.xlsx", LIMIT)
    assert [h.text for h in doc.headings] == ["Invoices 2024", "Contacts"]
    assert doc.title == "Ledger"
    assert ("Client | Amount | Due | Paid\nHarbour Ltd | 1200.5 | 2024-03-01 | TRUE\n"
            "Ferry Company | 3000 | 2024-04-15 | FALSE") in doc.text
    assert "Total | 4200.5" in doc.text and "SUM" not in doc.text, "a formula reads as the value Excel shows"
    with indexed(tmp_path) as cairn:
        [hit] = cairn.search("Maren Olsen", mode="keyword")
        assert (Path(hit.path).name, hit.heading, hit.page) == ("ledger.xlsx", "Contacts", None)
        [total] = cairn.search("4200.5", mode="keyword")
        assert total.heading == "Invoices 2024"
        assert [r.heading for r in cairn.search("far below", mode="keyword")] == ["Contacts"]


def test_damaged_locked_and_bomb_workbooks_are_refused_with_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(ledger()[:3000])  # an unfinished download
    assert reason(broken).startswith("damaged Excel file")
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(password_protected(ledger()))
    assert reason(locked) == "password-protected Excel file: Cairn reads only workbooks saved without a password"
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(office_zip_bomb("xl/worksheets/sheet1.xml"))
    assert bomb.stat().st_size < 200_000
    assert reason(bomb).startswith("Excel file refused") and "zip bomb" in reason(bomb)


def test_an_entity_bomb_in_a_sheet_is_damaged_not_expanded(tmp_path: Path) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "' + b"lol" * 10 + b'">'
              + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(8))
              + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>')
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(with_member(ledger(), "xl/worksheets/sheet1.xml", content=laughs))
    assert reason(path).startswith("damaged Excel file")


# Both Excel formats share one way of writing sheets (engine.extract.sheets): the same limits, the same words.
SHEETS = [pytest.param("xlsx", big_sheet, id="xlsx"), pytest.param("xls", big_old_sheet, id="xls")]


@pytest.mark.parametrize(("kind", "build"), SHEETS)
def test_a_huge_sheet_stops_at_the_character_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str,
                                                   build: Callable[[int], bytes]) -> None:
    monkeypatch.setattr(f"engine.extract.{kind}.MAX_CHARS", 20_000)
    path = tmp_path / f"readings.{kind}"
    path.write_bytes(build(5000))
    doc = extract(path, LIMIT)
    assert doc.truncated and len(doc.text) == 20_000
    assert doc.text.startswith("Readings\n\nstation 0 | 0 | calm sea\nstation 1 | 1 | calm sea")


@pytest.mark.parametrize(("kind", "build"), SHEETS)
def test_a_sheet_still_being_read_at_the_deadline_keeps_the_rows_read(tmp_path: Path, kind: str,
                                                                      build: Callable[[int], bytes]) -> None:
    path = tmp_path / f"readings.{kind}"
    path.write_bytes(build(5000))
    doc = extract(path, LIMIT, deadline=time.monotonic() - 1)  # the time was spent before the first row
    assert doc.truncated and "station 998 | 998 | calm sea" in doc.text and "station 1000 " not in doc.text
    assert doc.gap == "the rows after row 999 of sheet 1, and the sheets after it, were not read in the time allowed"


# --- Mailboxes ----------------------------------------------------------------------------------


def message(subject: str | None, sender: str, body: str, day: int) -> bytes:
    mail = EmailMessage()
    if subject is not None:
        mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = "Ines Duarte <ines@example.org>"
    mail["Date"] = f"Mon, {day} Jan 2024 10:00:00 +0000"
    mail.set_content(body)
    quoted = re.sub(rb"(?m)^(>*From )", rb">\1", bytes(mail))  # as every mail program writes a mailbox
    return f"From {sender.split('<')[-1].rstrip('>')} Mon Jan {day:2d} 10:00:00 2024\n".encode() + quoted + b"\n"


def mailbox() -> bytes:
    return b"".join([
        message("Lease of the boathouse", "Tomas Berg <tomas@example.org>",
                "The boathouse lease runs until October.\nFrom now on the rent is paid monthly.", 1),
        message("Re: Lease of the boathouse", "Ines Duarte <ines@example.org>",
                "Agreed. I will ask the notary about the deposit.\n", 2),
        message(None, "Port office <office@example.org>", "The slipway is closed for repairs this week.", 3),
    ])


def test_each_message_of_a_mailbox_is_a_section_under_its_subject(tmp_path: Path, docs: Path) -> None:
    (docs / "archive.mbox").write_bytes(mailbox())
    doc = extract(docs / "archive.mbox", LIMIT)
    assert [h.text for h in doc.headings] == ["Lease of the boathouse", "Re: Lease of the boathouse", "(no subject)"]
    assert "From: Tomas Berg <tomas@example.org>\nTo: Ines Duarte <ines@example.org>\nDate: Mon, 01 Jan 2024" in doc.text
    assert "October.\nFrom now on the rent is paid monthly." in doc.text, \
        'a body line starting "From " (quoted ">From " in the file) is itself again'
    with indexed(tmp_path) as cairn:
        assert problems(cairn) == {}
        # indexed a message at a time, each a sub-document titled by its subject (issue #25, docs/containers.md)
        [hit] = cairn.search("notary deposit", mode="keyword")
        assert (hit.path, hit.title) == (str(docs / "archive.mbox") + "//message 2", "Re: Lease of the boathouse")
        assert "From: Ines Duarte" in hit.text, "the passage says who wrote it"
        assert [Path(r.path).name for r in cairn.search("slipway repairs", mode="keyword")] == ["message 3"]


def test_a_mailbox_still_being_read_at_the_deadline_keeps_the_messages_read(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    path.write_bytes(b"".join(message(f"Tide table {i}", "Port office <office@example.org>", "High water.", 1)
                              for i in range(250)))
    doc = extract(path, LIMIT, deadline=time.monotonic() - 1)
    assert [h.text for h in doc.headings][-1] == "Tide table 99" and doc.truncated
    assert doc.gap == "the messages after the first 100 were not read in the time allowed"


def test_a_file_named_mbox_without_messages_gives_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.mbox"
    path.write_bytes(b"Just some private text, not a mailbox.\n")
    text = reason(path)
    assert text.startswith("not a mailbox") and "private" not in text


# --- Through the real reader process ------------------------------------------------------------


def test_new_formats_through_the_sandboxed_reader_and_broken_ones_fail_alone(tmp_path: Path, docs: Path) -> None:
    (docs / "pitch.pptx").write_bytes(pitch_deck())
    (docs / "ledger.xlsx").write_bytes(ledger())
    (docs / "archive.mbox").write_bytes(mailbox())
    (docs / "broken.pptx").write_bytes(b"PK\x03\x04" + b"confidential merger " * 50)
    (docs / "broken.xlsx").write_bytes(ledger()[:3000])
    (docs / "notes.mbox").write_bytes(b"Just some private text.\n")
    (docs / "after.txt").write_text("An ordinary note about the village fair.")
    extractor = SandboxedExtractor(Limits(seconds=20.0, memory_mb=1024))
    try:
        with indexed(tmp_path, extractor) as cairn:
            why = problems(cairn)
            assert set(why) == {"broken.pptx", "broken.xlsx", "notes.mbox"}, why
            assert why["broken.pptx"] == "damaged PowerPoint file: not a valid .pptx file"
            assert why["broken.xlsx"] == "damaged Excel file: not a valid .xlsx file"
            assert why["notes.mbox"].startswith("not a mailbox")
            found = {Path(r.path).name: (r.heading, r.page)
                     for query in ("dredging contract", "Maren Olsen", "notary deposit", "village fair")
                     for r in cairn.search(query, mode="keyword")}
            assert found == {
                "pitch.pptx": ("Budget by quarter", 2),
                "ledger.xlsx": ("Contacts", None),
                "message 2": (None, None),  # of archive.mbox: a message is a sub-document of its own (issue #25)
                "after.txt": (None, None),
            }
    finally:
        extractor.close()
