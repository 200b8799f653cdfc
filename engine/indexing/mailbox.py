"""A mailbox of any size, read a message at a time and never read twice (issue #25).

The mailbox is not read into memory: engine.extract.mailbox finds where each message is, and each one
is read in the limited reader process on its own, with its attachments, as a sub-document of the
mailbox ("inbox.mbox//message 12"; its attachments "inbox.mbox//message 12//contract.pdf"), each
written in its own transaction. A message's row keeps the hash of its bytes: a message whose bytes are
already indexed is not read again, so a pass killed half way goes on where it stopped, and a mailbox that
grew (Thunderbird appends) has only its new messages read. The mailbox's own row gets its real
timestamp last (engine.indexing.contained), with the list of what it holds now: the rest goes.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from engine.errors import ExtractionError
from engine.extract.document import Member
from engine.extract.enclosed import SEPARATOR, member_path
from engine.extract.mailbox import message_spans
from engine.extract.mbox import NOT_A_MAILBOX
from engine.indexing.contained import UNSEALED, Item, sealed
from engine.store import FileOutcome

ReadMessage = Callable[[Path, int, int], Member]  # (mailbox, offset, length) -> the message, read in the reader
_T = TypeVar("_T", bound=Item)


@dataclass
class MailboxTally:
    """How far the mailbox being read is, for progress and its ETA (written by the reader thread)."""

    path: str | None = None
    done: int = 0  # bytes of it passed
    total: int = 0
    read: int = 0  # bytes of messages read (not skipped) and the time that took
    seconds: float = 0.0

    def eta(self) -> float | None:
        if not self.read or self.path is None:
            return None
        return (self.total - self.done) * self.seconds / self.read


def stream(first: _T, known: dict[str, str | None], read: ReadMessage,
           item_for: Callable[[FileOutcome, Member], _T], cancel: threading.Event, tally: MailboxTally) -> Iterator[_T]:
    """The mailbox's own row (`first`), then each message not indexed before with its attachments, then the seal.

    `known`: the paths of the sub-documents indexed before, with their hashes (a message's is its bytes')."""
    container = real = first.outcome
    path = Path(container.path)
    with open(path, "rb") as handle:
        spans = message_spans(handle, container.size)
        head = next(spans, None)
        if head is None and container.size:  # no "From " line at all: not a mailbox
            first.outcome = replace(real, status="error", error=NOT_A_MAILBOX, kind=None, members=())
            yield first
            return
        first.outcome = replace(real, mtime_ns=UNSEALED, members=None)  # what it held stays until the seal
        yield first
        keep: list[str] = []
        tally.path, tally.done, tally.total, tally.read, tally.seconds = container.path, 0, container.size, 0, 0.0
        for number, (offset, length) in enumerate(itertools.chain([head] if head else [], spans), 1):
            if cancel.is_set():
                return  # not sealed: the next pass goes on from here
            inner = f"message {number}"
            handle.seek(offset)
            digest = hashlib.blake2b(handle.read(length), digest_size=20).hexdigest()
            here = member_path(container.path, inner)
            tally.done = offset + length
            if known.get(here) == digest:  # read before: it and its attachments stay as they are
                keep.extend(p for p in known if p == here or p.startswith(here + SEPARATOR))
                continue
            started = time.monotonic()
            message = _read(read, path, offset, length)
            tally.read, tally.seconds = tally.read + length, tally.seconds + time.monotonic() - started
            for item in _items(real, inner, digest, message, item_for):
                keep.append(item.outcome.path)
                yield item
    yield sealed(replace(real, members=tuple(keep)), item_for)
    tally.path = None


def _read(read: ReadMessage, path: Path, offset: int, length: int) -> Member:
    try:
        return read(path, offset, length)
    except ExtractionError as exc:  # the reader process stopped on it (time, memory): this message only
        return Member("", "error", length, error=str(exc))


def _items(container: FileOutcome, inner: str, digest: str, message: Member,
           item_for: Callable[[FileOutcome, Member], _T]) -> Iterator[_T]:
    """The message's attachments, then the message itself with its hash: written last, so a message is
    marked read only once all it holds is written."""
    for attachment in message.document.members if message.document is not None else ():
        yield item_for(container, replace(attachment, inner=inner + SEPARATOR + attachment.inner))
    item = item_for(container, replace(message, inner=inner))
    item.outcome = replace(item.outcome, hash=digest, kind=item.outcome.kind or "email")
    yield item
