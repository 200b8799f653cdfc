"""Where the messages of a mailbox (.mbox) are, found without reading the mailbox into memory.

A Gmail Takeout mailbox runs to gigabytes: it is read a message at a time (engine.indexing.mailbox),
and only this scan of the bytes for the "From " lines that start each message passes over it
whole, a block at a time. A message is cut at the same lines engine.extract.mbox cuts at. Nothing
here parses a message: that happens in the limited reader process, one message per request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime, parseaddr
from typing import BinaryIO

_BLOCK = 1 << 20
_START = b"\nFrom "
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_HEADER = re.compile(rb"^(Subject|From|Date):[ \t]*(.*(?:\r?\n[ \t].*)*)", re.MULTILINE | re.IGNORECASE)


def message_spans(handle: BinaryIO, end: int) -> Iterator[tuple[int, int]]:
    """(offset, length) of each message up to byte `end` ("From " line included): text before the first
    is not a message. `end` is the size seen when the pass began: a message being appended waits for the next."""
    start: int | None = 0 if handle.read(5) == b"From " else None
    position = 0
    tail = b""
    while position < end:
        handle.seek(position)
        block = handle.read(min(_BLOCK, end - position))
        if not block:
            break
        data = tail + block
        base = position - len(tail)
        found = data.find(_START)
        while found != -1:  # the tail is shorter than _START: no line is found twice
            boundary = base + found + 1
            if start is not None:
                yield start, boundary - start
            start = boundary
            found = data.find(_START, found + 1)
        tail = data[-(len(_START) - 1):]
        position += len(block)
    if start is not None and end > start:
        yield start, end - start


def message_of_mailbox(data: bytes) -> tuple[bytes, str | None]:
    """A message's bytes without its "From " line and with ">From " unquoted, and its place in words
    ("'Re: Lease renewal' from A. Ortiz, 14 Feb 2025")."""
    line_end = data.find(b"\n")
    raw = _QUOTED_FROM.sub(rb"\1", data[line_end + 1:] if data.startswith(b"From ") and line_end != -1 else data)
    return raw, _place(raw[:64 * 1024])


def _place(head: bytes) -> str | None:
    """Subject, sender and day from the raw headers (the full parse is the e-mail reader's)."""
    fields: dict[str, str] = {}
    headers = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    for match in _HEADER.finditer(headers):
        name = match.group(1).decode("ascii").lower()
        fields.setdefault(name, " ".join(match.group(2).decode("utf-8", "replace").split()))
    if not fields:
        return None
    words = [f"'{_decoded(fields.get('subject', '')) or '(no subject)'}'"]
    if sender := fields.get("from"):
        name, address = parseaddr(_decoded(sender))
        words.append(f"from {name or address}")
    return " ".join(words) + (f", {when}" if (when := day(fields.get("date"))) else "")


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a malformed encoded word: the raw text
        return value


def day(value: str | None) -> str | None:
    """"14 Feb 2025" from a mail's Date header; None if it has none or one beyond reading."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return f"{moment.day} {moment:%b %Y}"
