"""Plain text and source code: decoded as they are, nothing interpreted.

Offsets into the text must match what a viewer shows, so only line endings are
normalised (CRLF and CR to LF, which every editor displays the same).
"""

from __future__ import annotations

from engine.extract.document import Document
from engine.extract.encoding import decode
from engine.extract.limits import MAX_CHARS


def extract_text(data: bytes, kind: str) -> Document:
    text, encoding = decode(data)
    text, truncated = limited(normalise_newlines(text))
    return Document(text=text, kind=kind, title=None, encoding=encoding, truncated=truncated)


def normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def limited(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_CHARS:
        return text, False
    return text[:MAX_CHARS], True


def extract_plain_text(data: bytes) -> Document:
    return extract_text(data, kind="text")


def extract_code(data: bytes) -> Document:
    return extract_text(data, kind="code")
