"""Pages OCR has read before, handed to the readers, and pages read now, handed back page by page.

OCR is the slowest thing Cairn does (1-3 s a page), so a page is read once: the index keeps
every page read (`ocr_pages`, keyed by the file's content hash and page number) and gives the
reader a file's known pages before it reads the file. The reader process cannot write the
index, so each page it reads is passed to `on_read` as soon as it is read (the sandbox sends it
to the main process, which commits it): a pass killed in the middle of a 300-page scan resumes
at the first page not read. One file at a time per process, so module state is enough.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from engine.extract.ocr.tesseract import OcrPage, languages_in_use

PageSink = Callable[[int, OcrPage], None]

_known: dict[int, OcrPage] = {}
_on_read: PageSink | None = None


@contextlib.contextmanager
def remembering(known: dict[int, OcrPage] | None, on_read: PageSink | None) -> Iterator[None]:
    """Within this block, readers take pages from `known` and report what they read to `on_read`."""
    global _known, _on_read
    saved = (_known, _on_read)
    _known, _on_read = dict(known or {}), on_read
    try:
        yield
    finally:
        _known, _on_read = saved


def known(number: int) -> OcrPage | None:
    """The page (1-based) as read before, if it was."""
    return _known.get(number)


def read(number: int, page: OcrPage) -> None:
    """A page was just read: pass it on to be kept (a page cut short by its time limit is not kept)."""
    if _on_read is not None and not page.timed_out:
        _on_read(number, page)


def page_from_cache(text: str, confidence: float, boxes: bytes | None = None) -> OcrPage:
    """A kept page as the readers use it (its turn and word count are not kept: nothing reads them later)."""
    return OcrPage(text=text, confidence=confidence, rotated=0, words=len(text.split()), boxes=boxes or b"")


def setup() -> str:
    """What a kept page was read with: a page read with other languages is read again."""
    return f"tesseract5 {languages_in_use()}"
