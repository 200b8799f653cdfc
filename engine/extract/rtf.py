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

striprtf converts a whole string in one pass (about 1.5 MB a second), so a long
file is handed to it in pieces cut between paragraphs or groups of the document
itself, and the clock is looked at between pieces (`deadline`): a file still
being read when the reader's time is nearly spent keeps its beginning, marked
partial. Each piece opens as the file does (its font table) and in the state the
one before left: the font chosen, the \\uc skip count and the code page, all that
striprtf carries from one paragraph to the next. The text is the one a single
pass gives.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from striprtf.striprtf import font_table_group, rtf_to_text

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import past
from engine.extract.ole import is_ole

DAMAGED = "damaged RTF file: it does not start as an RTF document"
OLD_WORD = "old-format Word document named .rtf: rename it to .doc for Cairn to read it"
UNREADABLE = "RTF file in a character set Cairn cannot read"
OUT_OF_TIME = "the text after the first {percent}% of the document was not read in the time allowed"
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
# Where a file may be cut, and the state a piece starts in, as striprtf reads them: braces (an escaped one or
# an escaped backslash is text), the control words whose value outlives a paragraph, and paragraph ends.
_STATE = re.compile(r"([{}])|\\(?:[{}\\]|(f|uc|deff|ansicpg)(?![a-zA-Z])(-?\d{1,10})?|par(?![a-zA-Z0-9-]) ?)")
_PIECE_CHARS = 256 * 1024  # about 0.2 s of striprtf


# A group opening with a control word other than \rtf: `{\pard ...`, as pandoc and programs that paste RTF write
_FRAGMENT = re.compile(rb"\s*\{\\(?!rtf)[a-z]{1,32}[\s\\{0-9-]")


def extract_rtf(data: bytes, deadline: float | None = None) -> Document:
    """`deadline` (a time.monotonic() value): a long document keeps the text read by then."""
    if is_ole(data):
        raise ExtractionError(OLD_WORD)
    if _FRAGMENT.match(data):  # RTF without its header (a snippet pasted from a larger document): wrap it
        data = b"{\\rtf1 " + data + b"}"
    builder = TextBuilder()
    gap = rtf_into(builder, data, deadline)
    title = _TITLE.search(data[:200_000])
    return builder.build("rtf", _convert(b"{\\rtf1 " + title.group(1) + b"}") if title else None, gap=gap)


def rtf_into(builder: TextBuilder, data: bytes, deadline: float | None = None) -> str | None:
    """Add an RTF text's paragraphs and headings (an Outlook message's body, too); ExtractionError if it is not RTF.

    Returns what the deadline left unread, or None."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError(DAMAGED)
    source = _OUTLINE.sub(lambda m: rb"%s\u%d?" % (m.group(0), _MARK + int(m.group(1))), _without_blobs(data))
    source = _UNICODE.sub(_in_range, source)
    # striprtf first rewrites hyperlink fields with a regex that scans to the end of the line from
    # every field: quadratic on RTF written as one long line (8,000 fields: 61 s). Line breaks in
    # RTF source are not text, so one before every group keeps lines short.
    source = _GROUP_START.sub(b"\n{", source)
    text, gap = _text_by_pieces(source.decode(code_page(data), errors="replace"), deadline)
    for line in text.split("\n"):
        if builder.full:
            break
        mark = _MARKS.search(line)
        clean = _MARKED.sub("", line) if mark else line
        if mark:
            builder.heading(clean, ord(mark.group(0)) - _MARK + 1)
        else:
            builder.paragraph(clean)
    return gap


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


def _text_by_pieces(source: str, deadline: float | None) -> tuple[str, str | None]:
    """The text of `source`, converted piece by piece until the end or the deadline; and what was left out."""
    texts: list[str] = []
    done = 0
    for piece, end in _pieces(source):
        if texts and past(deadline):
            return _joined("".join(texts)), OUT_OF_TIME.format(percent=100 * done // len(source))
        texts.append(_to_text(piece))
        done = end
    return _joined("".join(texts)), None


def _pieces(source: str) -> Iterator[tuple[str, int]]:
    """`source` as RTF documents of about _PIECE_CHARS, cut between paragraphs or groups of the document
    group, each with where in `source` it ends; each after the first opens as the file does, in the
    state the one before left."""
    fonts = font_table_group(source)
    fonts_end = source.find(fonts) + len(fonts) if fonts else 0  # the first piece holds the font table
    state: dict[str, str] = {}  # control word -> its value here
    start = depth = 0
    opening = ""  # the first piece opens as the file does
    for token in _STATE.finditer(source):
        brace, word, value = token.group(1, 2, 3)
        cut = None
        if brace == "{":
            cut = token.start() if depth == 1 else None
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth <= 0:
                break  # the document group ends here: striprtf reads nothing after it
        elif word is not None:
            if depth == 1 or word == "ansicpg":  # striprtf takes a code page from anywhere
                state[word] = value or ""
        elif depth == 1:
            cut = token.end()  # after \par
        if cut is not None and cut - start >= _PIECE_CHARS and cut >= fonts_end:
            yield opening + source[start:cut] + "}", cut
            start, opening = cut, _opening(fonts, state)
    yield opening + source[start:], len(source)


def _opening(fonts: str, state: dict[str, str]) -> str:
    """How a piece after the first opens: the file's font table and the control words in force where it starts."""
    return "{\\rtf1" + fonts + "".join(f"\\{word}{value}" for word, value in state.items()) + " "


def _convert(source: bytes) -> str:
    return _joined(_to_text(source.decode("cp1252", errors="replace")))


def _to_text(source: str) -> str:
    try:
        return rtf_to_text(source, errors="replace")
    except LookupError:  # a font charset Python has no codec for (some old Mac code pages)
        raise ExtractionError(UNREADABLE) from None
    except (ValueError, IndexError, OverflowError):
        raise ExtractionError(DAMAGED) from None


def _joined(text: str) -> str:
    """\\uN gives each half of a surrogate pair alone: join them (a lone half becomes U+FFFD)."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
