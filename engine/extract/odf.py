"""OpenDocument (.odt text, .ods spreadsheets, .odp presentations): what LibreOffice writes.

All three are a zip whose content.xml holds the body. It is read as a stream
(lxml iterparse) and each paragraph, table row or slide is released once its
text is taken, so a spreadsheet of a million rows never sits in memory as one
tree. Text documents give headings from text:h (outline level), spreadsheets
one heading per sheet (its name), presentations one per slide (its title, else
its name), each slide a page ("slide 3" in results). Deleted text of tracked
changes, comments and generated tables of contents (which repeat the headings)
are left out; footnotes follow the paragraph that cites them; text boxes are
read as paragraphs of their own.

An encrypted OpenDocument file is still a zip, but its manifest declares
encryption data and content.xml is ciphertext: the manifest is checked first so
the user is told "password-protected" instead of "damaged". Repeated rows and
cells (a sheet's million empty rows is one element with a repeat count) are not
expanded. A file still being read when the reader's time is nearly spent
(`deadline`) keeps what was read, marked partial, with where it stopped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import IO

from lxml import etree

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import ROWS_OUT_OF_TIME, past
from engine.extract.zipped import open_checked, read_xml

DAMAGED = "damaged OpenDocument file: not a valid .odt, .ods or .odp file"
PROTECTED = "password-protected OpenDocument file: Cairn reads only files saved without a password"
BOMB = "OpenDocument file refused: it would expand to {what} (possible zip bomb)"

_NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_P, _H = _q("text:p"), _q("text:h")
_ROW, _CELL, _COVERED = _q("table:table-row"), _q("table:table-cell"), _q("table:covered-table-cell")
_TABLE, _PAGE, _FRAME = _q("table:table"), _q("draw:page"), _q("draw:frame")
_SPREADSHEET = _q("office:spreadsheet")
_SPACE, _TAB, _BREAK = _q("text:s"), _q("text:tab"), _q("text:line-break")
_NOTE, _NOTE_BODY = _q("text:note"), _q("text:note-body")
_OUTLINE_LEVEL, _TABLE_NAME, _PAGE_NAME = _q("text:outline-level"), _q("table:name"), _q("draw:name")
_PRESENTATION_CLASS, _SPACE_COUNT = _q("presentation:class"), _q("text:c")
_ROWS_REPEATED = _q("table:number-rows-repeated")
# Subtrees whose text is not the document's own: deleted text kept for change
# tracking, comments, and generated indexes that repeat the headings.
_SKIPPED = frozenset(_q(name) for name in (
    "text:tracked-changes", "office:annotation", "text:table-of-content", "text:illustration-index",
    "text:table-index", "text:object-index", "text:user-index", "text:alphabetical-index", "office:forms",
))
# Inline elements whose content is not part of the sentence around them: a note
# is read after its paragraph, a frame (text box, image) as paragraphs of its own.
_NOT_INLINE = frozenset({_NOTE, _FRAME, _q("draw:a"), _q("draw:custom-shape"), *_SKIPPED})
# Elements whose paragraphs are read together by the element itself.
_OWNERS = frozenset({_CELL, _COVERED, _PAGE, _NOTE, *_SKIPPED})
_MAX_SPACES = 100
# The elements each kind of document is read by: a sheet's text is all in its rows, a
# presentation's in its slides. Text documents (and files that do not say) are read by all.
_SHEETS, _SLIDES = "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.presentation"
_ELEMENTS_READ = {_SHEETS: (_ROW,), _SLIDES: (_PAGE,), "": (_P, _H, _ROW, _PAGE)}
# What a file read until its deadline leaves out, by the numbers of a _Place.
_OUT_OF_TIME = {
    _SHEETS: ROWS_OUT_OF_TIME,
    _SLIDES: "the slides after slide {slide} were not read in the time allowed",
    "": "the paragraphs after paragraph {paragraph} were not read in the time allowed",
}
_CHECK_EVERY = 100  # elements between looks at the clock (a slide can take a thousand times a row)


@dataclass
class _Place:
    """How far the reading got, to say where it stopped: by numbers, as a sheet's or slide's name is content."""

    sheet: int = 0
    row: int = 0  # in the sheet, each row of a repeated one counted
    slide: int = 0
    paragraph: int = 0  # headings, paragraphs and table rows of a text document


def extract_odf(data: bytes, deadline: float | None = None) -> Document:
    """`deadline` (a time.monotonic() value): a sheet of a million rows keeps those read by then."""
    archive = open_checked(data, DAMAGED, BOMB)
    with archive:
        if _encrypted(archive):
            raise ExtractionError(PROTECTED)
        builder = TextBuilder()
        try:
            mimetype = _mimetype(archive)
            reading = mimetype if mimetype in _ELEMENTS_READ else ""
            with archive.open("content.xml") as content:
                stopped = _read_body(content, builder, _ELEMENTS_READ[reading], deadline)
            title = _meta_title(archive)
        except (KeyError, etree.LxmlError, zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise ExtractionError(DAMAGED) from None
    return builder.build("odf", title, gap=None if stopped is None else _OUT_OF_TIME[reading].format(**asdict(stopped)))


def _mimetype(archive: zipfile.ZipFile) -> str:
    try:
        return archive.read("mimetype")[:100].decode("ascii", errors="replace").strip()
    except KeyError:
        return ""  # optional: such a file is read as a text document, which finds every paragraph


def _encrypted(archive: zipfile.ZipFile) -> bool:
    try:
        manifest = read_xml(archive, "META-INF/manifest.xml")
    except (etree.LxmlError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False  # the manifest is optional for reading: content.xml decides
    return manifest is not None and manifest.find(f".//{_q('manifest:encryption-data')}") is not None


def _meta_title(archive: zipfile.ZipFile) -> str | None:
    try:
        meta = read_xml(archive, "meta.xml")
    except (etree.LxmlError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    title = None if meta is None else meta.find(f".//{_q('dc:title')}")
    return None if title is None else "".join(title.itertext())


def _read_body(content: IO[bytes], builder: TextBuilder, tags: tuple[str, ...],
               deadline: float | None) -> _Place | None:
    """Only the ends of the elements in `tags` are seen: a cell's or a span's own events would
    cost more than reading the text (2 µs each, three quarters of the time on a large sheet).
    Returns where the reading stopped when `deadline` passed before the end, else None."""
    sheet: etree._Element | None = None
    place = _Place()
    events = etree.iterparse(content, events=("end",), tag=tags, resolve_entities=False,
                             no_network=True, load_dtd=False, remove_comments=True, remove_pis=True)
    for seen, (_, element) in enumerate(events, start=1):
        if builder.full:
            break
        if seen % _CHECK_EVERY == 0 and past(deadline):
            return place
        tag = element.tag
        if tag == _PAGE:
            place.slide += 1
            with builder.page_of_blocks(place.slide):
                _slide(element, builder)
        elif _owned(element):
            continue
        elif tag == _ROW:
            table = next(element.iterancestors(_TABLE), None)
            if table is not None and table is not sheet and table.getparent() is not None \
                    and table.getparent().tag == _SPREADSHEET:
                sheet = table
                place.sheet, place.row = place.sheet + 1, 0
                builder.heading(table.get(_TABLE_NAME) or "", 1)
            place.row += _repeats(element)
            place.paragraph += 1
            builder.paragraph(_row_text(element))
        else:
            place.paragraph += 1
            text, notes = _inline(element)
            if tag == _H:
                builder.heading(text, _level(element))
            else:
                builder.paragraph(text)
            for note in notes:
                builder.paragraph(note)
        _release(element)
    return None


def _owned(element: etree._Element) -> bool:
    """True when an enclosing cell, slide, note or skipped part reads (or leaves out) this element."""
    return any(ancestor.tag in _OWNERS for ancestor in element.iterancestors())


def _release(element: etree._Element) -> None:
    """Free what was read: the element's content and the siblings read before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _level(heading: etree._Element) -> int:
    try:
        return min(10, max(1, int(heading.get(_OUTLINE_LEVEL) or 1)))
    except ValueError:
        return 1


def _inline(paragraph: etree._Element) -> tuple[str, list[str]]:
    """The paragraph's own text, and the text of the notes it cites."""
    parts: list[str] = [paragraph.text or ""]
    notes: list[str] = []
    _inline_into(paragraph, parts, notes)
    return "".join(parts), notes


def _inline_into(element: etree._Element, parts: list[str], notes: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == _SPACE:
            parts.append(" " * _count(child))
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BREAK:
            parts.append("\n")
        elif tag == _NOTE:
            body = child.find(_NOTE_BODY)
            if body is not None:
                notes.append(" ".join(_paragraphs(body)))
        elif tag not in _NOT_INLINE and isinstance(tag, str):
            parts.append(child.text or "")
            _inline_into(child, parts, notes)
        if child.tail:
            parts.append(child.tail)


def _repeats(row: etree._Element) -> int:
    try:
        return max(1, int(row.get(_ROWS_REPEATED) or 1))
    except ValueError:
        return 1


def _count(space: etree._Element) -> int:
    try:
        return min(_MAX_SPACES, max(1, int(space.get(_SPACE_COUNT) or 1)))
    except ValueError:
        return 1


def _paragraphs(element: etree._Element, skip: frozenset[etree._Element] = frozenset()) -> Iterator[str]:
    """The text of every paragraph under `element` in reading order, notes after their paragraph."""
    for child in element:
        if child.tag in _SKIPPED or child in skip:
            continue
        if child.tag in (_P, _H):
            text, notes = _inline(child)
            yield " ".join(text.split())
            yield from notes
            for frame in child.iter(_FRAME):
                yield from _paragraphs(frame)
        else:
            yield from _paragraphs(child, skip)


def _row_text(row: etree._Element) -> str:
    """Cells separated by ' | '; a repeated cell counts once, empty cells are left out."""
    cells = []
    for cell in row:
        if cell.tag != _CELL and cell.tag != _COVERED:
            continue
        if len(cell) == 1 and cell[0].tag == _P and not len(cell[0]):  # most cells: one plain paragraph
            text = " ".join((cell[0].text or "").split())
        else:
            text = " ".join(t for t in _paragraphs(cell) if t)
        if text:
            cells.append(text)
    return " | ".join(cells)


def _slide(page: etree._Element, builder: TextBuilder) -> None:
    titles = frozenset(frame for frame in page.iter(_FRAME) if frame.get(_PRESENTATION_CLASS) == "title")
    title = " ".join(t for frame in titles for t in _paragraphs(frame) if t)
    builder.heading(title or page.get(_PAGE_NAME) or "", 1)
    for text in _paragraphs(page, titles):
        builder.paragraph(text)
