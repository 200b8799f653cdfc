"""PDF text as a person searches it: typeset words spelled out, scans named as scans.

The files are real PDFs on disk, written by fpdf2 or byte by byte (tests.pdfs) the
way typesetters write them. Keyword search needs no real model, so the fake
embedder stands in where only the words matter.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from engine.cairn import Cairn
from engine.indexing.chunk import ChunkSizes, chunk_document
from engine.errors import ExtractionError
from engine.extract import extract
from engine.search import search
from tests.fakes import FakeEmbedder
from tests.pdfs import filled_form_pdf, typeset_pdf

LIMIT = 50 * 1024 * 1024


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def scanned_pdf(tmp_path: Path, pages: int = 2) -> bytes:
    """Pages that are pictures of a letter, with no text layer: what a scanner or a phone app saves."""
    picture = Image.new("RGB", (620, 877), "white")
    ImageDraw.Draw(picture).text((60, 60), "Dear tenant, the rent is due on the first.", fill="black")
    picture.save(tmp_path / "scan.png")
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.image(str(tmp_path / "scan.png"), x=0, y=0, w=210)
    return bytes(pdf.output())


def keyword_hits(tmp_path: Path, query: str) -> tuple[list[str], dict[str, str]]:
    with Cairn(tmp_path / "home", embedder=FakeEmbedder(), extractor=extract) as cairn:
        cairn.add_folder(tmp_path / "docs")
        for _ in cairn.index():
            pass
        names = [Path(r.path).name for r in cairn.search(query, mode="keyword")]
        return names, {Path(p.path).name: p.reason for p in cairn.status().problems}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    return tmp_path / "docs"


# --- ligatures and hyphens ----------------------------------------------------------------------


def test_ligature_glyphs_are_spelled_out_so_the_words_are_found(tmp_path: Path, docs: Path) -> None:
    """TeX and many typesetters draw "fi" as one glyph: "ﬁle" is not the word "file" to any search."""
    write(docs / "paper.pdf", typeset_pdf([b"The \001le was \002agged by the o\003ce manager."]))
    doc = extract(docs / "paper.pdf", LIMIT)
    assert "The file was flagged by the office manager." in doc.text
    names, _ = keyword_hits(tmp_path, "file flagged office")
    assert names == ["paper.pdf"]


def test_words_hyphenated_at_line_ends_are_whole_again(tmp_path: Path, docs: Path) -> None:
    write(docs / "book.pdf", typeset_pdf([
        b"A long docu\255", b"ment about the harbour, and an\255", b"other one. The com-",
        b"mittee met twice. It is a well-known fact that the well-", b"known facts stay hyphenated.",
        b"Anglo-", b"Saxon names keep their capital.",
    ]))
    text = extract(docs / "book.pdf", LIMIT).text
    assert "A long document about the harbour, and another one. The committee met twice." in text
    assert "the well-\nknown facts" in text, "a compound written with its hyphen elsewhere keeps it"
    assert "Anglo-\nSaxon" in text
    assert "\xad" not in text
    names, _ = keyword_hits(tmp_path, "document committee")
    assert names == ["book.pdf"]


def test_a_word_hyphenated_across_a_page_break_is_whole_on_the_page_it_starts(tmp_path: Path, docs: Path) -> None:
    """A book's last line on a page often ends "recov-": the word is the page's, whole, as a reader sees it."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ("Notes on the knee. The recov-", "ery took six weeks of physiotherapy.\nThen a check-",
                 "Up came in May."):
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    doc = extract(write(docs / "knee.pdf", bytes(pdf.output())), LIMIT)
    pages = [doc.text[page.start:page.end] for page in doc.pages]
    assert pages[0].rstrip().endswith("The recovery")
    assert pages[1].lstrip().startswith("took six weeks")
    assert "check-" in pages[1] and pages[2].lstrip().startswith("Up came"), "a capital is not a word's second half"
    names, _ = keyword_hits(tmp_path, "recovery")
    assert names == ["knee.pdf"]


def test_passages_of_cleaned_text_point_at_their_page(tmp_path: Path) -> None:
    """The cleaning happens before offsets are counted: every span still cuts the passage out of its page."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ("Alpha page.", "", "Gamma page after a blank one.", ""):
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 10, text)
    doc = extract(write(tmp_path / "blank.pdf", bytes(pdf.output())), LIMIT)
    assert [(p.number, doc.text[p.start:p.end]) for p in doc.pages] == [
        (1, "Alpha page."), (2, ""), (3, "Gamma page after a blank one."), (4, "")]
    chunks = chunk_document(doc, FakeEmbedder().count_tokens, ChunkSizes.for_model(64))
    assert [(c.page, c.text) for c in chunks] == [(1, "Alpha page."), (3, "Gamma page after a blank one.")]
    paper = extract(write(tmp_path / "paper.pdf", typeset_pdf([b"o\003ce docu\255", b"ment"])), LIMIT)
    assert paper.text[paper.pages[0].start:paper.pages[0].end] == "office document"


# --- what a person typed into a PDF --------------------------------------------------------------


def test_filled_in_form_fields_and_notes_are_searchable_on_their_page(tmp_path: Path, docs: Path) -> None:
    """A filled form's answers and a sticky note are what a person remembers typing; they were left out."""
    write(docs / "application.pdf", filled_form_pdf())
    doc = extract(docs / "application.pdf", LIMIT)
    page = doc.text[doc.pages[0].start:doc.pages[0].end]
    assert page.startswith("Tenancy application form")
    assert "Previous landlord: Margaret Oyelaran of Quayside Lettings" in page
    assert page.count("Ask about the boiler service record") == 1, "a note's pop-up repeats it: once is enough"
    assert "Yes" not in page and "link" not in page
    names, _ = keyword_hits(tmp_path, "Quayside Lettings")
    assert names == ["application.pdf"]


# --- damaged files --------------------------------------------------------------------------------


def test_a_pdf_cut_short_says_so(tmp_path: Path) -> None:
    """An unfinished download or copy is the usual damaged PDF; the reason tells the person what to do."""
    whole = typeset_pdf([b"Minutes of the harbour board."] * 40)
    cut = write(tmp_path / "download.pdf", whole[: len(whole) * 2 // 3])
    with pytest.raises(ExtractionError) as info:
        extract(cut, LIMIT)
    assert "damaged" in str(info.value) and "ends early" in str(info.value) and "harbour" not in str(info.value)
    junk = write(tmp_path / "junk.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(ExtractionError) as info:
        extract(junk, LIMIT)
    assert "ends early" not in str(info.value)


# --- scans --------------------------------------------------------------------------------------


def test_a_scanned_pdf_is_read_by_ocr_and_found_by_its_words(tmp_path: Path, docs: Path) -> None:
    """Before OCR it was refused as "scanned PDF"; now its pictures are read (real Tesseract, engine.extract.ocr)."""
    write(docs / "lease-scan.pdf", scanned_pdf(tmp_path))
    doc = extract(docs / "lease-scan.pdf", LIMIT)
    assert [p.number for p in doc.pages] == [1, 2] and all(p.ocr_confidence for p in doc.pages)
    (docs / "note.txt").write_text("The rent is due on the first of the month.")
    names, problems = keyword_hits(tmp_path, "rent due")
    assert sorted(names) == ["lease-scan.pdf", "note.txt"] and problems == {}


def test_a_scanned_pdf_without_ocr_data_is_reported_as_a_scan(tmp_path: Path, docs: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Tesseract's data is not installed the person learns the file is not searched, and what to install."""
    from engine.extract.ocr import tesseract

    monkeypatch.setattr(tesseract, "tessdata_dir", lambda: None)
    monkeypatch.setattr(tesseract, "_engine", None)
    write(docs / "lease-scan.pdf", scanned_pdf(tmp_path))
    with pytest.raises(ExtractionError) as info:
        extract(docs / "lease-scan.pdf", LIMIT)
    assert "scanned" in str(info.value) and "tesseract-ocr-eng" in str(info.value)


def test_scanned_pages_inside_a_typed_pdf_are_read_by_ocr(tmp_path: Path, docs: Path) -> None:
    """A brief with scanned exhibits: typed pages and exhibits are all searchable, each on its own page."""
    picture = Image.new("RGB", (620, 877), "white")
    ImageDraw.Draw(picture).text((60, 60), "Exhibit A: the signed lease.", fill="black")
    picture.save(tmp_path / "exhibit.png")
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in ("text", "text", "picture", "picture", "text", "picture"):
        pdf.add_page()
        if page == "text":
            pdf.multi_cell(0, 10, "The tenant disputes the deposit deduction.")
        else:
            pdf.image(str(tmp_path / "exhibit.png"), x=0, y=0, w=210)
    write(docs / "brief.pdf", bytes(pdf.output()))
    doc = extract(docs / "brief.pdf", LIMIT)
    assert [p.number for p in doc.pages if p.ocr_confidence is not None] == [3, 4, 6]
    assert "signed lease" in doc.text[doc.pages[2].start:doc.pages[2].end]
    names, problems = keyword_hits(tmp_path, "signed lease")
    assert names == ["brief.pdf"] and problems == {}


def test_a_pdf_of_blank_pages_is_still_just_empty(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_page()
    doc = extract(write(tmp_path / "blank.pdf", bytes(pdf.output())), LIMIT)
    assert doc.text == "" and len(doc.pages) == 2


def test_a_pdf_still_being_read_at_its_deadline_keeps_the_pages_read(tmp_path: Path) -> None:
    """A book too long to read in the time a file is given: its first pages are indexed, marked partial,
    rather than the whole file refused (the reader process gives each file a deadline)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for number in range(1, 6):
        pdf.add_page()
        pdf.multi_cell(0, 10, f"Chapter {number} begins here.")
    book = write(tmp_path / "book.pdf", bytes(pdf.output()))
    late = extract(book, LIMIT, deadline=time.monotonic())  # passed already: the first page, then stop
    assert late.truncated and [late.text[p.start:p.end] for p in late.pages] == ["Chapter 1 begins here."]
    assert late.gap == "only the first 1 of 5 pages were read in the time Cairn gives one file"
    in_time = extract(book, LIMIT, deadline=time.monotonic() + 600)
    assert not in_time.truncated and len(in_time.pages) == 5


# --- running headers and footers ------------------------------------------------------------------


BODIES = (
    "The tenant signed the lease of the harbour warehouse in March.",
    "Rent was paid late in the summer because the quay was closed for repairs.",
    "The landlord served a notice to quit without a surveyor's report.",
    "Witnesses saw water damage on the north wall of the warehouse.",
    "The deposit was held by the scheme and never returned.",
    "Counsel asks the tribunal to dismiss the claim for arrears.",
)


class Filing(FPDF):
    """A filing as firms print them: the same line on top of every page, "Page N of M" at the bottom."""

    running_head: dict[int, str] = {}  # page number -> header line; a page not listed has none
    numbered = True

    def header(self) -> None:
        if self.page_no() in self.running_head:
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, self.running_head[self.page_no()], align="C")
            self.ln(12)

    def footer(self) -> None:
        if self.numbered:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")


def filing(bodies: tuple[str, ...], heads: dict[int, str], numbered: bool = True, first: str = "") -> bytes:
    pdf = Filing()
    pdf.running_head, pdf.numbered = heads, numbered
    for number, body in enumerate(bodies, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, f"{first}\n\n{body}" if first and number == 1 else body)
    return bytes(pdf.output())


def passages(tmp_path: Path, query: str) -> list[tuple[str, int | None, str]]:
    """Every passage a keyword search finds (not one per file): the file, its page and its text."""
    with Cairn(tmp_path / "home", embedder=FakeEmbedder(), extractor=extract) as cairn:
        cairn.add_folder(tmp_path / "docs")
        for _ in cairn.index():
            pass
        hits = search(cairn.store, None, query, mode="keyword", limit=50, per_file=50)
        return [(Path(h.path).name, h.page, h.text) for h in hits]


def test_a_running_header_and_page_footer_are_left_out_of_every_page_but_the_first(
        tmp_path: Path, docs: Path) -> None:
    """The firm's name on every page made every page match "Smith" and quoted "Page 3 of 6" as a sentence.

    The first copy stays: a document whose only mention of the firm is its letterhead is still found by it."""
    head = "CONFIDENTIAL - Smith & Co LLP"
    write(docs / "statement.pdf", filing(BODIES, dict.fromkeys(range(1, 7), head),
                                         first="Witness statement of Anna Kowalczyk"))
    doc = extract(docs / "statement.pdf", LIMIT)
    assert doc.text.count(head) == 1 and doc.text.count("Page 1 of 6") == 1
    assert not any(f"Page {n} of 6" in doc.text for n in range(2, 7))
    on_pages = [doc.text[p.start:p.end] for p in doc.pages]
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5, 6]
    assert on_pages[0].split("\n") == [head, "Witness statement of Anna Kowalczyk", BODIES[0], "Page 1 of 6"]
    assert on_pages[1:] == list(BODIES[1:]), "the body of each page, whole, and nothing else"
    assert doc.text.count("Witness statement") == 1, "a heading on one page is not a running header"

    assert [(name, page) for name, page, _ in passages(tmp_path, "Smith")] == [("statement.pdf", 1)]
    found = passages(tmp_path, "tribunal dismiss arrears")
    assert [(name, page, text) for name, page, text in found] == [("statement.pdf", 6, BODIES[5])]
    chunks = chunk_document(doc, FakeEmbedder().count_tokens, ChunkSizes.for_model(64))
    assert all(doc.text[c.start:c.end] == c.text for c in chunks), "a passage's span still cuts out its text"
    assert [c.page for c in chunks if "north wall" in c.text] == [4]


def test_running_heads_that_alternate_between_left_and_right_pages_are_left_out(tmp_path: Path) -> None:
    """Journals and books put the journal on even pages and the article on odd ones: each is on half the pages."""
    heads = {n: "Journal of Maritime Law, Vol. 12" if n % 2 == 0 else "Kowalczyk: Harbour leases"
             for n in range(1, 7)}
    doc = extract(write(tmp_path / "article.pdf", filing(BODIES, heads)), LIMIT)
    on_pages = [doc.text[p.start:p.end] for p in doc.pages]
    assert doc.text.count("Journal of Maritime Law") == 1 and doc.text.count("Harbour leases") == 1
    assert on_pages[1] == f"Journal of Maritime Law, Vol. 12\n{BODIES[1]}", "each head's first copy stays"
    assert on_pages[2:] == list(BODIES[2:])


def test_a_short_document_keeps_its_header_and_footer(tmp_path: Path) -> None:
    """Two pages are too little evidence that a line is the page's margin rather than its text."""
    head = "CONFIDENTIAL - Smith & Co LLP"
    doc = extract(write(tmp_path / "letter.pdf", filing(BODIES[:2], {1: head, 2: head})), LIMIT)
    assert doc.text.count(head) == 2 and "Page 2 of 2" in doc.text


def test_a_line_on_only_some_pages_stays(tmp_path: Path) -> None:
    """A heading repeated on a few pages (three of eight, not a clear majority) is the document's own text."""
    bodies = BODIES + ("The claim was filed in time.", "The tribunal will sit again in May.")
    heads = {1: "Schedule of rent arrears", 4: "Schedule of rent arrears", 6: "Schedule of rent arrears"}
    doc = extract(write(tmp_path / "bundle.pdf", filing(bodies, heads, numbered=False)), LIMIT)
    assert doc.text.count("Schedule of rent arrears") == 3
    assert [doc.text[p.start:p.end] for p in doc.pages][1] == bodies[1]


def test_a_book_s_chapter_heads_are_left_out_of_the_chapter_s_later_pages(tmp_path: Path) -> None:
    """Manuals and books print the chapter with the page number on top: each chapter's head is on its pages only."""
    chapters = {"Chapter 1: The lease": 2, "Chapter 2: The notice": 5, "Chapter 3: The hearing": 5}
    heads = {}
    for title, length in chapters.items():
        start = len(heads) + 1
        heads.update({n: f"{title} {n}" for n in range(start, start + length)})
    bodies = tuple(f"{BODIES[n % 6]} ({chr(ord('a') + n)})" for n in range(len(heads)))
    doc = extract(write(tmp_path / "manual.pdf", filing(bodies, heads, numbered=False)), LIMIT)
    on_pages = [doc.text[p.start:p.end] for p in doc.pages]
    assert doc.text.count("Chapter 2: The notice") == 1 and doc.text.count("Chapter 3: The hearing") == 1
    assert on_pages[7] == "Chapter 3: The hearing 8\n" + bodies[7] and on_pages[8:] == list(bodies[8:])
    assert doc.text.count("Chapter 1: The lease") == 2, "two pages in a row are not enough to tell"


def test_a_page_in_a_font_without_a_unicode_map_is_named_not_indexed_as_glyph_codes(tmp_path: Path) -> None:
    """pdf.js's bug1151216.pdf (tests/fixtures/pdf): pypdf reads `/g936/g1007/g1004…` from its page."""
    source = Path(__file__).parent.parent / "fixtures" / "pdf" / "bug1151216.pdf"
    document = extract(write(tmp_path / "invoice.pdf", source.read_bytes()), LIMIT)
    assert "/g936" not in document.text and not document.text.strip()
    assert document.gap is not None and "page 1 uses fonts without a Unicode map" in document.gap


@pytest.mark.parametrize(("text", "noise"), [
    ("\uffff\uffff\uffff\uffff", True),
    ("/g936/g1007/g1004/g1004/g3/g296", True),
    ("\x03\x14\x15", True),
    ("/c128/c160/c045", True),
    ("Invoice 2024-118, see /usr/share/doc and (cid:12) once", False),
    ("абв 目录 한국어 text", False),
    ("2", False),
])
def test_glyph_codes_are_told_from_text_in_any_script(text: str, noise: bool) -> None:
    from engine.extract.pdf_glyphs import is_glyph_noise

    assert is_glyph_noise(text) is noise
