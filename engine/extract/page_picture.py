"""A page of a scan as a picture, for the app's preview to draw the words OCR found on.

Drawn in the reader process (engine.runtime.sandbox), with its limits, as the file is read for
indexing: the page of an untrusted PDF or image is decoded where a bomb cannot take the
window down. The picture is the page OCR read (a PDF page as PDFium draws it, an image
upright as photographed), only smaller: the kept word boxes are fractions of it, so they fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from engine.errors import ExtractionError
from engine.extract.files import read_limited
from engine.extract.ocr.pictures import in_colour, open_picture

LONGEST = 1800  # pixels on the picture's long side: sharp on a screen, ~10 MB of RGB at most


@dataclass(frozen=True)
class PagePicture:
    """RGB pixels, row by row (3 bytes a pixel): what a GUI toolkit turns into an image without a codec."""

    width: int
    height: int
    rgb: bytes


def page_picture(path: Path, number: int, max_bytes: int, longest: int = LONGEST) -> PagePicture:
    """Page `number` (1-based) of the PDF or image file at `path`, at most `longest` pixels on its long side."""
    data = read_limited(path, max_bytes)
    image = _pdf_page(data, number, longest) if data.startswith(b"%PDF") else in_colour(open_picture(data), number)
    image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    rgb = image.convert("RGB")
    return PagePicture(rgb.width, rgb.height, rgb.tobytes())


def _pdf_page(data: bytes, number: int, longest: int) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:
        raise ExtractionError("damaged PDF: its pages cannot be drawn") from None
    try:
        if not 1 <= number <= len(pdf):
            raise ExtractionError(f"the PDF has no page {number}")
        page = pdf[number - 1]
        try:
            width, height = page.get_size()  # points; the same drawing OCR read (engine.extract.pdf_scans)
            bitmap = page.render(scale=longest / max(1.0, width, height), may_draw_forms=True)
            image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy: the bitmap's buffer goes with the page
            return image
        finally:
            page.close()
    finally:
        pdf.close()
