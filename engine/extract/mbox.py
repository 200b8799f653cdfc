"""Mailboxes (.mbox, as Thunderbird, Apple Mail and Google Takeout export them): each message a section.

Each message is headed by its subject, so every passage of it carries the
subject, and is rendered as a single .eml is (engine.extract.mail: who, when,
the body, attachment names). The messages are found as the standard library's
mailbox.mbox finds them, by the "From " line that starts each one; mailbox.mbox
itself is not used because it reads only from a path (opened read-write when it
can be), while a reader works on the bytes read once under the size limit, in the
limited reader process. A line a mail program quoted as ">From " to keep it from
starting a message is unquoted. A message the e-mail parser cannot read is
skipped and counted, so the rest of the mailbox is still found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import past
from engine.extract.enclosed import Enclosed
from engine.extract.mail import message_into, parse_message
from engine.extract.mailbox import message_of_mailbox

NOT_A_MAILBOX = 'not a mailbox: an .mbox file starts each message with a "From " line, and this one has none'
_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_CHECK_EVERY = 100  # messages between looks at the clock


def extract_mbox(data: bytes, deadline: float | None = None) -> Document:
    """`deadline` (a time.monotonic() value): a mailbox of many thousand messages keeps those read by then."""
    builder = TextBuilder()
    found = unread = 0
    late = False
    for raw in _messages(data):
        if builder.full:
            break
        if found and found % _CHECK_EVERY == 0 and past(deadline):
            late = True
            break
        found += 1
        try:
            message_into(builder, parse_message(_QUOTED_FROM.sub(rb"\1", raw)), section=True)
        except Exception:  # one broken message must not cost the others (the parser's own errors included)
            unread += 1
    if not found:
        raise ExtractionError(NOT_A_MAILBOX)
    gaps = [f"{unread} of {found} messages could not be read"] if unread else []
    if late:
        gaps.append(f"the messages after the first {found} were not read in the time allowed")
    gap = "; ".join(gaps) or None
    return builder.build("mbox", None, gap=gap)


def _messages(data: bytes) -> Iterator[bytes]:
    """Each message's bytes, without its "From " line; text before the first one is not a message."""
    starts = [match.start() for match in _FROM_LINE.finditer(data)]
    for start, end in zip(starts, [*starts[1:], len(data)]):
        line_end = data.find(b"\n", start, end)
        if line_end != -1:
            yield data[line_end + 1:end]


def enclosed_mbox(data: bytes) -> Iterator[Enclosed]:
    """Each message as "message N" (N counts from 1), as a mailbox read a message at a time names them
    (engine.indexing.mailbox); its attachments are its own members."""
    for number, raw in enumerate(_messages(data), 1):
        message, place = message_of_mailbox(b"From \n" + raw)
        yield Enclosed(f"message {number}", message, place, size=len(message))
