"""The pages OCR read of one file, as the index keeps them: what the preview reads a scan with.

The preview shows a passage in its file, so it reads the file again; a scan read again
would cost OCR again (1-3 s a page). With the kept pages the reader takes each page's text
from them and reads none (engine.extract.ocr.memo), and the page's word boxes say where the
passage and the matching words are on the page picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.extract.document import Document
from engine.extract.ocr.boxes import WordBox, unpack
from engine.extract.ocr.tesseract import OcrPage


@dataclass(frozen=True)
class KeptScan:
    """The OCR pages kept for the bytes whose content hash is `file_hash` (files.hash)."""

    file_hash: str
    pages: Mapping[int, OcrPage]  # page number (1-based) -> the page as read

    def words(self, doc: Document, number: int) -> tuple[WordBox, ...]:
        """The words of page `number` with their spans in `doc`'s text; () when the page's boxes were not kept
        (read before they were) or its OCR text is not where the page ends in `doc` (a file read otherwise)."""
        page = self.pages.get(number)
        span = next((p for p in doc.pages if p.number == number), None)
        if page is None or span is None or not page.boxes:
            return ()
        start = span.end - len(page.text)  # OCR text ends its page; a PDF page's typed stamp comes first
        if start < span.start or doc.text[start:span.end] != page.text:
            return ()
        return tuple(box.moved(start) for box in unpack(page.boxes))
