"""Reading one page picture with Tesseract 5 (chosen by measurement: docs/ocr.md).

In process through tesserocr (its wheel carries libtesseract; no subprocess, no temporary
image files). One engine per reader process, made on first use: loading the models
takes ~0.3 s, reading a page ~1 s.

Per page: the orientation and script detector (OSD) says whether the page is turned a
quarter, half or three quarters, and the page is turned upright; a slant is straightened
(engine.extract.ocr.deskew) and specks removed; then Tesseract's own page layout analysis
(columns, blocks) and recognition. A picture with no confident
words (a holiday photo, a blank page) is "no text": nothing from it is indexed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from engine.errors import OcrUnavailable
from engine.extract.ocr.boxes import Turn, WordBox, pack
from engine.extract.ocr.deskew import straightened
from engine.extract.ocr.tessdata import tessdata_dir

LANGUAGES = "eng"  # until use_languages: the settings' choice (engine.extract.ocr.languages)
# OSD's confidence in its answer; below this a page is read as it lies (Tesseract's own docs use 2).
MIN_ORIENTATION_CONFIDENCE = 2.0
# A page has text when it holds at least this many words of two or more letters or digits that
# Tesseract is at least this sure of: the noise it reads into photos is short and unsure.
MIN_WORDS = 3
MIN_WORD_CONFIDENCE = 60
# Recognition of one page stops after this (a dense A4 page takes 1-3 s): a pathological picture
# costs one page, not the file's whole time. The reader process's own limits still bound the rest.
PAGE_SECONDS = 30.0
MEDIAN_FROM_PIXELS = 1600  # the short side of an A4 page at ~200 dpi
# Isolated dark pixels per million above which a page counts as speckled. Measured (docs/ocr.md): clean
# pages 0, the real scans 42-319, the noisy test pages 762-1,304; the median helped from ~300 up.
SPECKLED_PPM = 200
NO_DATA = ("needs OCR, but Tesseract's English and orientation data (eng.traineddata, osd.traineddata) are not "
           "installed: on Debian or Ubuntu `apt-get install tesseract-ocr-eng tesseract-ocr-osd`")


@dataclass(frozen=True)
class OcrPage:
    text: str  # in Tesseract's reading order: blocks, then lines; "" when the picture has no text
    confidence: float  # mean word confidence, 0-100
    rotated: int  # degrees the picture was turned (counter-clockwise) to read it: 0, 90, 180, 270
    words: int  # words read
    timed_out: bool = False  # recognition stopped at the page's time limit: the page is left unread
    boxes: bytes = b""  # each word's box on the page picture and span in `text` (engine.extract.ocr.boxes.pack)


class Tesseract:
    """One page at a time; not thread-safe (one per reader process)."""

    def __init__(self, languages: str = LANGUAGES) -> None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # a Tesseract built with OpenMP: one page, one core
        import tesserocr

        folder = tessdata_dir()
        if folder is None:
            raise OcrUnavailable(NO_DATA)
        self._tesserocr = tesserocr
        self._osd = tesserocr.PyTessBaseAPI(path=str(folder), lang="osd", psm=tesserocr.PSM.OSD_ONLY)
        self._api = tesserocr.PyTessBaseAPI(path=str(folder), lang=languages, psm=tesserocr.PSM.AUTO)
        for api in (self._osd, self._api):
            api.SetVariable("debug_file", os.devnull)  # its warnings name no content, but nor do they help

    def read(self, page: Image.Image, dpi: int | None = None, seconds: float = PAGE_SECONDS) -> OcrPage:
        """The page's text; recognition stops after `seconds` (the page is then reported as timed out)."""
        rotated, lines_seen = self._orientation(page)
        upright, skew = straightened(page.rotate(rotated, expand=True) if rotated else page)  # PIL: counter-clockwise
        # a photo, or a page with a few words: OSD saw too little text for specks to be what hides it
        self._api.SetImage(_cleaned(upright) if lines_seen else upright)
        if dpi:
            self._api.SetSourceResolution(dpi)
        if not self._api.Recognize(timeout=max(1, int(seconds * 1000))):
            self._api.Clear()
            return OcrPage("", 0.0, rotated, 0, timed_out=True)
        confidences = self._api.AllWordConfidences()
        words = [w for w in (self._api.AllWords() or [])]
        sure = sum(1 for w, c in zip(words, confidences) if c >= MIN_WORD_CONFIDENCE and _has_two_alnum(w))
        if sure < MIN_WORDS:
            self._api.Clear()
            return OcrPage("", 0.0, rotated, 0)
        text = str(self._api.GetUTF8Text()).strip()  # as the Document keeps it: box spans index this text
        mean = float(self._api.MeanTextConf())
        found = self._word_boxes(text, Turn(page.size, rotated, skew, upright.size))
        self._api.Clear()
        return OcrPage(text, mean, rotated, len(words), boxes=pack(found))

    def _word_boxes(self, text: str, turn: Turn) -> list[WordBox]:
        """Each word's box on the page as handed in, with its span in `text` (found in reading order)."""
        level = self._tesserocr.RIL.WORD
        found, position = [], 0
        for item in self._tesserocr.iterate_level(self._api.GetIterator(), level):
            word, box = item.GetUTF8Text(level), item.BoundingBox(level)
            at = text.find(word, position) if word and box else -1
            placed = turn.to_page(box) if at >= 0 else None
            if placed is None:
                continue
            position = at + len(word)
            found.append(WordBox(placed.left, placed.top, placed.right, placed.bottom, at, position))
        return found

    def _orientation(self, page: Image.Image) -> tuple[int, bool]:
        """Degrees counter-clockwise to turn `page` upright (0 when OSD cannot tell), and whether OSD found
        enough text to tell at all (it needs some lines of it: a photo or a page of three words has not)."""
        self._osd.SetImage(page)
        try:
            found: dict[str, Any] | None = self._osd.DetectOrientationScript()
        finally:
            self._osd.Clear()
        if not found:
            return 0, False
        if found.get("orient_conf", 0.0) < MIN_ORIENTATION_CONFIDENCE:
            return 0, True
        return int(found.get("orient_deg", 0)) % 360, True

    def close(self) -> None:
        self._osd.End()
        self._api.End()


def _cleaned(page: Image.Image) -> Image.Image:
    """Specks removed (a 3 x 3 median) from a speckled page: on a speckled fax Tesseract's layout analysis
    otherwise drops whole blocks as pictures (measured: docs/ocr.md). Only there: the median costs ~0.6 s
    on an A4 page at 300 dpi, and it would thin the strokes of small letters on a low-resolution one."""
    if min(page.size) < MEDIAN_FROM_PIXELS or _isolated_ink_ppm(page) < SPECKLED_PPM:
        return page
    return page.filter(ImageFilter.MedianFilter(3))


def _isolated_ink_ppm(page: Image.Image) -> float:
    """Dark pixels with no dark neighbour, per million pixels: specks, which letters never are (~10 ms)."""
    ink = np.asarray(page) < 128
    near = np.zeros_like(ink)
    near[1:, :] |= ink[:-1, :]
    near[:-1, :] |= ink[1:, :]
    near[:, 1:] |= ink[:, :-1]
    near[:, :-1] |= ink[:, 1:]
    return float((ink & ~near).sum()) * 1e6 / max(1, ink.size)


def _has_two_alnum(word: str) -> bool:
    return sum(ch.isalnum() for ch in word) >= 2


_engine: Tesseract | None = None


def use_languages(languages: str) -> None:
    """Read with these languages ("eng+deu", all installed) from now on, in this process."""
    global LANGUAGES, _engine
    if languages != LANGUAGES and _engine is not None:
        _engine.close()
        _engine = None
    LANGUAGES = languages


def languages_in_use() -> str:
    return LANGUAGES


def engine() -> Tesseract:
    """This process's engine, made on first use."""
    global _engine
    if _engine is None:
        _engine = Tesseract(LANGUAGES)
    return _engine
