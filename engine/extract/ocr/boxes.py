"""Where each word OCR read sits on its page: what the app's preview boxes on the page picture.

Kept with the page's text (`ocr_pages.boxes`), so the preview draws a scan's words without
reading the page again. A box is given as fractions of the page picture's width and height
(stored in ten-thousandths), in the picture as the reader was handed it, before OSD turned it
upright and deskew straightened it: any drawing of that page (PDFium at screen size, the photo
scaled to the panel) takes the boxes as they are. Each box keeps the word's span in the
page's OCR text, so a passage or a search match on that text maps to its words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SCALE = 10_000  # stored coordinates: ten-thousandths of the page's width or height


@dataclass(frozen=True)
class WordBox:
    """One word: its box as fractions (0-1) of the page picture's width and height, and its span in the text."""

    left: float
    top: float
    right: float
    bottom: float
    start: int
    end: int

    def moved(self, by: int) -> "WordBox":
        """The same word with its span shifted `by` characters (page text -> the whole file's text)."""
        return WordBox(self.left, self.top, self.right, self.bottom, self.start + by, self.end + by)


def pack(boxes: Iterable[WordBox]) -> bytes:
    """Six little-endian int32 per word (~24 bytes): a dense page of 400 words keeps in ~10 KB."""
    rows = [(round(b.left * SCALE), round(b.top * SCALE), round(b.right * SCALE), round(b.bottom * SCALE),
             b.start, b.end) for b in boxes]
    return np.asarray(rows, dtype="<i4").reshape(-1, 6).tobytes()


def unpack(data: bytes | None) -> tuple[WordBox, ...]:
    if not data:
        return ()
    rows = np.frombuffer(data, dtype="<i4").reshape(-1, 6)
    return tuple(WordBox(int(r[0]) / SCALE, int(r[1]) / SCALE, int(r[2]) / SCALE, int(r[3]) / SCALE,
                         int(r[4]), int(r[5])) for r in rows)


@dataclass(frozen=True)
class Turn:
    """How the page picture was turned before Tesseract read it: `quarter` degrees (0/90/180/270, PIL's
    counter-clockwise sense, expanding the canvas), then `skew` degrees the same way (expanding too)."""

    page: tuple[int, int]  # the picture as handed to the reader
    quarter: int
    skew: float
    read: tuple[int, int]  # the picture Tesseract read (after both turns)

    def to_page(self, box: Sequence[int]) -> WordBox | None:
        """A box (left, top, right, bottom) in the picture Tesseract read, as fractions of the page picture
        (the box around its turned-back corners); None when it falls outside the page."""
        middle = self.quarter_size()
        corners = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
        back = [_unturn(_unturn(c, self.read, middle, self.skew), middle, self.page, self.quarter) for c in corners]
        xs, ys = [p[0] / self.page[0] for p in back], [p[1] / self.page[1] for p in back]
        left, top, right, bottom = max(0.0, min(xs)), max(0.0, min(ys)), min(1.0, max(xs)), min(1.0, max(ys))
        if right <= left or bottom <= top:
            return None
        return WordBox(left, top, right, bottom, 0, 0)

    def quarter_size(self) -> tuple[int, int]:
        return (self.page[1], self.page[0]) if self.quarter in (90, 270) else self.page


def _unturn(point: tuple[float, float], turned: tuple[int, int], original: tuple[int, int],
            degrees: float) -> tuple[float, float]:
    """Where a point of a picture turned `degrees` counter-clockwise about its centre (canvas expanded to
    `turned`) was in the `original` picture: PIL keeps the centres together."""
    if not degrees:
        return point
    a = math.radians(degrees)
    dx, dy = point[0] - turned[0] / 2, point[1] - turned[1] / 2
    return (original[0] / 2 + dx * math.cos(a) - dy * math.sin(a), original[1] / 2 + dx * math.sin(a) + dy * math.cos(a))
