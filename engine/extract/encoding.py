"""Bytes to text: which encoding, and whether the bytes are text at all.

Most files are UTF-8, so that is tried first and costs one strict decode.
Byte-order marks are trusted because editors write them on purpose. Only when
both fail is charset-normalizer asked, which is slower and guesses rare code
pages for short Western text, so Windows-1252 is preferred where it hesitates.
Binary data must be refused rather than indexed as garbage: NUL bytes and
control characters give it away.
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
# Latin code pages of old Macs, HP printers and DOS, which charset-normalizer
# picks for short Western text (see _guess). Their Cyrillic, Greek, Hebrew and
# Arabic siblings (cp866, mac_cyrillic, ...) are not listed: those guesses stand.
_LATIN_LOOKALIKES = frozenset({
    "mac_roman", "mac_iceland", "mac_turkish", "mac_latin2", "mac_croatian", "mac_romanian", "hp_roman8",
    "cp437", "cp775", "cp850", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863", "cp865",
})
# How much worse than the detector's pick cp1252 may score and still be taken.
# The French "naïve façade ... “déjà vu”" note scores 0.098 more chaos in cp1252
# than in cp1257; genuine Romanian cp1250 and Turkish cp1254 notes score 0.048
# and 0.077 less coherence in cp1252 than in their own code page.
_CLOSE_CHAOS = 0.15
_CLOSE_COHERENCE = 0.04


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
    guess = _guess(data)
    if guess is None:
        raise UnsupportedFile(BINARY)
    return _checked(guess[0]), guess[1]


def _guess(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) by charset-normalizer, overruled in favour of Windows-1252 where it is unsure.

    Short Western European text has few of the letters that tell the Western,
    Central European, Baltic, Mac and DOS code pages apart, and the detector then
    often picks a rare one: Finnish "päivää" came back as mac_iceland ("p‰iv‰‰"),
    Swedish as hp_roman8, German as cp775, French with quotes as cp1257. cp1252
    (with latin-1, its subset) is by far the likeliest legacy encoding (the web's
    own default for unlabelled text), so it is taken whenever the bytes are valid
    cp1252 and either the guess is a Mac, HP or DOS Latin code page (files in
    those are rare today, and most hold a letter on a byte cp1252 leaves
    undefined, ü in DOS or ç è ê in Mac Roman, so they keep the guess) or cp1252
    scored about as well as the guess (a tie included). Cyrillic, Greek and CJK
    text decoded as cp1252 is so messy that the detector drops cp1252 outright.
    """
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    western = _cp1252(data)
    if western is not None:
        if best.encoding in _LATIN_LOOKALIKES:
            return western, "cp1252"
        rival = next((m for m in matches if "cp1252" in m.could_be_from_charset), None)
        if rival is not None and _about_as_good(rival, best):
            return western, "cp1252"
    return str(best), best.encoding


def _cp1252(data: bytes) -> str | None:
    """The bytes as cp1252, or None if any is undefined there (0x81, 0x8D, 0x8F, 0x90, 0x9D)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _about_as_good(candidate: CharsetMatch, best: CharsetMatch) -> bool:
    """Within the detector's noise on short text (measured on 30 notes in 12 European languages)."""
    return (candidate.chaos <= best.chaos + _CLOSE_CHAOS
            and candidate.coherence >= best.coherence - _CLOSE_COHERENCE)


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
