"""Pages whose "text" is glyph codes: fonts without a Unicode map.

A PDF font that maps its glyphs to no characters (no ToUnicode table, a custom
encoding of glyph names) gives pypdf its codes instead of text: `\\uffff\\uffff`,
control characters, private-use code points or glyph names (`/g936/g1007`,
`(cid:12)`). Such a page indexed as passages is noise in every search; pdftotext
writes nothing for it. A page that is mostly such codes is kept out and named in
the document's gap instead (real text with a stray code or path stays).
"""

from __future__ import annotations

import re
import unicodedata

GARBLED = "{pages} fonts without a Unicode map: the text there cannot be read"
_GLYPH_NAMES = re.compile(r"/(?:g|G|c|C|cid|glyph|uni)[0-9A-Fa-f]{1,8}|/[A-Z]{1,3}\d{2,8}|\(cid:\d+\)")
_NOT_TEXT = frozenset({"Cc", "Co", "Cn", "Cs"})  # controls, private use, unassigned, surrogates
_MOSTLY = 0.5
_MIN_CHARS = 3  # below this a page is too short to judge (a lone "2" is a page number)


def is_glyph_noise(text: str) -> bool:
    """Whether at least half of the page's non-space characters are glyph codes rather than text."""
    body = "".join(text.split())
    if len(body) < _MIN_CHARS:
        return bool(body) and all(_not_text(ch) for ch in body)
    names = sum(len(name) for name in _GLYPH_NAMES.findall(body))
    codes = sum(1 for ch in _GLYPH_NAMES.sub("", body) if _not_text(ch))
    return names + codes >= _MOSTLY * len(body)


def _not_text(ch: str) -> bool:
    return ch in "\ufffd\uffff" or unicodedata.category(ch) in _NOT_TEXT
