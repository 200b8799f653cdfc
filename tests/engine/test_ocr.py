"""Pictures read by real OCR (Tesseract): scans the tests render, then turn, soil, split and bundle.

No mocked engine: every test runs Tesseract on the page it made. Each page takes about a
second, so the pages are few and small where size does not matter.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from engine.errors import ExtractionError, ImageRefused
from engine.extract import Document, extract
from engine.extract.ocr.tessdata import tessdata_dir
from tests.scans import LETTER, encoded, page, photo, png_claiming, soiled, tiff_pages, two_columns

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")

MAX = 200 * 1024 * 1024


def read(path: Path, data: bytes) -> Document:
    path.write_bytes(data)
    return extract(path, MAX)


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_scanned_letter_gives_its_typed_identifiers_on_page_one(tmp_path: Path) -> None:
    doc = read(tmp_path / "letter.png", encoded(page(LETTER), "PNG", dpi=(300, 300)))
    assert doc.kind == "image"
    assert "INV-58213" in doc.text and "HV/2024/0417" in doc.text and "3,184.20" in doc.text
    assert [p.number for p in doc.pages] == [1]
    assert doc.pages[0].ocr_confidence is not None and doc.pages[0].ocr_confidence > 80


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_page_is_read_upright(tmp_path: Path, turn: int) -> None:
    doc = read(tmp_path / f"turned{turn}.png", encoded(page(LETTER).rotate(turn, expand=True), "PNG"))
    assert "probate application was lodged with the court" in words(doc.text)
    assert "INV-58213" in doc.text


def test_a_skewed_noisy_jpeg_still_gives_the_key_facts(tmp_path: Path) -> None:
    skewed = page(LETTER).rotate(2.5, expand=True, fillcolor=255)
    doc = read(tmp_path / "fax.jpg", encoded(soiled(skewed), "JPEG", quality=40))
    assert "INV-58213" in doc.text and "Whitcombe" in doc.text


def test_two_columns_are_read_one_after_the_other(tmp_path: Path) -> None:
    left = ("The tenant shall pay the rent on the first day of each month by standing order to the landlord. "
            "The tenant shall not keep any animal in the flat without the written consent of the landlord, "
            "which shall not be unreasonably withheld. The tenant shall keep the interior of the flat clean "
            "and in good decorative order and shall return it in the same condition at the end of the term.")
    right = ("The landlord shall keep the roof and the outside walls in repair at his own expense. "
             "The landlord shall insure the building against fire, flood and storm damage with a reputable "
             "insurer and shall produce the policy to the tenant on request. Either party may end this "
             "agreement by giving the other not less than two months notice in writing.")
    doc = read(tmp_path / "columns.png", encoded(two_columns(left, right), "PNG"))
    text = words(doc.text)
    assert "shall not be unreasonably withheld" in text and "insure the building against fire" in text
    assert text.index("at the end of the term") < text.index("The landlord shall keep the roof")


def test_every_page_of_a_multipage_tiff_keeps_its_number(tmp_path: Path) -> None:
    pages = [page([f"Exhibit page {n}", f"Case number CV-2024-{n:04d}"]) for n in (1, 2, 3)]
    doc = read(tmp_path / "fax.tif", tiff_pages(pages))
    assert [p.number for p in doc.pages] == [1, 2, 3]
    for span in doc.pages:
        assert f"CV-2024-{span.number:04d}" in doc.text[span.start:span.end]
        assert span.ocr_confidence is not None


def test_a_photo_without_text_gives_nothing_to_index(tmp_path: Path) -> None:
    doc = read(tmp_path / "beach.jpg", encoded(photo(), "JPEG", quality=85))
    assert doc.text == "" and doc.kind == "image"


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = png_claiming(30_000, 30_000)
    assert len(bomb) < 1_000_000
    with pytest.raises(ImageRefused, match="too large"):
        read(tmp_path / "bomb.png", bomb)


def test_an_image_over_cairns_own_pixel_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    with pytest.raises(ImageRefused, match="12,000 x 12,000 pixels"):
        read(tmp_path / "huge.png", png_claiming(12_000, 12_000))


def test_a_truncated_jpeg_is_refused_as_damaged(tmp_path: Path) -> None:
    whole = encoded(page(LETTER), "JPEG", quality=80)
    with pytest.raises(ImageRefused, match="damaged image"):
        read(tmp_path / "cut.jpg", whole[: len(whole) // 2])


def test_a_file_named_as_an_image_that_is_none_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="not a picture"):
        read(tmp_path / "notes.png", b"just some text, not a picture at all\n" * 20)


def _pdf(*pages: str | Image.Image) -> bytes:
    """Typed pages (text) and scanned ones (a page picture filling the page), in order."""
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=12)
    for item in pages:
        pdf.add_page()
        if isinstance(item, str):
            pdf.multi_cell(0, 6, item)
        else:
            pdf.image(item, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def test_a_typed_pdf_with_a_scanned_exhibit_reads_the_exhibit_on_its_page(tmp_path: Path) -> None:
    exhibit = page(["EXHIBIT B", "Receipt number RCP-77120", "Received from Harbour & Vale the sum of 250 pounds"])
    data = _pdf("Witness statement of Eleanor Whitcombe. I exhibit the receipt.", exhibit,
                "Statement of truth. I believe the facts stated are true.")
    doc = read(tmp_path / "statement.pdf", data)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    first, second, third = (doc.text[p.start:p.end] for p in doc.pages)
    assert "Witness statement" in first and "Statement of truth" in third
    assert "RCP-77120" in second
    assert [p.ocr_confidence is not None for p in doc.pages] == [False, True, False]


def test_a_wholly_scanned_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    scans = [soiled(page([f"Page {n} of the lease", f"Clause {n}.1 Term of {n * 5} years"])) for n in (1, 2)]
    doc = read(tmp_path / "lease.pdf", _pdf(*scans))
    assert [p.number for p in doc.pages] == [1, 2]
    assert "Clause 2.1" in doc.text[doc.pages[1].start:doc.pages[1].end]
    assert doc.gap is None


def test_ocr_writes_no_file_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Page pictures and their text stay in memory: nothing in the temporary folder or the working folder."""
    scratch, work = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.chdir(work)
    files = tmp_path / "files"
    files.mkdir()
    read(files / "letter.tif", tiff_pages([page(LETTER)]))
    read(files / "scan.pdf", _pdf(page(LETTER)))
    assert os.listdir(scratch) == [] and os.listdir(work) == []
    assert sorted(os.listdir(files)) == ["letter.tif", "scan.pdf"]


def test_a_page_past_its_time_limit_is_reported_unread_not_half_read() -> None:
    from engine.extract.ocr.tesseract import engine

    found = engine().read(page(LETTER), seconds=0.001)
    assert found.timed_out and found.text == ""


def test_hostile_pictures_fail_alone_in_the_reader_process(tmp_path: Path) -> None:
    """Through the sandboxed reader with its limits: each refused with its reason, the scan after them read."""
    from engine.runtime.sandbox import Limits, SandboxedExtractor

    files = {
        "bomb.png": png_claiming(30_000, 30_000),
        "huge.png": png_claiming(12_000, 12_000),
        "cut.jpg": encoded(page(LETTER), "JPEG", quality=80)[:50_000],
        "letter.webp": encoded(page(LETTER), "WEBP", quality=90),
    }
    reader = SandboxedExtractor(Limits(seconds=60.0, memory_mb=1024))
    try:
        reasons = {}
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
            try:
                doc = reader(tmp_path / name, MAX)
                reasons[name] = doc.text
            except ExtractionError as exc:
                reasons[name] = str(exc)
    finally:
        reader.close()
    assert "too large" in reasons["bomb.png"] and "12,000 x 12,000" in reasons["huge.png"]
    assert "damaged image" in reasons["cut.jpg"]
    assert "INV-58213" in reasons["letter.webp"]


def test_a_long_tiff_out_of_time_keeps_the_pages_read_and_says_so() -> None:
    import time

    from engine.extract.images import extract_image

    pages = [page([f"Exhibit page {n}", f"Case number CV-2024-{n:04d}"]) for n in (1, 2, 3)]
    doc = extract_image(tiff_pages(pages), deadline=time.monotonic())  # already past: the first page only
    assert "CV-2024-0001" in doc.text and "CV-2024-0002" not in doc.text
    assert doc.truncated and doc.gap == "only the first 1 of 3 pages were read in the time Cairn gives one file"


def test_a_heic_phone_photo_is_read_and_drawn(tmp_path: Path) -> None:
    """HEIC (what iPhones save) through pi-heif, a dependency; the test writes its photo with pillow-heif's
    encoder (a test dependency: its wheel carries x265, which Cairn does not ship)."""
    pillow_heif = pytest.importorskip("pillow_heif")
    from engine.extract.page_picture import page_picture

    letter = page(LETTER).convert("RGB").reduce(2)  # 1240 x 1754: a phone's crop of an A4 letter
    path = tmp_path / "IMG_0001.HEIC"
    pillow_heif.from_pillow(letter).save(path, quality=90)  # not registered with Pillow: pi-heif decodes it
    assert path.read_bytes()[4:12] == b"ftypheic"
    doc = read(path, path.read_bytes())
    assert doc.kind == "image" and "INV-58213" in doc.text and doc.pages[0].ocr_confidence
    picture = page_picture(path, 1, 10_000_000)
    assert (picture.width, picture.height) == (1240, 1754)


def test_a_heic_photo_without_a_decoder_is_unsupported_with_the_package_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.errors import UnsupportedFile
    from engine.extract.ocr import pictures

    monkeypatch.setattr(pictures, "_heif_opener", lambda: False)  # an installation without pi-heif
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    with pytest.raises(UnsupportedFile, match="pi-heif"):
        read(tmp_path / "IMG_0001.HEIC", heic)
