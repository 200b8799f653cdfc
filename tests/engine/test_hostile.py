"""Hostile files are contained: recorded as failed, while the indexer neither hangs nor dies.

The files are crafted byte by byte. The reader runs with tight limits here
(2 s and 400 MB per file) so that the suite stays quick; the defaults are larger.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from engine.cairn import Cairn
from engine.config import Settings
from engine.runtime.sandbox import Limits, SandboxedExtractor
from tests.fakes import FakeEmbedder
from tests.pdfs import page_pdf, raw_pdf, stream


def inflating_to_a_gigabyte() -> bytes:
    squeezer = zlib.compressobj(9)
    zeros = bytes(1 << 24)
    packed = b"".join(squeezer.compress(zeros) for _ in range(64)) + squeezer.flush()  # 1 GiB of zeros
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ])


def looping_page_tree() -> bytes:
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 10000000 >>",  # contains itself; claims 10 million pages
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def million_operators() -> bytes:
    return page_pdf(b"BT /F1 9 Tf " + b"1 0 Td (a) Tj " * 1_000_000 + b"ET")


def docx_bomb() -> bytes:
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"<w:t>" + b"A" * (1 << 20) + b"</w:t>"
            for _ in range(600):  # ~600 MB inflated from well under 1 MB
                part.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def cairn(cairn_home: Path) -> Cairn:
    extractor = SandboxedExtractor(Limits(seconds=2.0, memory_mb=400))
    c = Cairn(cairn_home, embedder=FakeEmbedder(), extractor=extractor)
    yield c
    extractor.close()
    c.close()


@pytest.mark.slow
def test_hostile_files_fail_alone(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "normal.txt").write_text("An ordinary note about the village fair.")
    (docs / "gigabyte.pdf").write_bytes(inflating_to_a_gigabyte())
    (docs / "loop.pdf").write_bytes(looping_page_tree())
    (docs / "slow.pdf").write_bytes(million_operators())
    (docs / "bomb.docx").write_bytes(docx_bomb())
    (docs / "nested.html").write_text("<div>" * 100_000 + "deep text" + "</div>" * 100_000)
    (docs / "after.txt").write_text("A second ordinary note, read after the hostile ones.")
    cairn.add_folder(docs)
    for _ in cairn.index():
        pass
    why = {Path(p.path).name: p.reason for p in cairn.status().problems}
    assert set(why) >= {"loop.pdf", "slow.pdf", "bomb.docx"}, why
    files = {Path(p).name: s for p, s in cairn.store.conn.execute("SELECT path, status FROM files")}
    assert files["gigabyte.pdf"] in ("error", "empty"), "a gigabyte of zero bytes holds no text"
    assert "longer than 2 s" in why["slow.pdf"]
    names = {Path(r.path).name for r in cairn.search("ordinary note", mode="keyword")}
    assert names == {"normal.txt", "after.txt"}, "files after the hostile ones are still indexed"
    assert [Path(r.path).name for r in cairn.search("deep text", mode="keyword")] == ["nested.html"]


def test_default_limits_are_generous_but_finite() -> None:
    settings = Settings()
    assert 10 <= settings.read_timeout_s <= 600 and 256 <= settings.read_memory_mb <= 8192


def test_pages_with_a_huge_drop_down_list_are_read(cairn: Cairn, tmp_path: Path) -> None:
    """A <select> of 50,000 options took the parser 27 s (each option costs as many as come before it)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    towns = "".join(f'<option value="{i}">Town {i}</option>' for i in range(50_000))
    (docs / "form.html").write_text(
        f"<html><head><title>Delivery</title></head><body><h2>Where to deliver</h2><form><select name=town>"
        f"{towns}</select></form><p>Parcels reach the lighthouse on Thursdays.</p></body></html>")
    # a list with markup inside cannot be emptied safely: the page is read without its structure
    styled = towns.replace("Town", "<b>Town</b>")
    (docs / "styled.html").write_text(
        f"<style-guide>Harbour guide</style-guide><select>{styled}</select><p>Ferry timetable.</p>")
    cairn.add_folder(docs)
    for _ in cairn.index():
        pass
    assert {Path(p.path).name: p.reason for p in cairn.status().problems} == {}
    [hit] = cairn.search("lighthouse Thursdays", mode="keyword")
    assert (Path(hit.path).name, hit.heading) == ("form.html", "Where to deliver")
    assert [Path(r.path).name for r in cairn.search("ferry timetable", mode="keyword")] == ["styled.html"]
    assert [Path(r.path).name for r in cairn.search("harbour guide", mode="keyword")] == ["styled.html"], \
        "a custom element named like a hidden one (<style-guide>) is text"
    assert cairn.search("Town 4711", mode="keyword") == [], "a drop-down list is not text a reader sees"


@pytest.mark.slow
def test_a_word_document_of_many_short_lines_is_read(cairn: Cairn, tmp_path: Path) -> None:
    """20,000 one-line paragraphs (a pasted log, a word list) took 8 s: each paragraph's style was
    looked up by reading every style of the file."""
    document = docx.Document()
    document.add_heading("Shipping log", 1)
    lines = "".join(f"<w:p><w:r><w:t>Crate {i} loaded on the barge.</w:t></w:r></w:p>" for i in range(20_000))
    for paragraph in parse_xml(f'<w:body {nsdecls("w")}>{lines}</w:body>'):  # add_paragraph is itself quadratic
        document.element.body[-1].addprevious(paragraph)
    document.add_heading("Customs", 2)
    document.add_paragraph("The inspector sealed the last container.")
    docs = tmp_path / "docs"
    docs.mkdir()
    document.save(str(docs / "log.docx"))
    cairn.add_folder(docs)
    for _ in cairn.index():
        pass
    assert {Path(p.path).name: p.reason for p in cairn.status().problems} == {}
    [hit] = cairn.search("inspector sealed container", mode="keyword")
    assert (Path(hit.path).name, hit.heading) == ("log.docx", "Shipping log › Customs")
    [hit] = cairn.search('"Crate 19999"', mode="keyword")
    assert hit.heading == "Shipping log"
