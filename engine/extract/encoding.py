"""Bytes to text: which encoding, and whether the bytes are text at all.

Most files are UTF-8, so that is tried first and costs one strict decode.
Byte-order marks are trusted because editors write them on purpose. Only when
both fail is charset-normalizer asked, which is slower and can guess wrong on
very short files. Binary data must be refused rather than indexed as garbage:
NUL bytes and control characters give it away.
"""

from __future__ import annotations

import codecs

import charset_normalizer
from charset_normalizer import CharsetMatch

from engine.errors import UnsupportedFile

BINARY = "binary file (not text)"
_SNIFF_BYTES = 8192
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters that never occur in text (tab, newlines, form feed and
# escape do); a few are tolerated, as old files carry stray ones.
_CONTROL = {chr(c) for c in range(32) if c not in (9, 10, 11, 12, 13, 27)} | {"\x7f"}
_MAX_CONTROL_RATIO = 0.01
_MIN_CONTROLS = 2  # a short note ending in a DOS end-of-file mark (^Z) is still text


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of `data`; `declared` is a charset the file names itself (HTML meta)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _checked(data[len(bom):].decode(name, errors="replace")), name
    utf16 = _bomless_utf16(data[:_SNIFF_BYTES])
    if utf16 is not None:
        return _checked(data.decode(utf16, errors="replace")), utf16
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise UnsupportedFile(BINARY)
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared is not None and _is_text_codec(declared):
        return _checked(data.decode(declared, errors="replace")), codecs.lookup(declared).name
    best = _guess(data)
    if best is None:
        raise UnsupportedFile(BINARY)
    return _checked(str(best)), best.encoding


def _guess(data: bytes) -> CharsetMatch | None:
    """charset-normalizer's best match; on a tie, Windows-1252.

    Short Western text often scores the same in cp1250, cp1252 and cp1257 (the
    letters that differ are rare), and charset-normalizer then returns the
    first, cp1250, turning "naïve" into "naďve". With no evidence either way,
    cp1252 is the likeliest legacy encoding (the web's own default for it).
    """
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = (m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence)
    return next((m for m in tied if "cp1252" in m.could_be_from_charset), best)


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM (some Windows tools write it): NULs in every other byte only."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    if odd_nuls > 0.4 * len(odd) and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.4 * len(even) and odd_nuls == 0:
        return "utf-16-be"
    return None


def _checked(text: str) -> str:
    """Refuse text that decoded but is mostly control characters (binary that happened to decode)."""
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ch in _CONTROL)
    if controls > max(_MIN_CONTROLS, _MAX_CONTROL_RATIO * len(sample)):
        raise UnsupportedFile(BINARY)
    return text.replace("\x00", "") if "\x00" in text else text  # stray NULs past the sniffed start


def _is_text_codec(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    # base64, rot13, zlib and the like are codecs too, but not text encodings
    return getattr(info, "_is_text_encoding", True)
