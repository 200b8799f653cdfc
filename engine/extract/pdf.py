"""PDF: the text of each page, with page numbers kept as spans.

pypdf is pure Python, so a broken or hostile file can fail in any way (not only
with pypdf's own errors): every failure becomes a short reason, never a
traceback. An encrypted PDF is read when it opens with the empty password
(most "protected" PDFs only restrict printing or copying); otherwise it is
refused rather than guessed at. pypdf already caps decompressed stream sizes;
the page and character limits here bound the rest.

What a person typed into the file (form fields, notes) is part of its page's
text. Typeset text is spelled out before any offset is counted: ligature glyphs
("ﬁ" is one character, not the word's "fi"), soft hyphens and words hyphenated
at a line end (or a page's last line) would otherwise be unfindable by the words a person types. A header or
footer printed on every page is kept once (engine.extract.running).
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import IndirectObject, TextStringObject

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS, MAX_PDF_PAGES
from engine.extract.ocr import OcrPage
from engine.extract.pdf_glyphs import GARBLED, is_glyph_noise
from engine.extract.pdf_scans import ScanReading, needs_ocr, read_scans
from engine.extract.running import without_running_lines
from engine.extract.text import normalise_newlines

# pypdf logs its repairs ("EOF marker not found", sometimes with bytes of the file) to the
# terminal by default; a broken PDF is reported through ExtractionError instead.
_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.addHandler(logging.NullHandler())
_pypdf_log.propagate = False

PASSWORD = "password-protected PDF: Cairn cannot read encrypted PDFs"
AES = "encrypted PDF (AES): this installation of Cairn cannot decrypt it"
DAMAGED = "damaged or invalid PDF: it cannot be read (re-saving it from a PDF viewer may help)"
CUT_SHORT = ("damaged PDF: the file ends early, as an unfinished download or copy does"
             " (getting or copying it again may help)")
# Pages without text that draw a picture: scanned pages, when there are several (one is
# more often a cover or a full-page figure, not worth a line among the problems).
MIN_PICTURE_PAGES = 2
SCANNED = "scanned PDF: its pages are pictures without a text layer, and OCR cannot read them here"


def extract_pdf(data: bytes, deadline: float | None = None) -> Document:
    """The PDF's text, page by page; at `deadline` (time.monotonic()) the pages read so far, marked incomplete.

    A book of thousands of scanned-and-recognised pages can take longer than a file is
    given: its first pages are worth more than a refusal."""
    reader, count = _open(data)
    pages, failed, out_of_time = _read_pages(reader, count, deadline)
    if count and len(failed) == min(count, MAX_PDF_PAGES):
        raise ExtractionError(DAMAGED)
    garbled = [n for n, text in enumerate(pages, 1) if is_glyph_noise(text)]
    pages = ["" if n in garbled else text for n, text in enumerate(pages, 1)]
    pictures = [n for n, text in enumerate(pages, 1) if needs_ocr(text) and _has_image(reader, n - 1)]
    scans = read_scans(data, pictures, deadline)  # the pages that are pictures, by OCR
    if scans.unavailable and not any(text.strip() for text in pages):
        raise ExtractionError(f"{SCANNED}: {scans.unavailable}")  # not "empty": this file is not searched
    pages = [_with_ocr(text, scans.read.get(n)) for n, text in enumerate(pages, 1)]
    pages = without_running_lines(pages)  # before offsets are counted, so spans are those of the cleaned text
    compounds = _compounds(pages)
    pages = _joined_across_pages(pages)
    builder = TextBuilder()
    for number, text in enumerate(pages, 1):
        found = scans.read.get(number)
        builder.page(number, _dehyphenate(text, compounds),
                     ocr_confidence=found.confidence if found and found.text.strip() else None)
        if builder.full:
            break
    gaps = [
        f"pages {page_ranges(failed)} are damaged" if failed else "",
        GARBLED.format(pages=f"page {garbled[0]} uses" if len(garbled) == 1 else f"pages {page_ranges(garbled)} use")
        if garbled else "",
        _unread_scans(scans),
        f"only the first {len(pages):,} of {count:,} pages were read in the time Cairn gives one file"
        if out_of_time else "",
        f"only the first {MAX_PDF_PAGES:,} of {count:,} pages are read" if count > MAX_PDF_PAGES else "",
    ]
    return builder.build("pdf", _title(reader), gap="; ".join(filter(None, gaps)) or None)


def _unread_scans(scans: ScanReading) -> str:
    """Picture pages left unread: by lack of OCR data (said from two pages on: one is more often a cover
    or a figure), or by lack of time or a page PDFium could not draw."""
    if scans.unavailable:
        if len(scans.unread) < MIN_PICTURE_PAGES:
            return ""
        return f"pages {page_ranges(scans.unread)} are pictures without a text layer ({scans.unavailable})"
    if scans.unread:
        return f"pages {page_ranges(scans.unread)} are pictures that OCR did not read in the time allowed"
    return ""


def _with_ocr(typed: str, found: OcrPage | None) -> str:
    """A scanned page's text: what OCR read, after the little that was typed on it (a stamp, a Bates number)."""
    if found is None or not found.text.strip():
        return typed
    return f"{typed.strip()}\n\n{found.text}" if typed.strip() else found.text


def _read_pages(reader: PdfReader, count: int, deadline: float | None) -> tuple[list[str], list[int], bool]:
    """Each page's text ("" for a broken one) until the last, the page limit, the text limit or `deadline`;
    the numbers of the broken pages (the others are still worth having); whether `deadline` stopped it."""
    pages: list[str] = []
    failed: list[int] = []
    length = 0
    for index in range(min(count, MAX_PDF_PAGES)):
        if deadline is not None and index and time.monotonic() > deadline:
            return pages, failed, True
        text = _page_text(reader, index)
        if text is None:
            failed.append(index + 1)
            text = ""
        pages.append(text)
        length += len(text)
        if length > MAX_CHARS:  # the builder keeps no more than this
            break
    return pages, failed, False


def page_ranges(numbers: list[int], most: int = 6) -> str:
    """"3-7, 12, 15-16": page numbers as a person reads them; past `most` ranges, "…"."""
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    shown = [f"{a}-{b}" if b > a else str(a) for a, b in ranges[:most]]
    return ", ".join(shown) + (", …" if len(ranges) > most else "")


def _open(data: bytes) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractionError(PASSWORD)
        return reader, len(reader.pages)
    except ExtractionError:
        raise
    except DependencyError:
        raise ExtractionError(AES) from None
    except FileNotDecryptedError:
        raise ExtractionError(PASSWORD) from None
    except Exception:  # hostile input breaks parsers in unforeseen ways (RecursionError, KeyError, ...)
        raise ExtractionError(CUT_SHORT if _cut_short(data) else DAMAGED) from None


def _cut_short(data: bytes) -> bool:
    """PDF objects, but no end-of-file marker where every writer puts one: the end of the file is missing."""
    return b"%%EOF" not in data[-1024:] and b" obj" in data


def _page_text(reader: PdfReader, index: int) -> str | None:
    """A page's text, or None when that page alone is broken (the others are still worth having)."""
    try:
        page = reader.pages[index]
        text = page.extract_text()
    except DependencyError:
        raise ExtractionError(AES) from None
    except Exception:
        return None
    typed = _typed_in(page)
    if typed:
        text = f"{text}\n\n{typed}" if text.strip() else typed
    return _spelled_out(normalise_newlines(text.replace("\x00", "")))


def _typed_in(page: PageObject) -> str:
    """What a person typed on the page rather than printed: filled-in form fields, notes and comments.

    They live in annotations, which a viewer draws but which are not the page's text.
    A pop-up repeats its note's words and a link's are not the person's: both are left out."""
    try:
        annotations = _resolved(page.get("/Annots"))
        lines = []
        for ref in annotations if isinstance(annotations, list) else ():
            annotation = _resolved(ref)
            if not isinstance(annotation, dict):
                continue
            subtype = annotation.get("/Subtype")
            if subtype == "/Widget":  # a form field's answer; a ticked box's value is a name, not words
                value, label = _inherited(annotation, "/V"), _inherited(annotation, "/TU")
                if isinstance(value, TextStringObject) and value.strip():
                    lines.append(f"{label}: {value}" if isinstance(label, TextStringObject) and label.strip() else value)
            elif subtype not in ("/Popup", "/Link"):
                contents = annotation.get("/Contents")
                if isinstance(contents, TextStringObject) and contents.strip():
                    lines.append(contents)
        return "\n".join(lines)
    except Exception:  # a broken annotation must not lose the page's own text
        return ""


def _inherited(field: dict[object, object], key: str) -> object:
    """A form field's attribute, set on the widget or on a parent field (a few levels; a hostile file may loop)."""
    for _ in range(8):
        if key in field:
            return _resolved(field[key])
        parent = _resolved(field.get("/Parent"))
        if not isinstance(parent, dict):
            return None
        field = parent
    return None


# U+FB00-FB06 (ff, fi, fl, ffi, ffl, long st, st): the letters they stand for
_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}
_SOFT_HYPHEN = re.compile("\xad(?:[ \t]*\n[ \t]*)?")  # invisible, or the hyphen of a word broken at a line end
_LETTERS = r"[^\W\d_]+"
_COMPOUND = re.compile(rf"({_LETTERS})[-\u2010]({_LETTERS})")
_BREAK = re.compile(rf"[-\u2010][ \t]*\n[ \t]*({_LETTERS})")  # searched from the hyphen: 20x faster than from words


def _spelled_out(text: str) -> str:
    return _SOFT_HYPHEN.sub("", text.translate(_LIGATURES))


def _compounds(pages: list[str]) -> set[str]:
    """Hyphenated words written on one line somewhere in the file ("well-known"): their hyphen is real."""
    found: set[str] = set()
    for text in pages:
        for word in text.split() if "-" in text or "\u2010" in text else ():
            if "-" in word or "\u2010" in word:
                found.update(f"{m[1]}-{m[2]}".lower() for m in _COMPOUND.finditer(word))
    return found


_PAGE_END_HYPHEN = re.compile(rf"{_LETTERS}[-\u2010]\s*$")
_PAGE_START_WORD = re.compile(r"\s*(\S+)[ \t]*\n?")  # the next page's first word, with its punctuation


def _joined_across_pages(pages: list[str]) -> list[str]:
    """A word hyphenated at a page's last line ("recov-" | "ery took") goes whole onto the page it starts on.

    Moved as a line break, so `_dehyphenate` then joins it or keeps a real compound's hyphen;
    a capital after the break ("Anglo-" | "Saxon", "check-" | "Up") is not a second half and stays."""
    pages = list(pages)
    for n in range(len(pages) - 1):
        if not _PAGE_END_HYPHEN.search(pages[n]):
            continue
        start = _PAGE_START_WORD.match(pages[n + 1])
        if start is None or not start[1][0].islower():
            continue
        pages[n] = pages[n].rstrip() + "\n" + start[1]
        pages[n + 1] = pages[n + 1][start.end():]
    return pages


def _dehyphenate(text: str, compounds: set[str]) -> str:
    """"docu-\nment" is "document"; a compound the file writes whole elsewhere, or "Anglo-\nSaxon", stays."""
    def join(m: re.Match[str]) -> str:
        start = m.start()
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        head, tail = text[start:m.start()], m[1]
        if not head or not tail[0].islower() or f"{head}-{tail}".lower() in compounds:
            return m[0]
        return tail

    return _BREAK.sub(join, text)


def _has_image(reader: PdfReader, index: int) -> bool:
    """Whether the page draws a picture (an image, or a form that holds one): a scan, when it has no text."""
    try:
        pending, seen = [reader.pages[index].get("/Resources")], set()
        while pending:  # forms hold forms; each is looked at once, so a hostile loop ends
            resources = _resolved(pending.pop())
            xobjects = _resolved(resources.get("/XObject")) if isinstance(resources, dict) else None
            for ref in xobjects.values() if isinstance(xobjects, dict) else ():
                key = getattr(ref, "idnum", None) or id(ref)
                if key in seen:
                    continue
                seen.add(key)
                xobject = _resolved(ref)
                if not isinstance(xobject, dict):
                    continue
                if xobject.get("/Subtype") == "/Image":
                    return True
                if xobject.get("/Subtype") == "/Form":
                    pending.append(xobject.get("/Resources"))
        return False
    except Exception:  # only asked of a file with no text; a broken page is no evidence either way
        return False


def _resolved(obj: object) -> object:
    """The object an indirect reference points at (pypdf's dict.get does not follow them)."""
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _title(reader: PdfReader) -> str | None:
    try:
        meta = reader.metadata
        return str(meta.title) if meta is not None and meta.title else None
    except Exception:  # metadata is optional; a broken info dictionary must not lose the text
        return None
