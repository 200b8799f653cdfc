"""OCR: text from pictures (scanned pages, photos of documents), in memory, in the reader process.

The readers use three things: `open_picture`/`pages` decode an image file safely (size
checked before decoding, damaged data refused), `read_page` reads one page picture, and
`OcrPage` is what it found (text, mean confidence, how the page was turned).
"""

from __future__ import annotations

from PIL import Image

from engine.extract.ocr.pictures import frame_count, open_picture, pages, scaled_for_ocr
from engine.extract.ocr.tesseract import OcrPage, engine

__all__ = ["OcrPage", "frame_count", "open_picture", "pages", "read_page", "scaled_for_ocr"]


def read_page(page: Image.Image, dpi: int | None = None) -> OcrPage:
    """The text of one page picture (grayscale, at most OCR_PIXELS); "" when it holds none."""
    return engine().read(page, dpi)
