"""OpenDocument, EPUB and RTF files as a person searches them: their words found, under their headings.

The files are real on disk, written byte by byte (tests.books) or as RTF text the
way Word and WordPad save it; they go through the real store, and one test
through the sandboxed reader the app uses. Long files are read as the reader
process reads one that runs out of time: with its deadline already passed. Keyword search needs no real model,
so the fake embedder stands in where only the words matter.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from striprtf.striprtf import rtf_to_text

from engine.cairn import Cairn
from engine.extract import Document, extract
from engine.extract.kinds import page_label
from engine.runtime.sandbox import Limits, SandboxedExtractor
from tests.books import epub, odf, zip_bomb
from tests.engine.test_office_formats import docs, problems  # noqa: F401  (docs: the same fixture)
from tests.engine.test_office_formats import indexed as index

ODT_BODY = (
    '<text:table-of-content><text:index-body><text:p>Tenancy terms ... 1</text:p></text:index-body>'
    '</text:table-of-content>'
    '<text:h text:outline-level="1">Tenancy terms</text:h>'
    '<text:p>The tenant pays a deposit of<text:s text:c="2"/>two months<text:note text:note-class="footnote">'
    '<text:note-citation>1</text:note-citation><text:note-body><text:p>Refunded within thirty days.</text:p>'
    '</text:note-body></text:note> by bank transfer.</text:p>'
    '<text:h text:outline-level="2">Repairs</text:h>'
    '<text:list><text:list-item><text:p>The landlord repairs the <text:span>boiler</text:span>.</text:p>'
    '</text:list-item></text:list>'
    '<table:table table:name="Table1"><table:table-row><table:table-cell><text:p>Rent</text:p></table:table-cell>'
    '<table:table-cell><text:p>950 florins</text:p></table:table-cell></table:table-row></table:table>'
    '<text:tracked-changes><text:changed-region><text:deletion><text:p>Pets are forbidden.</text:p>'
    '</text:deletion></text:changed-region></text:tracked-changes>'
    '<office:annotation><text:p>Check this with the agency.</text:p></office:annotation>'
)
ODS_BODY = (
    '<table:table table:name="Invoices 2024"><table:table-row><table:table-cell><text:p>Ironmonger</text:p>'
    '</table:table-cell><table:table-cell table:number-columns-repeated="16000"/><table:table-cell>'
    '<text:p>412.50</text:p></table:table-cell></table:table-row>'
    '<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row></table:table>'
    '<table:table table:name="Suppliers"><table:table-row><table:table-cell><text:p>Chandlery on the quay</text:p>'
    '</table:table-cell></table:table-row></table:table>'
)
ODP_BODY = (
    '<draw:page draw:name="page1"><draw:frame presentation:class="title"><draw:text-box>'
    '<text:p>Harvest forecast</text:p></draw:text-box></draw:frame><draw:frame presentation:class="outline">'
    '<draw:text-box><text:list><text:list-item><text:p>Barley yields fall by a tenth</text:p></text:list-item>'
    '</text:list></draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box>'
    '<text:p>Mention the drought in the east.</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>'
    '<draw:page draw:name="Budget"><draw:frame><draw:text-box><text:p>Tractor leasing costs</text:p>'
    '</draw:text-box></draw:frame></draw:page>'
)
# What Word saves: a Cyrillic font whose \'xx escapes are Windows-1251, headings marked with
# \outlinelevel, \uN for characters outside the code page (an emoji as two surrogate halves).
RTF = (
    rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Calibri;}{\f1\fnil\fcharset204 Arial;}}"
    rb"{\stylesheet{\s1\outlinelevel0 heading 1;}}{\info{\title Witness statement \u8212? Kovalenko}}"
    b"\r\n"
    rb"\pard\s1\outlinelevel0\b Statement of the witness\b0\par"
    b"\r\n"
    rb"\pard\plain I met M. Kovalenko at the caf\'e9 near the station; he said {\f1 \'cf\'f0\'e8\'e2\'e5\'f2} "
    rb"\u-10179?\u-8704? and left.\par"
    b"\r\n"
    rb"\pard\outlinelevel1 Exhibits\par\pard Exhibit 14 is a ferry ticket.\par}"
)


def read_late(path: Path, max_bytes: int) -> Document:
    """The real reader given a time already spent, as the reader process gives a file that runs out of its time."""
    return extract(path, max_bytes, deadline=time.monotonic() - 1)


def hits(cairn: Cairn, query: str) -> list[tuple[str, str | None]]:
    """(file name, heading of the best passage) of each file that has the words."""
    return [(Path(r.path).name, r.heading) for r in cairn.search(query, mode="keyword")]


def test_opendocument_text_spreadsheet_and_slides_are_searchable_under_their_headings(
        tmp_path: Path, docs: Path) -> None:
    (docs / "lease.odt").write_bytes(odf("text", ODT_BODY, title="Lease of the mill house"))
    (docs / "accounts.ods").write_bytes(odf("spreadsheet", ODS_BODY))
    (docs / "harvest.odp").write_bytes(odf("presentation", ODP_BODY))
    with index(tmp_path) as cairn:
        assert problems(cairn) == {}
        assert hits(cairn, "deposit two months bank transfer") == [("lease.odt", "Tenancy terms")]
        assert hits(cairn, "refunded thirty days") == [("lease.odt", "Tenancy terms")], "footnotes are read"
        assert hits(cairn, "landlord repairs boiler") == [("lease.odt", "Tenancy terms › Repairs")]
        assert hits(cairn, "950 florins") == [("lease.odt", "Tenancy terms › Repairs")], "tables are read"
        assert hits(cairn, "pets forbidden") == [], "text deleted with changes tracked is gone"
        assert hits(cairn, "agency") == [], "comments are not the document's text"
        assert hits(cairn, "ironmonger 412.50") == [("accounts.ods", "Invoices 2024")]
        assert hits(cairn, "chandlery quay") == [("accounts.ods", "Suppliers")]
        assert hits(cairn, "barley yields") == [("harvest.odp", "Harvest forecast")]
        assert hits(cairn, "drought east") == [("harvest.odp", "Harvest forecast")], "speaker notes are read"
        assert hits(cairn, "tractor") == [("harvest.odp", "Budget")], "an untitled slide has its name"
        assert [page_label(r.path, r.page) for r in cairn.search("tractor", mode="keyword") if r.page] \
            == ["slide 2"], "a hit says which slide"
    document = extract(docs / "lease.odt", 1 << 20)
    assert document.title == "Lease of the mill house"
    assert document.text.count("Tenancy terms") == 1, "the table of contents does not repeat the headings"
    assert "deposit of  two months by bank transfer" in document.text
    assert len(extract(docs / "accounts.ods", 1 << 20).text) < 200, "repeated empty rows are not expanded"


def test_epub_chapters_are_read_in_reading_order_under_their_headings(tmp_path: Path, docs: Path) -> None:
    (docs / "voyage.epub").write_bytes(epub(
        "The Salt Road",
        [("c1.xhtml", "<h1>The harbour</h1><p>Mara counted the gulls over the breakwater.</p>"),
         ("c2.xhtml", "<p>The caravan left at dawn with forty camels.</p>"),
         ("c3.xhtml", "<h1>The oasis</h1><h2>Water</h2><p>The well at Taoudenni was brackish.</p>")],
        toc={"c1.xhtml": "Chapter 1", "c2.xhtml": "Into the desert", "c3.xhtml": "Chapter 3"}))
    with index(tmp_path) as cairn:
        assert hits(cairn, "gulls breakwater") == [("voyage.epub", "The harbour")]
        assert hits(cairn, "caravan camels") == [("voyage.epub", "Into the desert")], \
            "a chapter without a heading has its table-of-contents entry"
        assert hits(cairn, "Taoudenni brackish") == [("voyage.epub", "The oasis › Water")]
    document = extract(docs / "voyage.epub", 1 << 20)
    assert document.title == "The Salt Road"
    text = document.text
    assert text.index("gulls") < text.index("caravan") < text.index("Taoudenni"), "spine order, not zip order"


def test_rtf_escapes_are_decoded_and_headings_kept(tmp_path: Path, docs: Path) -> None:
    (docs / "statement.rtf").write_bytes(RTF)
    with index(tmp_path) as cairn:
        assert hits(cairn, "café station") == [("statement.rtf", "Statement of the witness")]
        assert hits(cairn, "Привет") == [("statement.rtf", "Statement of the witness")], \
            "\\'xx escapes are read in the code page of their font"
        assert hits(cairn, "ferry ticket") == [("statement.rtf", "Statement of the witness › Exhibits")]
    document = extract(docs / "statement.rtf", 1 << 20)
    assert document.title == "Witness statement — Kovalenko"
    assert "he said Привет \U0001F600 and left." in document.text, "\\uN surrogate halves are joined"
    assert "heading 1" not in document.text, "the style sheet is not text"


@pytest.mark.slow
def test_damaged_protected_and_hostile_files_are_named_while_the_rest_is_indexed(
        tmp_path: Path, docs: Path) -> None:
    good = odf("text", "<text:p>Minutes of the parish council.</text:p>")
    (docs / "protected.odt").write_bytes(odf("text", "<text:p>secret</text:p>", encrypted=True))
    (docs / "cut.odt").write_bytes(good[: len(good) // 2])
    (docs / "bomb.ods").write_bytes(zip_bomb("application/vnd.oasis.opendocument.spreadsheet", "content.xml"))
    (docs / "notxml.odp").write_bytes(odf("presentation", "<draw:page>"))
    (docs / "drm.epub").write_bytes(epub("Locked", [("c1.xhtml", "<p>secret</p>")], encrypted=True))
    (docs / "bomb.epub").write_bytes(zip_bomb("application/epub+zip", "OEBPS/c1.xhtml"))
    (docs / "nopackage.epub").write_bytes(odf("text", "<text:p>not a book</text:p>"))
    (docs / "renamed.rtf").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (docs / "notrtf.rtf").write_bytes(b"Just some words saved with the wrong name.")
    (docs / "minutes.odt").write_bytes(good)
    with index(tmp_path) as cairn:
        why = problems(cairn)
        assert hits(cairn, "parish council") == [("minutes.odt", None)], "the good file is still indexed"
    assert "password-protected" in why["protected.odt"]
    assert "damaged OpenDocument" in why["cut.odt"] and "damaged OpenDocument" in why["notxml.odp"]
    assert "zip bomb" in why["bomb.ods"] and "zip bomb" in why["bomb.epub"]
    assert "DRM-protected" in why["drm.epub"]
    assert "damaged e-book" in why["nopackage.epub"]
    assert "old-format Word" in why["renamed.rtf"]
    assert "damaged RTF" in why["notrtf.rtf"]
    assert all("Traceback" not in reason and "secret" not in reason for reason in why.values()), why


@pytest.mark.slow
def test_the_sandboxed_reader_reads_books_and_refuses_bombs(tmp_path: Path, docs: Path) -> None:
    (docs / "voyage.epub").write_bytes(epub("The Salt Road", [("c1.xhtml", "<h1>Dunes</h1><p>Forty camels.</p>")]))
    (docs / "lease.odt").write_bytes(odf("text", ODT_BODY))
    (docs / "bomb.odt").write_bytes(zip_bomb("application/vnd.oasis.opendocument.text", "content.xml"))
    (docs / "statement.rtf").write_bytes(RTF)
    extractor = SandboxedExtractor(Limits(seconds=10.0, memory_mb=400))
    try:
        with index(tmp_path, extractor) as cairn:
            assert hits(cairn, "forty camels") == [("voyage.epub", "Dunes")]
            assert hits(cairn, "landlord boiler") == [("lease.odt", "Tenancy terms › Repairs")]
            assert hits(cairn, "ferry ticket") == [("statement.rtf", "Statement of the witness › Exhibits")]
            assert "zip bomb" in problems(cairn)["bomb.odt"]
    finally:
        extractor.close()


@pytest.mark.parametrize("name, rtf, words", [
    ("bom.rtf", b"\xef\xbb\xbf{\\rtf1\\ansi Saved by a web form.\\par}", "Saved by a web form."),
    ("unclosed.rtf", b"{\\rtf1\\ansi {\\b Cut short while", "Cut short while"),
    ("escape.rtf", b"{\\rtf1 An escape out of range \\u99999999999? then \\u" + b"9" * 5000 + b"? the end.\\par}",
     "then \ufffd the end."),
])
def test_odd_rtf_is_read_not_refused(tmp_path: Path, name: str, rtf: bytes, words: str) -> None:
    (tmp_path / name).write_bytes(rtf)
    assert words in extract(tmp_path / name, 1 << 20).text


# --- Files still being read when their time is up -----------------------------------------------

ROWS = "".join(f"<table:table-row><table:table-cell><text:p>buoy{i}</text:p></table:table-cell><table:table-cell>"
               f"<text:p>calm sea</text:p></table:table-cell></table:table-row>" for i in range(300))
SHEETS = ('<table:table table:name="Readings"><table:table-row table:number-rows-repeated="3"><table:table-cell/>'
          f'</table:table-row>{ROWS}</table:table><table:table table:name="Summary"><table:table-row>'
          '<table:table-cell><text:p>buoy9999</text:p></table:table-cell></table:table-row></table:table>')
PARAGRAPHS = '<text:h text:outline-level="1">Log</text:h>' + "".join(
    f"<text:p>Crate buoy{i} loaded.</text:p>" for i in range(300))
SLIDES = "".join(f'<draw:page draw:name="s{i}"><draw:frame presentation:class="title"><draw:text-box>'
                 f'<text:p>Slide buoy{i}</text:p></draw:text-box></draw:frame></draw:page>' for i in range(300))


@pytest.mark.parametrize("name, kind, body, heading, gap", [
    ("readings.ods", "spreadsheet", SHEETS, "Readings",  # 3 empty rows (one element), then rows 4 ...
     "the rows after row 101 of sheet 1, and the sheets after it, were not read in the time allowed"),
    ("log.odt", "text", PARAGRAPHS, "Log", "the paragraphs after paragraph 99 were not read in the time allowed"),
    ("deck.odp", "presentation", SLIDES, "Slide buoy0", "the slides after slide 99 were not read in the time allowed"),
])
def test_an_opendocument_file_still_being_read_when_its_time_is_up_keeps_what_was_read(
        tmp_path: Path, docs: Path, name: str, kind: str, body: str, heading: str, gap: str) -> None:
    (docs / name).write_bytes(odf(kind, body, title="Harbour log"))
    with index(tmp_path, read_late) as cairn:
        assert problems(cairn) == {name: f"only partly read: {gap}"}
        assert hits(cairn, "buoy0") == [(name, heading)], "the beginning is searchable"
        assert hits(cairn, "buoy97") != [] and hits(cairn, "buoy99") == [] and hits(cairn, "buoy9999") == []
    assert extract(docs / name, 1 << 20, deadline=time.monotonic() - 1).title == "Harbour log"
    in_time = extract(docs / name, 1 << 20, deadline=time.monotonic() + 600)
    assert not in_time.truncated and "buoy299" in in_time.text


def test_an_epub_still_being_read_when_its_time_is_up_keeps_the_chapters_read(tmp_path: Path, docs: Path) -> None:
    chapters = [(f"c{n}.xhtml", f"<h1>Chapter {n}</h1><p>The caravan reached well{n}.</p>") for n in range(1, 6)]
    (docs / "road.epub").write_bytes(epub("The Salt Road", chapters))
    # one chapter of 3,000 paragraphs: stopped inside it
    (docs / "long.epub").write_bytes(epub("One long night", [
        ("c1.xhtml", "<h1>Night</h1>" + "".join(f"<p>Star{i} rose.</p>" for i in range(3000))),
        ("c2.xhtml", "<h1>Dawn</h1><p>The sun came up.</p>")]))
    with index(tmp_path, read_late) as cairn:
        assert problems(cairn) == {
            "road.epub": "only partly read: the last 4 of 5 chapters were not read in the time allowed",
            "long.epub": "only partly read: the rest of chapter 1 and the last 1 of 2 chapters were not read "
                         "in the time allowed"}
        assert hits(cairn, "well1") == [("road.epub", "Chapter 1")] and hits(cairn, "well2") == []
        assert hits(cairn, "star0") == [("long.epub", "Night")] and hits(cairn, "star2999") == []
    in_time = extract(docs / "long.epub", 1 << 20, deadline=time.monotonic() + 600)
    assert not in_time.truncated and "Star2999" in in_time.text and "sun came up" in in_time.text


def test_a_web_page_still_being_read_when_its_time_is_up_keeps_the_paragraphs_read(tmp_path: Path, docs: Path) -> None:
    # a chat or mail archive exported as one page of thousands of messages
    (docs / "chat.html").write_text("<html><head><title>Harbour chat</title></head><body>"
                                    + "".join(f"<p>Message{i} about the ferry.</p>" for i in range(3000))
                                    + "</body></html>")
    with index(tmp_path, read_late) as cairn:
        assert problems(cairn) == {"chat.html": "only partly read: the rest of the page was not read in the time allowed"}
        assert hits(cairn, "message0") == [("chat.html", None)] and hits(cairn, "message2999") == []
    in_time = extract(docs / "chat.html", 1 << 20, deadline=time.monotonic() + 600)
    assert not in_time.truncated and "Message2999" in in_time.text


_STATEMENT = (  # a Western paragraph, a Cyrillic one, and one that stays in the Cyrillic font
    rb"\pard\f0 Witness%d met him at the caf\'e9 \u8212? by the quay.\par",
    rb"\pard\f1 {\b \'cf\'f0\'e8\'e2\'e5\'f2} witness%d said \'e0\'e1\'e2 {\f0 caf\'e9}\par",
    rb"\pard {\i witness%d} again \'e0\'e1\'e2\par",
)


def long_statement(paragraphs: int) -> bytes:
    """WordPad's shape (paragraphs in the document group itself) and Word's (runs in groups of their own), with a
    Cyrillic font chosen outside any group, so its \\'xx escapes depend on where in the file they are."""
    body = b"".join((rb"\pard\s1\outlinelevel0 Part %d\par" % n if n % 100 == 0 else b"")
                    + _STATEMENT[n % 3] % n + b"\r\n" for n in range(paragraphs))
    return (rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 Calibri;}{\f1\fnil\fcharset204 Arial;}}"
            rb"{\info{\title Long statement}}\uc1" + b"\r\n" + body + rb"\pard\f0 The end.\par}")


@pytest.mark.slow
def test_a_long_rtf_still_being_read_when_its_time_is_up_keeps_its_beginning(tmp_path: Path, docs: Path) -> None:
    (docs / "statement.rtf").write_bytes(long_statement(20_000))
    with index(tmp_path, read_late) as cairn:
        why = problems(cairn)["statement.rtf"]
        done = re.fullmatch(r"only partly read: the text after the first (\d+)% of the document was not read "
                            r"in the time allowed", why)
        assert done and 0 < int(done.group(1)) < 100, why
        assert hits(cairn, "witness1") == [("statement.rtf", "Part 0")], "the beginning is searchable"
        assert hits(cairn, "witness19999") == []
    late = extract(docs / "statement.rtf", 1 << 30, deadline=time.monotonic() - 1)
    assert late.title == "Long statement" and "witness1 said абв" in late.text


@pytest.mark.slow
@pytest.mark.parametrize("piece", [1000, 256 * 1024])
def test_an_rtf_read_in_time_is_read_as_a_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    """Read in pieces (so that the clock can be looked at between them), with the font and the
    Unicode skip count each piece starts in: the same text as one pass over the whole file."""
    monkeypatch.setattr("engine.extract.rtf._PIECE_CHARS", piece)
    path = tmp_path / "statement.rtf"
    path.write_bytes(long_statement(20_000))
    doc = extract(path, 1 << 30, deadline=time.monotonic() + 600)
    assert not doc.truncated and "witness19999 said абв" in doc.text and "witness19997 again абв" in doc.text
    whole = rtf_to_text(long_statement(20_000).decode("cp1252"), errors="replace")
    assert doc.text.split("\n\n") == [line.strip() for line in whole.split("\n") if line.strip()]
