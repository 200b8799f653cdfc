"""Word and Excel 97-2003 files (.doc, .xls) as a person searches them: found by their words, sheets
as headings, and a broken or password-protected file named as such while the rest is indexed.

The .xls files are written by xlwt (the writer of the .xls format in Python); the .doc files
are real ones saved by Word and WPS Office (tests/fixtures/office97, whose README says where
each comes from), edited byte by byte where the case needs it (an old Word 95 header, a
truncated download). Keyword search needs no real model, so the fake embedder stands in.
"""

from __future__ import annotations

import datetime
import io
import struct
from pathlib import Path

import olefile
import xlwt

from engine.extract import Document, extract
from engine.runtime.sandbox import Limits, SandboxedExtractor
from tests.engine.test_office_formats import LIMIT, docs, indexed, problems, reason  # noqa: F401  (docs: fixture)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "office97"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read_fixture(tmp_path: Path, name: str) -> Document:
    """A fixture as the reader gets it: copied to a file of the user's and read by extension."""
    path = tmp_path / name
    path.write_bytes(fixture(name))
    return extract(path, LIMIT)


# --- Excel 97-2003 ------------------------------------------------------------------------------


def old_ledger() -> bytes:
    book = xlwt.Workbook()
    day, moment, clock = (xlwt.easyxf(num_format_str=f) for f in ("YYYY-MM-DD", "YYYY-MM-DD hh:mm", "hh:mm"))
    invoices = book.add_sheet("Invoices 2024")
    for column, title in enumerate(["Client", "Amount", "Due", "Paid"]):
        invoices.write(0, column, title)
    invoices.write(1, 0, "Harbour Ltd")
    invoices.write(1, 1, 1200.5)
    invoices.write(1, 2, datetime.date(2024, 3, 1), day)
    invoices.write(1, 3, True)
    invoices.write(2, 0, "Ferry Company")
    invoices.write(2, 1, 3000)
    invoices.write(2, 2, datetime.datetime(2024, 4, 15, 9, 30), moment)
    invoices.write(2, 3, False)
    invoices.write(4, 0, "Office opens")  # after an empty row: another block
    invoices.write(4, 1, datetime.time(8, 45), clock)
    contacts = book.add_sheet("Contacts")
    contacts.write(0, 0, "Name")
    contacts.write(0, 1, "Role")
    contacts.write(1, 0, "Maren Olsen")
    contacts.write(1, 1, "harbour master")
    contacts.write(2, 0, "Zoë Ødegård")
    contacts.write(2, 1, "Übersetzerin, Ελληνικά")
    contacts.write(39, 2, "far below, after empty rows")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xls_workbook_reads_as_an_xlsx_one_sheets_as_headings_rows_as_lines(tmp_path: Path, docs: Path) -> None:
    (docs / "ledger.xls").write_bytes(old_ledger())
    doc = extract(docs / "ledger.xls", LIMIT)
    assert doc.kind == "xls"
    assert [h.text for h in doc.headings] == ["Invoices 2024", "Contacts"]
    assert ("Client | Amount | Due | Paid\nHarbour Ltd | 1200.5 | 2024-03-01 | TRUE\n"
            "Ferry Company | 3000 | 2024-04-15T09:30:00 | FALSE\n\nOffice opens | 08:45:00") in doc.text
    assert "Zoë Ødegård | Übersetzerin, Ελληνικά" in doc.text
    with indexed(tmp_path) as cairn:
        assert problems(cairn) == {}
        [hit] = cairn.search("Maren Olsen", mode="keyword")
        assert (Path(hit.path).name, hit.heading, hit.page) == ("ledger.xls", "Contacts", None)
        assert [r.heading for r in cairn.search("2024-03-01", mode="keyword")] == ["Invoices 2024"]
        assert [r.heading for r in cairn.search("far below", mode="keyword")] == ["Contacts"]


def test_damaged_and_password_protected_xls_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xls"
    broken.write_bytes(old_ledger()[:3000])  # an unfinished download
    assert reason(broken) == "damaged Excel file: not a valid .xls file"
    text = tmp_path / "notes.xls"
    text.write_bytes(b"Client;Amount\nHarbour Ltd;1200.5\n" * 100)  # a text export given the old name
    assert reason(text) == "damaged Excel file: not a valid .xls file"
    locked = tmp_path / "locked.xls"
    locked.write_bytes(fixture("encrypted.xls"))  # saved by Excel with a password to open
    assert reason(locked) == "password-protected Excel file: Cairn reads only workbooks saved without a password"


# --- Word 97-2003 -------------------------------------------------------------------------------


def test_a_doc_saved_by_word_reads_with_its_accented_letters(tmp_path: Path) -> None:
    doc = read_fixture(tmp_path, "harmless-clean.doc")
    assert doc.kind == "doc"
    assert doc.text.startswith("Test\n\nThis is a harmless test document.\n\nIt contains neither macros")
    assert doc.text.endswith("we add some ünicöde-ßtringß and different text sizes, colors and fonts")


def test_a_doc_in_utf16_keeps_its_script_and_its_table_rows(tmp_path: Path) -> None:
    doc = read_fixture(tmp_path, "camping-guide-zh.doc")
    assert doc.text.startswith("春季露营活动指南\n\n一、活动筹备清单")
    assert "\n\n日期 | 上午行程 | 下午行程 | 晚上安排\n\n第一天 | 9点集合出发" in doc.text, "a table row is a line of cells"


def test_fields_show_their_results_not_their_codes_and_the_title_comes_from_the_properties(tmp_path: Path) -> None:
    doc = read_fixture(tmp_path, "tenders-de.doc")
    assert doc.title == "(53121) [Vergeben] Max-Planck-Institut für Radioastronomie – Archiv- u"
    # a table of contents: TOC, HYPERLINK and PAGEREF fields nested, each entry showing its page number
    assert doc.text.startswith("(01097) Sächsisches Staatsministerium für Wirtschaft, Arbeit und Verkehr – CAFM System 4")
    for code in ("TOC", "HYPERLINK", "PAGEREF", "_Toc", "MERGEFORMAT"):
        assert code not in doc.text
    assert not any(ord(c) < 0x20 and c != "\n" for c in doc.text), "Word's marks are not text"


def with_header_row_deleted(data: bytes) -> bytes:
    """The guide with its table's header row struck out as a tracked deletion, as Word marks one: each of
    the row's runs is bold (a 3-byte Chpx: sprmCFBold 0x0835, on), made sprmCFRMarkDel (0x0800, on)."""
    bold = b"\x03\x35\x08\x01"
    assert data.count(bold) == 8, "the row's four cells and their four cell marks"
    return data.replace(bold, b"\x03\x00\x08\x01")


def test_text_deleted_with_changes_tracked_is_left_out(tmp_path: Path) -> None:
    original, edited = tmp_path / "guide.doc", tmp_path / "edited.doc"
    original.write_bytes(fixture("camping-guide-zh.doc"))
    edited.write_bytes(with_header_row_deleted(fixture("camping-guide-zh.doc")))
    before, after = extract(original, LIMIT).text, extract(edited, LIMIT).text
    header = "日期 | 上午行程 | 下午行程 | 晚上安排\n\n"
    assert header in before
    assert after == before.replace(header, ""), "only the deleted row is gone"


def word95(data: bytes) -> bytes:
    """The same file with the FIB's mark and version of a Word 95 document, whose layout Cairn does not read."""
    with olefile.OleFileIO(data) as ole:
        sector = ole.root.kids_dict["worddocument"].isectStart
    at = 512 + sector * 512  # the stream's first sector, where the FIB starts
    assert data[at:at + 2] == b"\xec\xa5"
    return data[:at] + b"\xdc\xa5" + (104).to_bytes(2, "little") + data[at + 4:]


def test_protected_old_and_damaged_docs_give_a_reason(tmp_path: Path) -> None:
    cases = {
        "locked.doc": (fixture("encrypted.doc"), "password-protected Word document: Cairn reads only documents saved without a password"),
        "word95.doc": (word95(fixture("harmless-clean.doc")), "Word 6 or Word 95 document: Cairn reads Word 97-2003 "
                       ".doc files (open it in Word and save it again)"),
        "broken.doc": (fixture("harmless-clean.doc")[:4000], "damaged Word document: not a valid .doc file"),
        "sheet.doc": (old_ledger(), "damaged Word document: not a valid .doc file"),  # an OLE file, but not Word's
        "notes.doc": (b"Minutes of the meeting, in plain text. " * 50, "damaged Word document: not a valid .doc file"),
    }
    for name, (data, why) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert reason(tmp_path / name) == why, name


def test_old_word_and_excel_files_under_the_new_names_are_read(tmp_path: Path) -> None:
    # as some web systems and renaming users leave them: a 97-2003 file named .docx or .xlsx
    for name in ("tenders.doc", "tenders.docx"):
        (tmp_path / name).write_bytes(fixture("tenders-de.doc"))
    (tmp_path / "ledger.xlsx").write_bytes(old_ledger())
    word, sheet = extract(tmp_path / "tenders.docx", LIMIT), extract(tmp_path / "ledger.xlsx", LIMIT)
    assert (word.kind, sheet.kind) == ("docx", "xlsx")
    assert word.text == extract(tmp_path / "tenders.doc", LIMIT).text
    assert "Maren Olsen | harbour master" in sheet.text


def test_rtf_saved_under_a_doc_name_is_read_as_rtf_and_a_doc_named_rtf_is_named(tmp_path: Path) -> None:
    path = tmp_path / "letter.doc"
    path.write_bytes(b"{\\rtf1\\ansi The lighthouse lamp was broken on the night of the storm.\\par}")
    doc = extract(path, LIMIT)
    assert (doc.kind, doc.text) == ("doc", "The lighthouse lamp was broken on the night of the storm.")
    renamed = tmp_path / "harmless.rtf"
    renamed.write_bytes(fixture("harmless-clean.doc"))
    assert reason(renamed) == "old-format Word document named .rtf: rename it to .doc for Cairn to read it"


# --- Word 97-2003 headings -----------------------------------------------------------------------

GUIDE_HEADINGS = [
    (1, "春季露营活动指南"), (2, "一、活动筹备清单"), (3, "1. 必备露营装备"), (3, "2. 食材准备计划"),
    (2, "二、三日行程安排"), (2, "三、营地核心景观"), (2, "四、活动注意事项"), (3, "1. 安全规范"), (3, "2. 环保要求"),
]


def word_parts(data: bytes) -> tuple[bytes, bytes, dict[int, tuple[int, int]]]:
    """The WordDocument and table streams, and the (offset, size) pairs of the FIB's FibRgFcLcb97 by index."""
    with olefile.OleFileIO(data) as ole:
        word = ole.openstream("WordDocument").read()
        table = ole.openstream("1Table" if struct.unpack_from("<H", word, 0x0A)[0] & 0x0200 else "0Table").read()
    position = 32 + 2 + 2 * struct.unpack_from("<H", word, 32)[0]
    position += 2 + 4 * struct.unpack_from("<H", word, position)[0]
    count = struct.unpack_from("<H", word, position)[0]
    return word, table, {i: struct.unpack_from("<II", word, position + 2 + 8 * i) for i in range(count)}


def with_stream(data: bytes, name: str, at: int, new: bytes) -> bytes:
    """The same file with bytes of one stream changed in place, as a broken (or hostile) writer leaves them."""
    with olefile.OleFileIO(data, write_mode=True) as ole:
        stream = ole.openstream(name).read()
        ole.write_stream(name, stream[:at] + new + stream[at + len(new):])
        edited: bytes = ole.fp.getvalue()
    return edited


def test_a_docs_heading_styles_are_the_sections_its_passages_carry(tmp_path: Path, docs: Path) -> None:
    (docs / "guide.doc").write_bytes(fixture("camping-guide-zh.doc"))  # WPS Office: "标题 1" to "标题 3"
    (docs / "tenders.doc").write_bytes(fixture("tenders-de.doc"))  # Word: "Überschrift 1" and 2, and a TOC
    (docs / "harmless.doc").write_bytes(fixture("harmless-clean.doc"))
    assert [(h.level, h.text) for h in extract(docs / "guide.doc", LIMIT).headings] == GUIDE_HEADINGS
    assert [(h.level, h.text) for h in extract(docs / "harmless.doc", LIMIT).headings] == [(1, "Test")]
    tenders = extract(docs / "tenders.doc", LIMIT)
    assert [(h.level, h.text) for h in tenders.headings[:3]] == [
        (1, "(01097) Sächsisches Staatsministerium für Wirtschaft, Arbeit und Verkehr – CAFM System"),
        (2, "Angebotsfrist: 14.10.2022, 10 Uhr"), (2, "Bindefrist: 15.02.2023")]
    assert tenders.headings[0].start > 0, "the table of contents before it is not a heading"
    assert [h.level for h in tenders.headings].count(1) == 43
    with indexed(tmp_path) as cairn:
        assert problems(cairn) == {}
        sections = {query: {(Path(r.path).name, r.heading) for r in cairn.search(query, mode="keyword")}
                    for query in ("自动充气帐篷", "湖边垂钓", "垃圾", "Zentralstelle Vergabe", "harmless")}
    assert sections == {
        "自动充气帐篷": {("guide.doc", "春季露营活动指南 › 一、活动筹备清单 › 1. 必备露营装备")},
        "湖边垂钓": {("guide.doc", "春季露营活动指南 › 二、三日行程安排")},  # a table under its heading
        "垃圾": {("guide.doc", "春季露营活动指南 › 四、活动注意事项 › 2. 环保要求")},
        "Zentralstelle Vergabe": {("tenders.doc", "(01129) SB Sächs. Immobilien- und Baumanagement – Verläng. "
                                                  "Subscription Greenbone Schwachstellenscanner")},
        "harmless": {("harmless.doc", "Test")},
    }


def test_an_outline_level_makes_a_heading_of_a_paragraph_or_of_a_style_of_the_users_own(tmp_path: Path) -> None:
    data = fixture("camping-guide-zh.doc")
    word, table, places = word_parts(data)
    stsh_at, stsh_size = places[1]
    # the style "标题 3" (heading 3): StdfBase and StdfPost2000 (18 bytes), its name's length, its name
    at = stsh_at + table[stsh_at:stsh_at + stsh_size].find("标题 3".encode("utf-16-le")) - 2 - 18
    assert struct.unpack_from("<H", table, at)[0] & 0x0FFF == 3, "sti 3: the built-in heading 3"
    own = with_stream(data, "0Table", at, bytes([0xFE, table[at + 1] | 0x0F]))  # sti 4094: a style of the user's
    outline = table.find(b"\x40\x26\x02", at)  # sprmPOutLvl 2 (level 3), in the style's paragraph properties
    assert at < outline < at + struct.unpack_from("<H", table, at - 2)[0], "within the style (its size before it)"
    body = with_stream(own, "0Table", outline + 2, b"\x09")  # outline level 9: body text
    # the first list item's own paragraph properties: sprmPIlvl 0 (list level 1) made sprmPOutLvl 0 (level 1)
    item = word.find(bytes.fromhex("0a26000b46010013a400"))
    promoted = with_stream(data, "WordDocument", item, b"\x40")
    headings = {name: [(h.level, h.text) for h in extract_bytes(tmp_path, name, edit).headings]
                for name, edit in {"own.doc": own, "body.doc": body, "promoted.doc": promoted}.items()}
    assert headings["own.doc"] == GUIDE_HEADINGS
    assert headings["body.doc"] == [h for h in GUIDE_HEADINGS if h[0] != 3]
    assert headings["promoted.doc"] == [*GUIDE_HEADINGS[:3], (1, "基础住宿类：自动充气帐篷、防潮垫、羽绒睡袋"),
                                        *GUIDE_HEADINGS[3:]]


def test_a_doc_with_a_broken_style_sheet_or_paragraph_pages_reads_its_text_without_headings(tmp_path: Path) -> None:
    data = fixture("camping-guide-zh.doc")
    word, table, places = word_parts(data)
    stsh_at = places[1][0]
    assert struct.unpack_from("<H", table, stsh_at + 2)[0] == 15, "cstd: the number of styles"
    too_many_styles = with_stream(data, "0Table", stsh_at + 2, (0x0FFD).to_bytes(2, "little"))
    plc_at, plc_size = places[13]
    first_page = struct.unpack_from("<I", table, plc_at + 4 * ((plc_size - 4) // 8 + 1))[0] & 0x3FFFFF
    overfull = with_stream(data, "WordDocument", first_page * 512 + 511, b"\xff")  # 255 paragraphs: more than fit
    original = extract_bytes(tmp_path, "guide.doc", data)
    assert [(h.level, h.text) for h in original.headings] == GUIDE_HEADINGS
    for name, broken in {"styles.doc": too_many_styles, "pages.doc": overfull}.items():
        doc = extract_bytes(tmp_path, name, broken)
        assert (doc.text, doc.headings) == (original.text, ()), name


def extract_bytes(folder: Path, name: str, data: bytes) -> Document:
    (folder / name).write_bytes(data)
    return extract(folder / name, LIMIT)


def with_property_count_damaged(data: bytes) -> bytes:
    """The file with one byte of its SummaryInformation's number of properties damaged (14 made 1,638,414),
    so that what follows the real ones is read as properties, among them a list of two billion items."""
    name = "\x05SummaryInformation"
    with olefile.OleFileIO(data) as ole:
        stream = ole.openstream(name).read()
    section = struct.unpack_from("<I", stream, 44)[0]
    assert struct.unpack_from("<I", stream, section + 4)[0] == 14
    return with_stream(data, name, section + 6, b"\x19")


def test_a_doc_whose_properties_are_damaged_is_read_in_time(tmp_path: Path, docs: Path) -> None:
    (docs / "guide.doc").write_bytes(with_property_count_damaged(fixture("camping-guide-zh.doc")))
    extractor = SandboxedExtractor(Limits(seconds=10.0, memory_mb=1024))
    try:
        with indexed(tmp_path, extractor) as cairn:
            assert problems(cairn) == {}
            assert [r.heading for r in cairn.search("湖边垂钓", mode="keyword")] == ["春季露营活动指南 › 二、三日行程安排"]
    finally:
        extractor.close()


# --- Through the real reader process ------------------------------------------------------------


def test_old_office_files_through_the_sandboxed_reader_and_broken_ones_fail_alone(tmp_path: Path, docs: Path) -> None:
    (docs / "ledger.xls").write_bytes(old_ledger())
    (docs / "tenders.doc").write_bytes(fixture("tenders-de.doc"))
    (docs / "guide.doc").write_bytes(fixture("camping-guide-zh.doc"))
    (docs / "broken.doc").write_bytes(fixture("harmless-clean.doc")[:4000])
    (docs / "broken.xls").write_bytes(old_ledger()[:3000])
    (docs / "locked.doc").write_bytes(fixture("encrypted.doc"))
    (docs / "after.txt").write_text("An ordinary note about the village fair.")
    extractor = SandboxedExtractor(Limits(seconds=20.0, memory_mb=1024))
    try:
        with indexed(tmp_path, extractor) as cairn:
            assert problems(cairn) == {
                "broken.doc": "damaged Word document: not a valid .doc file",
                "broken.xls": "damaged Excel file: not a valid .xls file",
                "locked.doc": "password-protected Word document: Cairn reads only documents saved without a password",
            }
            found = {Path(r.path).name: r.heading
                     for query in ("Maren Olsen", "Riesaer", "湖边垂钓", "village fair")
                     for r in cairn.search(query, mode="keyword")}
            assert found == {"ledger.xls": "Contacts", "guide.doc": "春季露营活动指南 › 二、三日行程安排", "after.txt": None,
                             "tenders.doc": "(01129) SB Sächs. Immobilien- und Baumanagement – Verläng. Subscription "
                                            "Greenbone Schwachstellenscanner"}
    finally:
        extractor.close()
