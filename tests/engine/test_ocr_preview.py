"""What the preview of a scan needs from the engine: where each word is on the page picture, kept with the
page, so the preview reads the file from the kept pages (no OCR again) and draws the page with the words
boxed. Real Tesseract, the real reader process and store; a fake embedder (no search quality here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from engine.cairn import Cairn, open_reader
from engine.config import Settings
from engine.extract.ocr import read_page
from engine.extract.ocr.boxes import unpack
from engine.extract.ocr.tessdata import tessdata_dir
from engine.progress import run_to_result
from tests.fakes import FakeEmbedder
from tests.scans import LETTER, encoded, font, page

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")

WORD = "INV-58213"


def _drawn_box(size: tuple[int, int]) -> Image.Image:
    """A black block where LETTER's invoice number is typed on `page(LETTER)`, on an otherwise white page."""
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    left = 236 + measure.textlength("Invoice number: ", font=font())
    right = 236 + measure.textlength(f"Invoice number: {WORD}", font=font())
    top = 236 + 3 * int(46 * 1.5)
    mask = Image.new("L", size, 255)
    ImageDraw.Draw(mask).rectangle((left, top + 8, right, top + 40), fill=0)
    return mask


def _turned(image: Image.Image) -> Image.Image:
    """A page fed in sideways and at a slant: OSD turns it a quarter back, deskew straightens 3 degrees."""
    return image.rotate(90, expand=True, fillcolor=255).rotate(3, expand=True, fillcolor=255)


def test_word_boxes_are_where_the_word_is_on_the_picture_as_handed_in() -> None:
    letter = page(LETTER)
    turned = _turned(letter)
    found = read_page(turned, 300)
    boxes = [b for b in unpack(found.boxes) if found.text[b.start:b.end] == WORD]
    assert len(boxes) == 1, found.text[:200]
    box = boxes[0]
    # the same turns applied to a block drawn where the word was typed: where the word is on `turned`
    ink = _turned(_drawn_box(letter.size)).point(lambda v: 255 - v).getbbox()
    assert ink is not None
    expected = (ink[0] / turned.width, ink[1] / turned.height, ink[2] / turned.width, ink[3] / turned.height)
    centre = ((box.left + box.right) / 2, (box.top + box.bottom) / 2)
    assert abs(centre[0] - (expected[0] + expected[2]) / 2) < 0.01
    assert abs(centre[1] - (expected[1] + expected[3]) / 2) < 0.01
    assert len(unpack(found.boxes)) >= found.words - 2  # nearly every word has its box


def test_the_preview_reads_a_scan_from_the_kept_pages_and_draws_its_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    scan = docs / "invoice.png"
    scan.write_bytes(encoded(page(LETTER), "PNG"))
    patient = Settings(read_timeout_s=600)  # the time limit is not what this tests: a loaded machine must not fail it
    reader = open_reader(patient)
    with Cairn(embedder=FakeEmbedder(), extractor=open_reader(patient)) as cairn:
        cairn.add_folder(docs)
        run_to_result(cairn.index(), lambda _: None)
        # a kept page's text altered (same length, so its word spans hold): shown only if the kept page is used
        cairn.store.conn.execute("UPDATE ocr_pages SET text = replace(text, 'Whitcombe', 'Whitcombx')")
        kept = cairn.kept_scan(str(scan))
        assert cairn.kept_scan(str(docs / "nothing.png")) is None
    try:
        assert kept is not None and set(kept.pages) == {1}
        doc = reader.read_kept(scan, 10_000_000, kept)
        assert "Whitcombx" in doc.text  # from the kept page: OCR read nothing
        words = kept.words(doc, 1)
        assert WORD in [doc.text[w.start:w.end] for w in words]
        picture = reader.page_picture(scan, 1, 10_000_000)
        assert max(picture.width, picture.height) == 1800 and len(picture.rgb) == picture.width * picture.height * 3
        assert abs(picture.width / picture.height - 2480 / 3508) < 0.01

        scan.write_bytes(encoded(page(LETTER[:5]), "PNG"))  # changed since it was indexed: read again, not kept
        fresh = reader.read_kept(scan, 10_000_000, kept)
        assert "Whitcomb" not in fresh.text and WORD in fresh.text
    finally:
        reader.close()
