"""Assemble a Document from blocks, keeping offsets and the size limit in one place.

The structured formats (HTML, PDF, DOCX, e-mail) all produce a sequence of
paragraphs, some of them headings, some of them pages. Building the joined text
here means the offsets of headings and pages are computed once, the same way,
and the character limit cannot be forgotten by one format.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine.extract.document import Document, Heading, PageSpan
from engine.extract.limits import MAX_CHARS

SEPARATOR = "\n\n"


class TextBuilder:
    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._max = max_chars
        self._headings: list[Heading] = []
        self._pages: list[PageSpan] = []
        self.truncated = False

    @property
    def length(self) -> int:
        return self._length

    @property
    def full(self) -> bool:
        """True once the limit is reached: callers stop reading the source."""
        return self.truncated

    def paragraph(self, text: str) -> tuple[int, int] | None:
        """Append a block; returns its span, or None if it was blank or did not fit at all."""
        text = text.strip()
        if not text or self.truncated:
            return None
        sep = SEPARATOR if self._length else ""
        room = self._max - self._length - len(sep)
        if room <= 0:
            self.truncated = True
            return None
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        self._parts.append(sep)
        start = self._length + len(sep)
        self._parts.append(text)
        self._length = start + len(text)
        return start, self._length

    def heading(self, text: str, level: int) -> None:
        text = " ".join(text.split())
        span = self.paragraph(text)
        if span is not None:
            self._headings.append(Heading(span[0], max(1, level), text))

    def page(self, number: int, text: str, ocr_confidence: float | None = None) -> None:
        """A page is one block; an empty page still gets a (zero-length) span so numbering stays true."""
        span = self.paragraph(text)
        if span is None:
            span = (self._length, self._length)
        self._pages.append(PageSpan(number, *span, ocr_confidence=ocr_confidence))

    @contextmanager
    def page_of_blocks(self, number: int) -> Iterator[None]:
        """The blocks added inside the `with` make one page (a slide: its title as a heading, then its text)."""
        start = self._length + (len(SEPARATOR) if self._length else 0)
        yield
        self._pages.append(PageSpan(number, min(start, self._length), self._length))

    def build(self, kind: str, title: str | None, encoding: str | None = None,
              incomplete: bool = False, gap: str | None = None) -> Document:
        return Document(
            text="".join(self._parts), kind=kind, title=clean_title(title),
            pages=tuple(self._pages), headings=tuple(self._headings), encoding=encoding,
            truncated=self.truncated or incomplete or gap is not None, gap=gap,
        )


def clean_title(title: str | None) -> str | None:
    """One line, trimmed, None when empty: metadata titles are often blank or padded."""
    if title is None:
        return None
    title = " ".join(str(title).split())
    return title[:500] or None
