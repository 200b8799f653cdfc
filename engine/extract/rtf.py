"""RTF (.rtf): what WordPad, TextEdit, Word and many legal and court systems save.

striprtf turns the control words into text, decoding \\'xx escapes with the
code page the file declares (\\ansicpg, or a font's \\fcharset) and \\uN as
Unicode. Two things are added here. Characters beyond the Basic Multilingual
Plane come as two \\uN surrogate halves (emoji, rare CJK), joined again.
Headings: Word and LibreOffice mark a heading paragraph with \\outlinelevelN
(0 is the top), which striprtf drops; a marker character is put in its place
before conversion, so the paragraph it ends up in is known to be a heading.

The file must start with "{\\rtf": a .doc renamed to .rtf is an OLE container
and is named as such. Text outside the document group is ignored, as Word does.
"""

from __future__ import annotations

import codecs
import re

from striprtf.striprtf import rtf_to_text

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document

DAMAGED = "damaged RTF file: it does not start as an RTF document"
OLD_WORD = "old-format Word document named .rtf: rename it to .doc for Cairn to read it"
UNREADABLE = "RTF file in a character set Cairn cannot read"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CODE_PAGE = re.compile(rb"\\ansicpg(\d{1,5})")
_OUTLINE = re.compile(rb"\\outlinelevel([0-8])(?![0-9])")
_MARK = 0xFDD0  # Unicode noncharacters U+FDD0..U+FDD8: never in a document's own text
_MARKS = re.compile("[\ufdd0-\ufdd8]")
_MARKED = re.compile("[\ufdd0-\ufdd8]\\??")  # the marker and the fallback character after its \uN
_BLOB = re.compile(rb"\{(?:\\\*)?\\(?:pict|objdata|datastore|themedata|colorschememapping|blipuid)(?![a-z])")
_BRACE = re.compile(rb"\\[{}\\]|[{}]")  # an escaped brace or backslash is text, not a group
_UNICODE = re.compile(rb"\\u(-?[0-9]{1,12})[0-9]*")  # int() refuses 4,300 digits and more
_GROUP_START = re.compile(rb"(?<!\\)\{")
_TITLE = re.compile(rb"\{\\title\s([^{}]{0,2000})\}")


def extract_rtf(data: bytes) -> Document:
    if data.startswith(_OLE_MAGIC):
        raise ExtractionError(OLD_WORD)
    builder = TextBuilder()
    rtf_into(builder, data)
    title = _TITLE.search(data[:200_000])
    return builder.build("rtf", _convert(b"{\\rtf1 " + title.group(1) + b"}") if title else None)


def rtf_into(builder: TextBuilder, data: bytes) -> None:
    """Add an RTF text's paragraphs and headings (an Outlook message's body, too); ExtractionError if it is not RTF."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError(DAMAGED)
    source = _OUTLINE.sub(lambda m: rb"%s\u%d?" % (m.group(0), _MARK + int(m.group(1))), _without_blobs(data))
    source = _UNICODE.sub(_in_range, source)
    # striprtf first rewrites hyperlink fields with a regex that scans to the end of the line from
    # every field: quadratic on RTF written as one long line (8,000 fields: 61 s). Line breaks in
    # RTF source are not text, so one before every group keeps lines short.
    source = _GROUP_START.sub(b"\n{", source)
    text = _convert(source.decode(code_page(data), errors="replace"))
    for line in text.split("\n"):
        if builder.full:
            break
        mark = _MARKS.search(line)
        clean = _MARKED.sub("", line) if mark else line
        if mark:
            builder.heading(clean, ord(mark.group(0)) - _MARK + 1)
        else:
            builder.paragraph(clean)


def _without_blobs(data: bytes) -> bytes:
    """The file without its pictures and embedded objects: megabytes of hex that striprtf would
    read a character at a time (a 5 MB photo took longer than the text of a whole book)."""
    parts = []
    position = 0
    while (blob := _BLOB.search(data, position)) is not None:
        depth, end = 0, len(data)
        for brace in _BRACE.finditer(data, blob.start()):
            depth += 1 if brace.group() == b"{" else -1 if brace.group() == b"}" else 0
            if depth == 0:
                end = brace.end()
                break
        parts.append(data[position:blob.start()])
        position = end
    parts.append(data[position:])
    return b"".join(parts)


def _in_range(escape: re.Match[bytes]) -> bytes:
    """A \\uN escape as it is when N is a 16-bit number (RTF writes them signed), else U+FFFD."""
    return escape.group(0) if -32768 <= int(escape.group(1)) <= 65535 else b"\\u65533 "


def code_page(data: bytes) -> str:
    """The code page of raw 8-bit characters: the one the header declares, else Windows-1252."""
    declared = _CODE_PAGE.search(data[:4096])
    name = f"cp{int(declared.group(1))}" if declared else "cp1252"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name


def _convert(source: str | bytes) -> str:
    if isinstance(source, bytes):
        source = source.decode("cp1252", errors="replace")
    try:
        text = rtf_to_text(source, errors="replace")
    except LookupError:  # a font charset Python has no codec for (some old Mac code pages)
        raise ExtractionError(UNREADABLE) from None
    except (ValueError, IndexError, OverflowError):
        raise ExtractionError(DAMAGED) from None
    # \uN gives each half of a surrogate pair alone: join them (a lone half becomes U+FFFD)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
