"""The pages of a PDF that are only pictures (a scanned PDF, a scanned exhibit in a typed one), read by OCR.

PDFium (pypdfium2) draws the page as a viewer shows it, at 300 dpi: whatever the picture's
codec (JBIG2, CCITT fax, JPEG 2000), strips, masks, the page's /Rotate and a skewed
placement are then the renderer's business, and the page is read as a person sees it.
All in memory: no page image is written anywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from engine.errors import OcrUnavailable
from engine.extract.ocr import OcrPage, memo, read_page
from engine.extract.ocr.pictures import OCR_PIXELS

DPI = 300
# A page with fewer typed characters than this that draws a picture is read by OCR too: a scan
# often carries a stamped exhibit label or a Bates number as its only text.
MIN_TYPED_CHARS = 40


@dataclass
class ScanReading:
    read: dict[int, OcrPage] = field(default_factory=dict)  # page number (1-based): what OCR found
    unread: list[int] = field(default_factory=list)  # out of time, or the page could not be drawn
    unavailable: str | None = None  # why no page could be read at all (no OCR data installed)


def needs_ocr(text: str) -> bool:
    return sum(not ch.isspace() for ch in text) < MIN_TYPED_CHARS


def read_scans(data: bytes, numbers: list[int], deadline: float | None) -> ScanReading:
    """OCR of the pages `numbers` (1-based) of the PDF in `data`, until `deadline` (time.monotonic())."""
    reading = ScanReading()
    if not numbers:
        return reading
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pypdf opened it; PDFium may still refuse a damaged file
        reading.unread = list(numbers)
        return reading
    try:
        for position, number in enumerate(numbers):
            if deadline is not None and position and time.monotonic() > deadline:
                reading.unread.extend(numbers[position:])
                break
            try:
                found = memo.known(number)
                if found is None:
                    found = read_page(*_render(pdf, number - 1), deadline=deadline)
                    memo.read(number, found)
                if found.timed_out:
                    reading.unread.append(number)
                else:
                    reading.read[number] = found
            except OcrUnavailable as exc:
                reading.unavailable = str(exc)
                reading.unread = list(numbers)
                reading.read.clear()
                break
            except MemoryError:
                raise
            except Exception:  # one page PDFium cannot draw: the others are still worth reading
                reading.unread.append(number)
    finally:
        pdf.close()
    return reading


def _render(pdf: Any, index: int) -> tuple[Image.Image, int]:
    """The page at DPI in grayscale (and that resolution), drawn smaller when it would exceed OCR_PIXELS
    (a poster-sized page): the size of the drawing is decided before any pixel is drawn."""
    page = pdf[index]
    try:
        width, height = page.get_size()  # points
        pixels = (width * DPI / 72) * (height * DPI / 72)
        scale = DPI / 72 * min(1.0, (OCR_PIXELS / max(1.0, pixels)) ** 0.5)
        bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
        image: Image.Image = bitmap.to_pil().convert("L")
        return image, max(1, round(scale * 72))
    finally:
        page.close()
