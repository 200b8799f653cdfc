"""Bytes to text: which encoding, and whether the bytes are text at all.

Most files are UTF-8, so that is tried first and costs one strict decode.
Byte-order marks are trusted because editors write them on purpose. Only when
both fail is charset-normalizer asked, which is slower and guesses rare code
pages for short Western text, so Windows-1252 is preferred where it hesitates.
Binary data must be refused rather than indexed as garbage: NUL bytes and
control characters give it away, except that UTF-16 text without a byte-order
mark holds NULs too; it is told apart by decoding it (see _bomless_utf16).
"""

from __future__ import annotations

import codecs
import unicodedata

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
# UTF-16 without a BOM: characters no text holds (see _unreadable_share) are next to none in
# real text, and 0.4-0.7% in binaries that decode cleanly (pickles, 8-bit audio) ...
_MAX_UNREADABLE_UTF16 = 0.002
_UNREADABLE_CATEGORIES = frozenset({"Cc", "Cn", "Co", "Cs"})  # C1 controls, unassigned, private use, surrogates
# ... and spaces, line breaks or punctuation divide text: Thai 1.4%, Japanese and Chinese 4-5%, English 15-20%.
_MIN_SEPARATOR_SHARE = 0.01
_ASCII_ZEROS = 0.4  # the share of zero high bytes that marks mostly-ASCII UTF-16
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
    """UTF-16 without a BOM (some Windows tools write it), or None.

    UTF-16 text holds zero bytes (the high byte of every ASCII character, the low
    byte of a few others such as the ideographic space), and text in an 8-bit
    encoding holds none; binaries hold them too. Counting zeros alone took only
    English: the ideographic space or one emoji put a zero on the other side, and
    Cyrillic, Greek or CJK text has too few. So a sample with zero bytes is decoded
    strictly in each byte order (the one with more zeros where ASCII puts them
    first) and taken if it reads as text (`_reads_as_text`), and either is mostly
    ASCII (a zero in every other byte, which no 8-bit text has) or reads better
    than the bytes as 8-bit text with their zeros dropped: a few zero bytes in a
    clean UTF-8 or Windows-1252 note are stray, and reading it as UTF-16 would
    make Chinese-looking garbage of it. No file among 31,937 from /usr, /etc and
    /var was taken for UTF-16 that was not.
    """
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    for order in _byte_orders(sample):
        text = _strict_utf16(sample, order)
        if text is None or not _reads_as_text(text):
            continue
        if _mostly_ascii(sample, order) or _unreadable_share(text) < _unreadable_as_8bit(sample.replace(b"\x00", b"")):
            return order
    return None


def _reads_as_text(text: str) -> bool:
    """Next to no characters that text never holds, and divided as writing is (see `_separated`).

    Random data breaks surrogate pairs (a strict decode fails); binaries that
    decode cleanly still yield NULs, controls, unassigned or private-use characters.
    """
    if text.count("\x00") > _MAX_UNREADABLE_UTF16 * len(text):  # quick for NUL-padded data
        return False
    return _unreadable_share(text) <= _MAX_UNREADABLE_UTF16 and _separated(text)


def _mostly_ascii(sample: bytes, order: str) -> bool:
    """A zero in at least 40% of the bytes where UTF-16 in this byte order puts an ASCII character's zero."""
    high_bytes = sample[1::2] if order == "utf-16-le" else sample[0::2]
    return high_bytes.count(0) >= _ASCII_ZEROS * len(high_bytes)


def _byte_orders(sample: bytes) -> tuple[str, str]:
    """Both byte orders, likelier first: an ASCII character has its zero byte second in little-endian."""
    if sample[1::2].count(0) >= sample[0::2].count(0):
        return "utf-16-le", "utf-16-be"
    return "utf-16-be", "utf-16-le"


def _strict_utf16(sample: bytes, order: str) -> str | None:
    """The sample decoded without errors, or None; a pair cut by the sample's end is left out."""
    body = sample[:len(sample) // 2 * 2]
    try:
        return body.decode(order)
    except UnicodeDecodeError as err:
        if err.start < len(body) - 2:
            return None
        return body[:err.start].decode(order)


def _unreadable_share(text: str) -> float:
    """Share of characters no text holds: controls, unassigned and private-use code points, U+FFFD.

    Characters past U+FFFF are not counted: data does not form surrogate pairs by
    chance, and emoji newer than Python's Unicode tables are unassigned to it.
    """
    bad = sum(1 for ch in text if ch in _CONTROL or ("\x80" <= ch <= "\uffff" and (
        ch == "\ufffd" or unicodedata.category(ch) in _UNREADABLE_CATEGORIES)))
    return bad / len(text) if text else 1.0


def _separated(text: str) -> bool:
    """Whether the text is mostly ASCII, or spaces, line breaks or punctuation divide it.

    Binary data that decodes cleanly (8-bit audio, tables of small numbers) reads
    as an unbroken run of CJK ideographs; Japanese and Chinese have 。、，
    every few dozen characters, Thai a space between phrases.
    """
    if sum(1 for ch in text if ch < "\x80") * 2 > len(text):
        return True
    separators = sum(1 for ch in text if ch in "\t\n\r " or unicodedata.category(ch)[0] in "PZ")
    return separators >= _MIN_SEPARATOR_SHARE * len(text)


def _unreadable_as_8bit(sample: bytes) -> float:
    """The unreadable share of the sample read as UTF-8 or as Windows-1252, whichever reads better."""
    return min(_unreadable_share(sample.decode("utf-8", errors="replace")),
               _unreadable_share(sample.decode("cp1252", errors="replace")))


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
