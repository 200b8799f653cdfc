"""Word 97-2003 .doc: the text Word shows, read from the file's piece table ([MS-DOC]).

A .doc is an OLE container (engine.extract.ole) whose WordDocument stream
holds the text in pieces, in any order and either 8-bit (Windows-1252) or
UTF-16; the table stream's piece table (FIB -> CLX -> PlcPcd) says which bytes
hold which characters. Read through it, the document is one run of characters
in which Word's marks stand for structure: paragraph ends, table cells, fields
and objects. Here paragraphs become blocks, a table row a line of its cells
joined by " | " (as in the other readers), and a field keeps the result Word
shows ("Page 3", a date, a link's text), not its code (PAGE, HYPERLINK "...").
Text deleted with changes tracked is left out (engine.extract.doc_deleted), so
a .doc reads as Word shows it with its changes accepted, as a .docx does.

The main text comes first, then the footnotes, endnotes and text boxes, each
under its own heading; headers and footers (repeated on every page) and
comments are left out, as in the .docx reader. The main text's headings (its
paragraphs in a "heading N" style, or given an outline level) are found in the
style sheet and paragraph properties (engine.extract.doc_headings), which the
text does not show: they become the sections its passages carry.

Word also saved RTF and, from 2007 on, .docx files under a .doc name (and web
systems still do): those are read by their own readers. A password-protected
file, or a Word 6/95 one (another layout), is named as such.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Iterator

import olefile

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.doc_deleted import deleted_ranges, kept
from engine.extract.doc_headings import Outline, read_outline
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS
from engine.extract.ole import NotOle, is_encrypted_package, open_ole, summary_title

DAMAGED = "damaged Word document: not a valid .doc file"
PROTECTED = "password-protected Word document: Cairn reads only documents saved without a password"
OLD = "Word 6 or Word 95 document: Cairn reads Word 97-2003 .doc files (open it in Word and save it again)"
_WORD = (0xA5EC, 0xA5DC)  # FibBase.wIdent of a Word document (the second only from Word 6 and 95)
_FIRST_97_FIB = 0x00C0  # Word 6 and 95 wrote 101-105 here
_ENCRYPTED, _TABLE_ONE = 0x0100, 0x0200  # FibBase flags: fEncrypted, fWhichTblStm
# indexes of the (offset, size) pairs of the style sheet, PlcBteChpx, PlcBtePapx and the CLX in FibRgFcLcb97
_STSH, _CHPX, _PAPX, _CLX = 1, 12, 13, 33
# The stories follow each other in character positions, in this order (FibRgLw97 from ccpText on).
_STORIES = ("main", "footnotes", "headers", "macros", "comments", "endnotes", "text boxes", "header text boxes")
_READ = {"main": None, "footnotes": "Footnotes", "endnotes": "Endnotes", "text boxes": "Text boxes"}
_FIELD_MARK = re.compile("([\x13\x14\x15])")  # field begin, separator (code | result), end
_ROW_END = re.compile("\x07{2,}")  # a row's last cell mark, then the row's own end mark
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff]")  # object anchors, note references, other marks
_PARAGRAPH_END, _PARAGRAPH_END_UTF16 = re.compile(b"\r"), re.compile(b"\r\x00")
_MARKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": " | ", "\x1e": "-", "\xa0": " "})


@dataclasses.dataclass(frozen=True)
class _Piece:
    start: int  # first character position
    end: int
    offset: int  # byte offset in the WordDocument stream
    compressed: bool  # 8-bit Windows-1252 rather than UTF-16


@dataclasses.dataclass(frozen=True)
class _Story:
    name: str
    text: str  # marks and all
    levels: list[int]  # the heading level (0: body text) of the paragraph each "\r" of the text ends


def extract_doc(data: bytes) -> Document:
    try:
        ole = open_ole(data)
    except NotOle:
        raise ExtractionError(DAMAGED) from None
    with ole:
        if is_encrypted_package(ole):
            raise ExtractionError(PROTECTED)
        stories = _stories(ole)
        title = summary_title(ole)
    builder = TextBuilder(MAX_CHARS)
    for story in stories:
        if builder.full:
            break
        heading = _READ[story.name]
        if heading and story.text.strip():
            builder.heading(heading, 1)
        for paragraph, level in _paragraphs(story.text, story.levels):
            if level:
                builder.heading(paragraph, level)
            else:
                builder.paragraph(paragraph)
    return builder.build("doc", title)


def _stories(ole: olefile.OleFileIO) -> list[_Story]:
    """Each story Cairn reads; only the main text's paragraphs are headings."""
    try:
        word = _stream(ole, "WordDocument")
        ident, fib_version = struct.unpack_from("<HH", word, 0)
        flags = struct.unpack_from("<H", word, 0x0A)[0]
    except (ExtractionError, struct.error):
        raise ExtractionError(DAMAGED) from None
    if ident not in _WORD:
        raise ExtractionError(DAMAGED)
    if flags & _ENCRYPTED:
        raise ExtractionError(PROTECTED)
    if fib_version < _FIRST_97_FIB:
        raise ExtractionError(OLD)
    try:
        lengths, places = _fib(word)
        table = _stream(ole, "1Table" if flags & _TABLE_ONE else "0Table")
        clx_at, clx_size = places[_CLX]
        pieces = _pieces(table[clx_at:clx_at + clx_size])
    except (struct.error, ValueError):
        raise ExtractionError(DAMAGED) from None
    deleted = deleted_ranges(word, table, *places[_CHPX])
    outline = read_outline(word, table, places[_STSH], places[_PAPX])
    stories: list[_Story] = []
    start = 0
    for name, length in zip(_STORIES, lengths):
        if name in _READ and length:
            text, marks = _text(word, pieces, start, min(start + length, start + MAX_CHARS), deleted)
            stories.append(_Story(name, text, _levels(outline, marks) if name == "main" else []))
        start += length
    return stories


def _stream(ole: olefile.OleFileIO, name: str) -> bytes:
    try:
        data: bytes = ole.openstream(name).read()
    except Exception:  # missing stream (an .xls or .msg named .doc), broken sector chain
        raise ExtractionError(DAMAGED) from None
    return data


def _fib(word: bytes) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """(the length of each story, the (offset, size) in the table stream of the structures read).

    After the 32-byte FibBase come three arrays, each after its count: 16-bit
    values, 32-bit values (the story lengths from the fourth on) and (offset, size)
    pairs of the structures in the table stream."""
    position = 32
    words = struct.unpack_from("<H", word, position)[0]
    position += 2 + 2 * words
    longs = struct.unpack_from("<H", word, position)[0]
    lengths = list(struct.unpack_from(f"<{len(_STORIES)}I", word, position + 2 + 4 * 3))
    position += 2 + 4 * longs
    pairs = struct.unpack_from("<H", word, position)[0]
    if longs < 3 + len(_STORIES) or pairs <= _CLX:
        raise ValueError("FIB too short")
    places = {index: struct.unpack_from("<II", word, position + 2 + 8 * index)
              for index in (_STSH, _CHPX, _PAPX, _CLX)}
    return lengths, places


def _pieces(clx: bytes) -> list[_Piece]:
    """The piece table: after any formatting entries (0x01) comes the table itself (0x02).

    It holds n+1 character positions, then n 8-byte piece descriptors whose
    bytes 2-5 give the piece's place in the WordDocument stream; bit 30 set means
    8-bit text at half that offset."""
    position = 0
    while position < len(clx) and clx[position] == 0x01:
        position += 3 + struct.unpack_from("<h", clx, position + 1)[0]
    if position >= len(clx) or clx[position] != 0x02:
        raise ValueError("no piece table")
    size = struct.unpack_from("<I", clx, position + 1)[0]
    table = clx[position + 5:position + 5 + size]
    count = (len(table) - 4) // 12
    if count < 1:
        raise ValueError("empty piece table")
    positions = struct.unpack_from(f"<{count + 1}I", table, 0)
    if any(later < earlier for earlier, later in zip(positions, positions[1:])):
        raise ValueError("pieces out of order")  # else overlapping pieces could repeat the text without end
    pieces = []
    for index in range(count):
        where = struct.unpack_from("<I", table, 4 * (count + 1) + 8 * index + 2)[0]
        compressed = bool(where & 0x40000000)
        offset = (where & 0x3FFFFFFF) // 2 if compressed else where & 0x3FFFFFFF
        pieces.append(_Piece(positions[index], positions[index + 1], offset, compressed))
    return pieces


def _text(word: bytes, pieces: list[_Piece], start: int, end: int,
          deleted: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """The characters from position `start` to `end`, from whichever pieces hold them, less deleted ones;
    and the byte offset in the WordDocument stream of each paragraph mark among them, in order."""
    parts: list[str] = []
    marks: list[int] = []
    for piece in pieces:
        first, last = max(start, piece.start), min(end, piece.end)
        if first >= last:
            continue
        width = 1 if piece.compressed else 2
        at = piece.offset + width * (first - piece.start)
        for begin, stop in kept(at, at + width * (last - first), deleted):
            data = word[begin:stop]
            parts.append(data.decode("cp1252" if piece.compressed else "utf-16-le", errors="replace"))
            marks.extend(begin + offset for offset in _paragraph_ends(data, piece.compressed))
    return "".join(parts), marks


def _paragraph_ends(data: bytes, compressed: bool) -> Iterator[int]:
    """The offsets in `data` of its paragraph marks, one for each its decoded text holds (in UTF-16, whole units)."""
    if compressed:
        return (found.start() for found in _PARAGRAPH_END.finditer(data))
    return (found.start() for found in _PARAGRAPH_END_UTF16.finditer(data) if found.start() % 2 == 0)


def _levels(outline: Outline, marks: list[int]) -> list[int]:
    return [outline.level(offset) for offset in marks]


def _paragraphs(text: str, levels: list[int]) -> Iterator[tuple[str, int]]:
    """The story's lines as Word shows them (fields by their results, cells joined, marks removed),
    each with its heading level (0: body text).

    `levels` has one entry per paragraph mark ("\\r"), or none at all (no headings).
    What a mark ends may hold other paragraphs before it, ended by the marks of
    table cells and rows, or of a section: those are body text. A heading broken
    into lines (Shift+Enter) is one heading."""
    paragraphs = text.split("\r")
    if len(levels) != len(paragraphs) - 1:
        levels = []
    fields = _Fields()
    body: list[str] = []  # the paragraphs since the last heading, read together
    for paragraph, level in zip(paragraphs, levels + [0] * (len(paragraphs) - len(levels))):
        if not level:
            body.append(paragraph)
            continue
        cut = max(paragraph.rfind("\x07"), paragraph.rfind("\x0c")) + 1
        yield from ((line, 0) for line in _lines(fields.shown("\r".join([*body, paragraph[:cut]]))))
        body = []
        heading = " ".join(_lines(fields.shown(paragraph[cut:])))
        if heading:
            yield heading, level
    yield from ((line, 0) for line in _lines(fields.shown("\r".join(body))))


def _lines(text: str) -> Iterator[str]:
    text = _ROW_END.sub("\n", text)
    text = _DROPPED.sub("", text.translate(_MARKS))
    for line in text.split("\n"):
        line = " ".join(line.split()).strip(" |")
        if line:
            yield line


class _Fields:
    """The text without field codes: a field is begin-mark, code, separator, result, end-mark, and nests,
    and may span paragraphs (a table of contents), so what is open carries from one paragraph to the next.

    A part is shown when no field it sits in is still in its code; a field without
    a separator (an index entry, a table-of-contents marker) shows nothing."""

    def __init__(self) -> None:
        self._in_code: list[bool] = []  # one entry per open field: is it still in its code?
        self._codes = 0  # how many of them are

    def shown(self, text: str) -> str:
        shown: list[str] = []
        for part in _FIELD_MARK.split(text):
            if part == "\x13":
                self._in_code.append(True)
                self._codes += 1
            elif part == "\x14":
                if self._in_code and self._in_code[-1]:
                    self._in_code[-1] = False
                    self._codes -= 1
            elif part == "\x15":
                if self._in_code and self._in_code.pop():
                    self._codes -= 1
            elif not self._codes:
                shown.append(part)
        return "".join(shown)
