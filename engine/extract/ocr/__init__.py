"""OCR: text from pictures (scanned pages, photos of documents), in memory, in the reader process.

The readers use three things: `open_picture`/`pages` decode an image file safely (size
checked before decoding, damaged data refused), `read_page` reads one page picture, and
`OcrPage` is what it found (text, mean confidence, how the page was turned).
"""

from __future__ import annotations

import time

from PIL import Image

from engine.extract.ocr.pictures import enlarged_if_small, frame_count, open_picture, pages, scaled_for_ocr
from engine.extract.ocr.tesseract import PAGE_SECONDS, OcrPage, engine

__all__ = ["OcrPage", "enlarged_if_small", "frame_count", "open_picture", "pages", "read_page", "scaled_for_ocr"]


def read_page(page: Image.Image, dpi: int | None = None, deadline: float | None = None) -> OcrPage:
    """The text of one page picture (grayscale, at most OCR_PIXELS); "" when it holds none.

    Recognition stops at the page's own time limit or at `deadline` (time.monotonic()), whichever
    comes first, with `timed_out` set."""
    seconds = PAGE_SECONDS if deadline is None else max(1.0, min(PAGE_SECONDS, deadline - time.monotonic()))
    return engine().read(page, dpi, seconds)
