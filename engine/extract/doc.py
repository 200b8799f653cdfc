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
comments are left out, as in the .docx reader. Headings are not read: they
live in the style sheet and paragraph properties, not in the text.

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
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS
from engine.extract.ole import NotOle, is_encrypted_package, open_ole, summary_title

DAMAGED = "damaged Word document: not a valid .doc file"
PROTECTED = "password-protected Word document: Cairn reads only documents saved without a password"
OLD = "Word 6 or Word 95 document: Cairn reads Word 97-2003 .doc files (open it in Word and save it again)"
_WORD = (0xA5EC, 0xA5DC)  # FibBase.wIdent of a Word document (the second only from Word 6 and 95)
_FIRST_97_FIB = 0x00C0  # Word 6 and 95 wrote 101-105 here
_ENCRYPTED, _TABLE_ONE = 0x0100, 0x0200  # FibBase flags: fEncrypted, fWhichTblStm
_CHPX, _CLX = 12, 33  # indexes of the (offset, size) pairs of PlcBteChpx and the CLX in FibRgFcLcb97
# The stories follow each other in character positions, in this order (FibRgLw97 from ccpText on).
_STORIES = ("main", "footnotes", "headers", "macros", "comments", "endnotes", "text boxes", "header text boxes")
_READ = {"main": None, "footnotes": "Footnotes", "endnotes": "Endnotes", "text boxes": "Text boxes"}
_FIELD_MARK = re.compile("([\x13\x14\x15])")  # field begin, separator (code | result), end
_ROW_END = re.compile("\x07{2,}")  # a row's last cell mark, then the row's own end mark
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff]")  # object anchors, note references, other marks
_MARKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": " | ", "\x1e": "-", "\xa0": " "})


@dataclasses.dataclass(frozen=True)
class _Piece:
    start: int  # first character position
    end: int
    offset: int  # byte offset in the WordDocument stream
    compressed: bool  # 8-bit Windows-1252 rather than UTF-16


def extract_doc(data: bytes) -> Document:
    if data.lstrip()[:5] == b"{\\rtf":
        from engine.extract.rtf import extract_rtf

        return dataclasses.replace(extract_rtf(data), kind="doc")
    if data.startswith(b"PK\x03\x04"):
        from engine.extract.docx import extract_docx

        return dataclasses.replace(extract_docx(data), kind="doc")
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
    for name, text in stories:
        if builder.full:
            break
        heading = _READ[name]
        if heading and text.strip():
            builder.heading(heading, 1)
        for paragraph in _paragraphs(text):
            builder.paragraph(paragraph)
    return builder.build("doc", title)


def _stories(ole: olefile.OleFileIO) -> list[tuple[str, str]]:
    """The raw text of each story Cairn reads, marks and all."""
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
    stories: list[tuple[str, str]] = []
    start = 0
    for name, length in zip(_STORIES, lengths):
        if name in _READ and length:
            stories.append((name, _text(word, pieces, start, min(start + length, start + MAX_CHARS), deleted)))
        start += length
    return stories


def _stream(ole: olefile.OleFileIO, name: str) -> bytes:
    try:
        data: bytes = ole.openstream(name).read()
    except Exception:  # missing stream (an .xls or .msg named .doc), broken sector chain
        raise ExtractionError(DAMAGED) from None
    return data


def _fib(word: bytes) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """(the length of each story, the (offset, size) in the table stream of the CLX and the PlcBteChpx).

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
    places = {index: struct.unpack_from("<II", word, position + 2 + 8 * index) for index in (_CHPX, _CLX)}
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


def _text(word: bytes, pieces: list[_Piece], start: int, end: int, deleted: list[tuple[int, int]]) -> str:
    """The characters from position `start` to `end`, from whichever pieces hold them, less deleted ones."""
    parts = []
    for piece in pieces:
        first, last = max(start, piece.start), min(end, piece.end)
        if first >= last:
            continue
        width = 1 if piece.compressed else 2
        at = piece.offset + width * (first - piece.start)
        for begin, stop in kept(at, at + width * (last - first), deleted):
            parts.append(word[begin:stop].decode("cp1252" if piece.compressed else "utf-16-le", errors="replace"))
    return "".join(parts)


def _paragraphs(text: str) -> Iterator[str]:
    """The story's paragraphs as Word shows them: fields by their results, cells joined, marks removed."""
    text = _ROW_END.sub("\r", _shown(text))
    text = _DROPPED.sub("", text.translate(_MARKS))
    for line in text.split("\n"):
        line = " ".join(line.split()).strip(" |")
        if line:
            yield line


def _shown(text: str) -> str:
    """The text without field codes: a field is begin-mark, code, separator, result, end-mark, and nests.

    A part is shown when no field it sits in is still in its code; a field without
    a separator (an index entry, a table-of-contents marker) shows nothing."""
    shown: list[str] = []
    in_code: list[bool] = []  # one entry per open field: is it still in its code?
    codes = 0  # how many of them are
    for part in _FIELD_MARK.split(text):
        if part == "\x13":
            in_code.append(True)
            codes += 1
        elif part == "\x14":
            if in_code and in_code[-1]:
                in_code[-1] = False
                codes -= 1
        elif part == "\x15":
            if in_code and in_code.pop():
                codes -= 1
        elif not codes:
            shown.append(part)
    return "".join(shown)
