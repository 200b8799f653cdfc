"""PowerPoint 97-2003 presentations (.ppt .pps .pot): each slide a page, as in a .pptx.

No maintained, permissively licensed library on PyPI reads their text (python-pptx reads
only .pptx; Apache Tika needs Java), and the text is simple to reach: the "PowerPoint
Document" stream of the OLE container is a tree of records ([MS-PPT] 2.3), and a slide's
text sits in TextCharsAtom (UTF-16) and TextBytesAtom (8-bit) records inside its Slide
container, in the order of its text boxes. Slides are taken in the order they are stored
(the order PowerPoint saves them in, unless the deck was edited in place); the notes of a
slide (its Notes container) follow it. The master slides' placeholder text ("Click to
edit Master title style") is not read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.ole import NotOle, is_encrypted_package, open_ole, summary_title

DAMAGED = "damaged PowerPoint 97-2003 file: it cannot be read"
OTHER = "not a PowerPoint presentation: an Office 97-2003 file of another kind (Word, Excel?) under its name"
PROTECTED = "password-protected PowerPoint file: Cairn reads only presentations saved without a password"
_STREAM = "PowerPoint Document"
_ENCRYPTED = "EncryptedSummary"  # kept by a presentation saved with a password to open ([MS-PPT] 2.1.4)
_SLIDE, _NOTES = 0x03EE, 0x03F0
_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8
_CONTAINER = 0xF  # recVer of a record that holds other records
_HEADER = struct.Struct("<HHI")
_MAX_DEPTH = 32


def extract_ppt(data: bytes) -> Document:
    try:
        ole = open_ole(data)
    except NotOle:
        raise ExtractionError(DAMAGED) from None
    with ole:
        if is_encrypted_package(ole) or ole.exists(_ENCRYPTED):
            raise ExtractionError(PROTECTED)
        if not ole.exists(_STREAM):
            raise ExtractionError(OTHER)
        title = summary_title(ole)
        stream = ole.openstream(_STREAM).read()
    builder = TextBuilder()
    number = 0
    for kind, texts in _slides(stream, 0, len(stream), 0):
        if builder.full:
            break
        if kind == _SLIDE:
            number += 1
            with builder.page_of_blocks(number):
                builder.heading(texts[0] if texts else f"Slide {number}", 1)
                for text in texts[1:]:
                    builder.paragraph(text)
        elif number:  # a slide's notes: after it, on its page's heels
            for text in texts:
                builder.paragraph(text)
    return builder.build("ppt", title)


def _records(stream: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(version, type, body start, body end) of each record between `start` and `end`."""
    position = start
    while position + _HEADER.size <= end:
        version_instance, kind, length = _HEADER.unpack_from(stream, position)
        body = position + _HEADER.size
        if body + length > end:
            return  # a record cut short: the rest of this container is lost
        yield version_instance & 0xF, kind, body, body + length
        position = body + length


def _slides(stream: bytes, start: int, end: int, depth: int) -> Iterator[tuple[int, list[str]]]:
    """Each Slide or Notes container in stored order, with the texts inside it."""
    if depth > _MAX_DEPTH:
        return
    for version, kind, body, body_end in _records(stream, start, end):
        if kind in (_SLIDE, _NOTES):
            yield kind, list(_texts(stream, body, body_end, depth + 1))
        elif version == _CONTAINER:
            yield from _slides(stream, body, body_end, depth + 1)


def _texts(stream: bytes, start: int, end: int, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    for version, kind, body, body_end in _records(stream, start, end):
        if kind == _TEXT_CHARS:
            text = stream[body:body_end].decode("utf-16-le", errors="replace")
        elif kind == _TEXT_BYTES:
            text = stream[body:body_end].decode("latin-1")
        elif version == _CONTAINER:
            yield from _texts(stream, body, body_end, depth + 1)
            continue
        else:
            continue
        text = text.replace("\r", "\n").replace("\x0b", "\n").strip()
        if text and text != "*":  # "*" is the slide-number field's placeholder
            yield text
