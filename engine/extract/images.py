"""Image files (scans, faxes, photos of documents): their text by OCR, a page per picture.

A multi-page TIFF (what scanners and fax software write) is a paged document like a PDF:
each frame is a page, so a result says "page 3". A photo without text gives an empty
Document ("no text found"): nothing of it is indexed. Every page carries its OCR
confidence (PageSpan.ocr_confidence), so the app can say "read from a scan".
"""

from __future__ import annotations

import time

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.ocr import memo
from engine.extract.ocr import enlarged_if_small, frame_count, open_picture, pages, read_page

OUT_OF_TIME = "only the first {read:,} of {count:,} pages were read in the time Cairn gives one file"


def extract_image(data: bytes, deadline: float | None = None) -> Document:
    """OCR of every page of the picture; at `deadline` (time.monotonic()) the pages read so far, marked partial."""
    image = open_picture(data)
    count = frame_count(image)
    dpi = _dpi(image.info.get("dpi"))
    builder = TextBuilder()
    read, timed_out = 0, []
    for number, page in enumerate(pages(image), 1):
        if deadline is not None and number > 1 and time.monotonic() > deadline:
            break
        found = memo.known(number)
        if found is None:
            page = enlarged_if_small(page, dpi)
            found = read_page(page, _scaled_dpi(dpi, image.size, page.size), deadline)
            memo.read(number, found)
        read = number
        if found.timed_out:
            timed_out.append(number)
        builder.page(number, found.text, ocr_confidence=found.confidence if found.text.strip() else None)
        if builder.full:
            break
    gaps = [
        f"pages {_numbers(timed_out)} took longer to read than Cairn gives one page" if timed_out else "",
        OUT_OF_TIME.format(read=read, count=count) if read < count and not builder.full else "",
    ]
    gap = "; ".join(filter(None, gaps)) or None
    if not builder.length:
        if gap:
            raise ExtractionError(f"no text could be read: {gap}")
        return Document(text="", kind="image", title=None)  # no text here: recorded as empty, nothing indexed
    return builder.build("image", None, gap=gap)


def _dpi(value: object) -> int | None:
    """The resolution the scanner wrote, when it is a plausible one (photos often say 72 or nothing)."""
    try:
        dpi = int(round(float(value[0])))  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if 100 <= dpi <= 1200 else None


def _scaled_dpi(dpi: int | None, original: tuple[int, int], page: tuple[int, int]) -> int | None:
    """The page's resolution once scaled down for OCR (Tesseract sizes its expectations of text by it)."""
    if dpi is None:
        return None
    return max(1, round(dpi * ((page[0] * page[1]) / max(1, original[0] * original[1])) ** 0.5))


def _numbers(pages: list[int], most: int = 6) -> str:
    return ", ".join(map(str, pages[:most])) + (", …" if len(pages) > most else "")
