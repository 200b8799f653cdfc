"""The HTML inside RTF that wraps it (\\fromhtml1): how Outlook keeps many HTML messages.

Outlook stores an HTML mail as RTF whose {\\*\\htmltag ...} groups hold the
markup and whose \\htmlrtf ... \\htmlrtf0 stretches hold an RTF-only rendering
(MS-OXRTFEX). Read as RTF, the markup is dropped and paragraphs run together and
entities such as &amp; stay as written; unwrapped, the HTML is read as any mail's
HTML body is. Unwrapping keeps the tags' text and the text outside the RTF-only
stretches, turning \\par into a line break and the escapes into characters; other
destinations (font and colour tables, pictures, \\*\\mhtmltag copies) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from engine.extract.rtf import code_page

_TOKEN = re.compile(
    rb"\\'([0-9a-fA-F]{2})"  # a byte in the code page
    rb"|\\([a-z]{1,32})(-?[0-9]{1,10})? ?"  # a control word and its parameter
    rb"|\\([^a-z])"  # a control symbol: \{ \} \ \~ \* ...
    rb"|([{}])"
    rb"|[\r\n]+"  # line breaks in RTF source are not text
    rb"|([^\\{}\r\n]+)",
)
_SKIPPED = frozenset({b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"listtable",
                      b"listoverridetable", b"generator", b"xmlnstbl", b"themedata", b"datastore"})
_WORDS = {b"par": "\r\n", b"line": "\r\n", b"tab": "\t", b"lquote": "\u2018", b"rquote": "\u2019",
          b"ldblquote": "\u201c", b"rdblquote": "\u201d", b"bullet": "\u2022", b"endash": "\u2013",
          b"emdash": "\u2014"}
_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"\r": "\r\n", b"\n": "\r\n"}


@dataclass(frozen=True)
class _Group:
    skipped: bool = False  # a destination that is not text (font table, picture, a \* group)
    tag: bool = False  # an \htmltag group: its text is markup
    rtf_only: bool = False  # inside \htmlrtf ... \htmlrtf0
    fallback: int = 1  # characters after a \uN that stand in for it (\ucN)

    @property
    def shown(self) -> bool:
        return self.tag or not (self.skipped or self.rtf_only)


def is_wrapped_html(rtf: bytes) -> bool:
    """True for RTF that Outlook made from HTML (its header says \\fromhtml1)."""
    return b"\\fromhtml1" in rtf[:1024]


def unwrapped_html(rtf: bytes) -> str:
    """The HTML that `rtf` (wrapped HTML, see is_wrapped_html) was made from."""
    codec = code_page(rtf)
    out: list[str] = []
    pending = bytearray()  # \'xx bytes, decoded together: a character of an Asian code page takes two
    group, stack = _Group(), list[_Group]()
    starred, drop = False, 0  # drop: fallback characters after a \uN still to skip
    for token in _TOKEN.finditer(rtf):
        byte, word, parameter, symbol, brace, text = token.groups()
        if byte is None and pending:
            out.append(pending.decode(codec, errors="replace"))
            pending.clear()
        if brace == b"{":
            stack.append(group)
        elif brace == b"}":
            group = stack.pop() if stack else group
        elif word is not None and (starred or word in _SKIPPED):
            group = replace(group, skipped=word != b"htmltag", tag=word == b"htmltag")
        elif word == b"htmlrtf":
            group = replace(group, rtf_only=parameter != b"0")
        elif word == b"uc" and parameter is not None:
            group = replace(group, fallback=int(parameter))
        elif group.shown and word == b"u" and parameter is not None:
            out.append(chr(int(parameter) % 0x10000))
            starred, drop = False, group.fallback
            continue
        elif group.shown and word is not None:
            out.append(_WORDS.get(word, ""))
        elif group.shown and byte is not None:
            if drop:
                drop -= 1
                continue
            pending.append(int(byte, 16))
        elif group.shown and symbol is not None and symbol != b"*":
            out.append(_SYMBOLS.get(symbol, symbol.decode("latin-1")))
        elif group.shown and text is not None:
            out.append(text[drop:].decode(codec, errors="replace"))
        starred, drop = symbol == b"*", 0
    if pending:
        out.append(pending.decode(codec, errors="replace"))
    # \uN gives each half of a surrogate pair alone: join them (a lone half becomes U+FFFD)
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
