"""Formats found on real disks that Cairn refused (docs/realworld.md): Maildir messages and mail saved
without .eml, Office templates, slide shows and macro-enabled files, Gnumeric workbooks and FictionBook
e-books. The Office files are real ones (tests/fixtures/variants, whose README says where each comes
from); the mail, Gnumeric and FictionBook files are written here as those programs write them.
"""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from engine.errors import ExtractionError
from engine.extract import extract, is_supported, reader_version
from engine.extract.kinds import extensions_by_kind, page_label

LIMIT = 50 * 1024 * 1024
FIXTURES = Path(__file__).parent.parent / "fixtures" / "variants"

_MESSAGE = (
    b"Return-Path: <alice@example.org>\n"
    b"Received: from mail.example.org by mx.example.net; Tue, 4 Dec 2012 01:42:26 +0000\n"
    b"From: Alice Example <alice@example.org>\n"
    b"To: Bob <bob@example.net>\n"
    b"Subject: Budget for the lighthouse repairs\n"
    b"Date: Tue, 4 Dec 2012 01:42:20 +0000\n"
    b"Message-ID: <1354585346.261@example.org>\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=\"b1\"\n"
    b"\n"
    b"--b1\n"
    b"Content-Type: text/plain; charset=utf-8\n"
    b"\n"
    b"The keeper needs a new lens before the winter storms.\n"
    b"--b1\n"
    b"Content-Type: application/octet-stream; name=\"quote.bin\"\n"
    b"Content-Disposition: attachment; filename=\"quote.bin\"\n"
    b"Content-Transfer-Encoding: base64\n"
    b"\n"
)


def _message() -> bytes:
    attachment = base64.encodebytes(bytes(range(256)) * 200)
    return _MESSAGE + attachment + b"--b1--\n"


@pytest.mark.parametrize("name", ["1354585346.000261:2,", "1382298587.M1P2.host,S=4213:2,S", "mail_test_3"])
def test_a_maildir_message_or_a_mail_without_extension_is_read_as_mail(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_message())
    assert is_supported(path)
    document = extract(path, LIMIT)
    assert "Budget for the lighthouse repairs" in document.text
    assert "The keeper needs a new lens" in document.text
    assert "quote.bin" in document.text  # the attachment is named ...
    assert base64.encodebytes(bytes(range(48))).decode()[:40] not in document.text  # ... not pasted in as base64
    assert len(document.text) < 1000


def test_text_that_merely_starts_with_a_colon_line_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "NOTES"
    path.write_text("Subject: things to buy\n\nmilk\nFrom: the corner shop\n", encoding="utf-8")
    document = extract(path, LIMIT)
    assert document.text.startswith("Subject: things to buy")  # one mail field is not a mail header
    assert document.kind == "text"


def test_a_suffix_of_digits_or_with_colons_is_no_extension_but_a_real_unknown_one_stays_refused() -> None:
    assert is_supported(Path("cur/1354585346.000261:2,"))
    assert is_supported(Path("notes.1"))
    assert not is_supported(Path("film.mkv"))
    assert reader_version(Path("cur/1354585346.000261:2,")) == reader_version(Path("README")) >= 3


@pytest.mark.parametrize(("name", "kind", "words"), [
    ("embedded-simple-2007.dotx", "docx", "This document contains an embedded file"),
    ("embedded-simple-2007.ppsx", "pptx", "This slide contains an embedded object"),
    ("embedded-simple-2007.dot", "doc", "This document contains an embedded file"),
    ("embedded-simple-2007.xla", "xls", "This spreadsheet contains an embedded object"),
])
def test_office_templates_slide_shows_and_add_ins_read_as_their_documents(
        tmp_path: Path, name: str, kind: str, words: str) -> None:
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes())
    document = extract(path, LIMIT)
    assert document.kind == kind
    assert words in document.text


@pytest.mark.parametrize("suffix", [".docm", ".dotm", ".pptm", ".potx", ".ppsm"])
def test_a_macro_enabled_name_on_a_template_is_read_too(tmp_path: Path, suffix: str) -> None:
    source = "embedded-simple-2007.dotx" if suffix.startswith(".d") else "embedded-simple-2007.ppsx"
    path = tmp_path / f"copy{suffix}"
    path.write_bytes((FIXTURES / source).read_bytes())
    assert "contains an embedded" in extract(path, LIMIT).text


def test_a_slide_show_names_its_pages_slides() -> None:
    assert page_label("talk.ppsx", 3) == "slide 3"


def _gnumeric(cells: str) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd"><gnm:Sheets>'
        f'<gnm:Sheet><gnm:Name>Tide tables</gnm:Name><gnm:Cells>{cells}</gnm:Cells></gnm:Sheet>'
        '<gnm:Sheet><gnm:Name>Empty</gnm:Name><gnm:Cells/></gnm:Sheet>'
        '</gnm:Sheets></gnm:Workbook>'
    )
    return gzip.compress(xml.encode())


def test_a_gnumeric_workbook_reads_sheets_as_headings_and_rows_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "tides.gnumeric"
    path.write_bytes(_gnumeric(
        '<gnm:Cell Row="0" Col="0" ValueType="60">Harbour</gnm:Cell>'
        '<gnm:Cell Row="0" Col="1" ValueType="60">High water</gnm:Cell>'
        '<gnm:Cell Row="1" Col="0" ValueType="60">Saint-Malo</gnm:Cell>'
        '<gnm:Cell Row="1" Col="1" ValueType="40">12.5</gnm:Cell>'
        '<gnm:Cell Row="2" Col="1" ValueType="40">3</gnm:Cell>'
        '<gnm:Cell Row="3" Col="1" ExprID="1">=sum(B2:B3)</gnm:Cell>'
    ))
    document = extract(path, LIMIT)
    assert document.kind == "gnumeric"
    assert [heading.text for heading in document.headings] == ["Tide tables", "Empty"]
    assert "Harbour | High water\nSaint-Malo | 12.5\n3" in document.text
    assert "=sum" not in document.text  # a formula's value is not stored, its expression is not text


def test_a_damaged_gnumeric_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.gnumeric"
    path.write_bytes(_gnumeric("")[:40])
    with pytest.raises(ExtractionError, match="damaged Gnumeric file"):
        extract(path, LIMIT)


_FB2 = """<?xml version="1.0" encoding="UTF-8"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">
<description><title-info><book-title>Записки маяка</book-title></title-info></description>
<body>
<title><p>Записки маяка</p></title>
<section><title><p>Глава первая</p></title>
<epigraph><p>Свет для тех, кто в море.</p></epigraph>
<p>Смотритель зажёг лампу в шесть часов.</p>
<section><title><p>Буря</p></title><poem><stanza><v>Волна за волной</v></stanza></poem></section>
</section>
</body>
<body name="notes"><section id="n1"><title><p>1</p></title><p>Маяк на острове.</p></section></body>
<binary id="cover.jpg" content-type="image/jpeg">/9j/4AAQSkZJRgABAQEASABIAAD/</binary>
</FictionBook>
"""


def test_a_fictionbook_e_book_reads_its_title_chapters_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "mayak.fb2"
    path.write_text(_FB2, encoding="utf-8")
    document = extract(path, LIMIT)
    assert document.kind == "fb2"
    assert document.title == "Записки маяка"
    assert [(h.text, h.level) for h in document.headings][:3] == [
        ("Записки маяка", 1), ("Глава первая", 2), ("Буря", 3)]
    for words in ("Свет для тех", "Смотритель зажёг лампу", "Волна за волной", "Маяк на острове"):
        assert words in document.text
    assert "/9j/" not in document.text


def test_a_damaged_fictionbook_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "cut.fb2"
    path.write_text(_FB2[:300], encoding="utf-8")
    with pytest.raises(ExtractionError, match="damaged FictionBook file"):
        extract(path, LIMIT)


def test_the_type_filter_offers_the_new_formats() -> None:
    kinds = extensions_by_kind()
    assert {".docm", ".dotx", ".dotm"} <= set(kinds["docx"])
    assert {".ppsx", ".potx", ".pptm"} <= set(kinds["pptx"]) and kinds["ppt"] == (".pot", ".pps", ".ppt")
    assert {".xlsm", ".xltx"} <= set(kinds["xlsx"])
    assert ".dot" in kinds["doc"] and ".xla" in kinds["xls"]
    assert kinds["gnumeric"] == (".gnumeric",) and kinds["fb2"] == (".fb2",)


def test_an_rtf_fragment_without_its_header_is_read(tmp_path: Path) -> None:
    """As pandoc writes one (its test/tables.rtf): groups of paragraphs, no `{\\rtf1` around them."""
    path = tmp_path / "table.rtf"
    path.write_bytes(b"{\\pard \\ql \\f0 \\sa180 Tide table for the harbour:\\par}\n"
                     b"{\\trowd \\trgaph120\\cellx2160\\cellx4320\n"
                     b"{{\\pard\\intbl \\ql Saint-Malo\\par}\\cell}{{\\pard\\intbl \\qr 12.5\\par}\\cell}\\row}\n")
    document = extract(path, LIMIT)
    assert "Tide table for the harbour:" in document.text
    assert "Saint-Malo" in document.text and "12.5" in document.text


def test_a_file_named_rtf_that_is_no_rtf_at_all_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.rtf"
    path.write_bytes(b"{ not rtf, a JSON-ish brace }")
    with pytest.raises(ExtractionError, match="damaged RTF file"):
        extract(path, LIMIT)


@pytest.mark.parametrize("name", ["deck.ppt", "show.pps", "design.pot", "saved-as-new.pptx"])
def test_a_powerpoint_97_2003_file_reads_slide_by_slide_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes((FIXTURES / "embedded-simple-2007.ppt").read_bytes())
    document = extract(path, LIMIT)
    assert document.text.startswith("Embedded Objects\n\nThis slide contains an embedded object")
    assert [(h.text, h.level) for h in document.headings] == [("Embedded Objects", 1)]
    assert [(p.number, p.start) for p in document.pages] == [(1, 0)]
    assert page_label(path, 1) == "slide 1"


def test_a_powerpoint_97_2003_file_with_a_password_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "locked.ppt"
    path.write_bytes((FIXTURES / "encrypted.ppt").read_bytes())
    with pytest.raises(ExtractionError, match="password-protected PowerPoint file"):
        extract(path, LIMIT)


def test_a_damaged_powerpoint_97_2003_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "cut.ppt"
    path.write_bytes((FIXTURES / "embedded-simple-2007.ppt").read_bytes()[:3000])
    with pytest.raises(ExtractionError, match="damaged PowerPoint"):
        extract(path, LIMIT)
