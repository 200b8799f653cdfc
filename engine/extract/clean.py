"""Make a reader's output text that every later stage can hold: the one boundary all readers pass.

Readers hand on what the file's bytes say, and some say things that are not text. pypdf
decodes a PDF's ToUnicode map with "surrogatepass", so a map that names U+D800 gives a lone
surrogate; the e-mail parser keeps undecodable header bytes as "surrogateescape" code points
(U+DC80-U+DCFF); a stray NUL or a non-character (U+FFFE, U+FDD0...) comes through many.
A lone surrogate cannot be encoded as UTF-8, so SQLite refused the passage and the whole
pass died on that file, and on every later pass again (issue #22). NULs cut strings short
in C code, and non-characters are not meant for interchange (JSON, the GUI).

Each such code point becomes U+FFFD, one for one, so every offset (pages, headings,
passage spans) stays true. Done in `engine.extract.extract`, the dispatcher every reader's
output passes through, so no reader can forget it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from engine.extract.document import Document, Heading

REPLACEMENT = "\ufffd"

# NUL; every surrogate (in a Python str a surrogate is always unpaired as far as UTF-8 is
# concerned); the 66 non-characters: U+FDD0-U+FDEF and the last two code points of each plane.
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
_NOT_TEXT = re.compile("[\x00\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]")


def clean_text(text: str) -> str:
    """`text` with every code point that is not storable, interchangeable text replaced by U+FFFD."""
    return _NOT_TEXT.sub(REPLACEMENT, text) if _NOT_TEXT.search(text) else text


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def clean_document(doc: Document) -> Document:
    """The document with its text, title, headings and note of what is missing cleaned."""
    headings = tuple(Heading(h.start, h.level, clean_text(h.text)) for h in doc.headings)
    return replace(doc, text=clean_text(doc.text), title=clean_optional(doc.title), headings=headings,
                   gap=clean_optional(doc.gap))
