"""Straightening a page fed in at a slant, before Tesseract sees it.

Tesseract copes with a degree or so; at 3 degrees it cuts long lines into pieces and
reads them out of order (measured: 39% character errors on a letter skewed 3 degrees, 0.3%
when straightened; docs/ocr.md). Text lines are what make a page's rows dark and light: turned
to the right angle, the dark rows are darkest and the gaps between them lightest, so the angle
that maximises the variance of the row sums is the page's skew (a projection profile).
Found on a small copy (~0.1 s for an A4 page).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

MAX_DEGREES = 8.0  # beyond this a page is not skewed but turned, and OSD handles the quarter turns
MIN_DEGREES = 0.4  # less than this is left alone: Tesseract handles it and resampling costs sharpness
_WIDTH = 700  # pixels across of the copy the angle is found on


def _profile_score(ink: Image.Image, degrees: float) -> float:
    rows = np.asarray(ink.rotate(degrees, resample=Image.Resampling.NEAREST, fillcolor=0), dtype=np.float32).sum(axis=1)
    return float(np.var(rows))


def skew_angle(page: Image.Image) -> float:
    """Degrees to turn `page` counter-clockwise (PIL's sense) to make its text lines level."""
    factor = max(1, page.width // _WIDTH)
    small = page.reduce(factor) if factor > 1 else page
    ink = small.point(lambda v: 255 if v < 140 else 0)  # dark ink as bright pixels: what the rows sum
    if not ink.getbbox():
        return 0.0
    coarse = max(np.arange(-MAX_DEGREES, MAX_DEGREES + 0.01, 0.5), key=lambda a: _profile_score(ink, float(a)))
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=lambda a: _profile_score(ink, float(a)))
    return round(float(fine), 1)


def straightened(page: Image.Image) -> tuple[Image.Image, float]:
    """The page level, and the degrees it was turned to be (0.0 when left alone): word boxes are mapped back."""
    angle = skew_angle(page)
    if abs(angle) < MIN_DEGREES:
        return page, 0.0
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255), angle
