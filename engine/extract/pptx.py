"""PowerPoint .pptx: each slide a page headed by its title, then its text boxes, tables and speaker notes.

A slide is a page ("Slide N") so a hit says which slide to open, and its title
is a heading so every passage of the slide carries it; a slide without a title
is headed "Slide N", or its text would sit under the previous slide's title.
Speaker notes are where presenters write what they say: they are part of the
slide's text. Shapes are read in the slide's own order, grouped shapes included;
pictures and charts hold no text to read. The container is checked as every
zipped format is (engine.extract.zipped) before python-pptx opens a part.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator

import pptx
from pptx.presentation import Presentation
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape
from pptx.slide import Slide
from pptx.table import Table
from pptx.text.text import TextFrame

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.ole import NotOle, is_encrypted_package, is_ole, open_ole
from engine.extract.zipped import check_zip, properties_title, with_main_type

DAMAGED = "damaged PowerPoint file: not a valid .pptx file"
PROTECTED = "password-protected PowerPoint file: Cairn reads only presentations saved without a password"
OLD = "PowerPoint 97-2003 file (.ppt) named .pptx: Cairn reads only .pptx presentations (save it as one)"
BOMB = "PowerPoint file refused: it would expand to {what} (possible zip bomb)"


# Slide shows and templates, macro-enabled or not (.ppsx .ppsm .potx .potm): their main part's content type
_VARIANTS = re.compile(rb"application/vnd\.(?:openxmlformats-officedocument\.presentationml\.(?:slideshow|template)"
                       rb"|ms-powerpoint\.(?:slideshow|template)\.macroEnabled)\.main\+xml")
_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def extract_pptx(data: bytes) -> Document:
    if is_ole(data):
        raise ExtractionError(_old_or_locked(data))
    check_zip(data, damaged=DAMAGED, bomb=BOMB)
    builder = TextBuilder()
    try:
        presentation = pptx.Presentation(io.BytesIO(with_main_type(data, _VARIANTS, _MAIN)))
        first_title: str | None = None
        for number, slide in enumerate(presentation.slides, start=1):
            if builder.full:
                break
            title = _title(slide)
            first_title = first_title or title
            with builder.page_of_blocks(number):
                builder.heading(title or f"Slide {number}", 1)
                for text in _slide_texts(slide):
                    builder.paragraph(text)
        document_title = properties_title(presentation) or first_title
    except Exception:  # lxml, KeyError on a missing part, ValueError on a wrong content type ...
        raise ExtractionError(DAMAGED) from None
    return builder.build("pptx", document_title)


def _title(slide: Slide) -> str | None:
    shape = slide.shapes.title
    if shape is None or not shape.has_text_frame:
        return None
    return " ".join(_frame_text(shape.text_frame).split()) or None


def _slide_texts(slide: Slide) -> Iterator[str]:
    """The slide's blocks in its own order, the title left out (it is the heading), the notes last."""
    title = slide.shapes.title
    title_id = title.shape_id if title is not None else None
    yield from _shape_texts(shape for shape in slide.shapes if shape.shape_id != title_id)
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        if frame is not None and (notes := _frame_text(frame).strip()):
            yield f"Notes: {notes}"


def _shape_texts(shapes: Iterable[BaseShape]) -> Iterator[str]:
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes)
        elif getattr(shape, "has_table", False):
            yield _table_text(shape.table)  # type: ignore[attr-defined]
        elif shape.has_text_frame:
            yield _frame_text(shape.text_frame)  # type: ignore[attr-defined]


def _frame_text(frame: TextFrame) -> str:
    """One line per paragraph; a line break inside one (python-pptx's vertical tab) is a line too."""
    return "\n".join(paragraph.text.replace("\v", "\n") for paragraph in frame.paragraphs)


def _table_text(table: Table) -> str:
    """One line per row, cells separated by ' | ' as in Word tables; a merged cell counts once."""
    lines = []
    for row in table.rows:
        texts = (" ".join(cell.text.split()) for cell in row.cells if not cell.is_spanned)
        line = " | ".join(t for t in texts if t)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _old_or_locked(data: bytes) -> str:
    """Why an OLE container named .pptx is not read: saved with a password, or the 97-2003 format."""
    try:
        with open_ole(data) as ole:
            return PROTECTED if is_encrypted_package(ole) else OLD
    except NotOle:
        return DAMAGED
