"""Outlook .msg files for tests: written by msgforge, edited with olefile where a case needs it.

msgforge writes the compound file and the MAPI properties as Outlook saves a
message (tested by its authors against Outlook itself), but it always writes a
plain-text body and always writes the HTML as well as its RTF rendering. Mail
saved by other clients often has only one of them: `without` takes properties
out the way such a client never wrote them, by turning their entries in the
properties stream into unused ones, so the file stays a valid compound file of
the same size (olefile rewrites a stream only in place). `with_rtf` puts in
an RTF body of one's own, as Outlook keeps mail written in its Rich Text format;
`received` gives a message the mail headers it arrived with.
"""

from __future__ import annotations

import datetime
import io
import struct

import compressed_rtf
import msgforge
import olefile

BODY = 0x1000001F  # PidTagBody, Unicode
HTML = 0x10130102  # PidTagHtml, binary
_SUBJECT = 0x0037001F  # PidTagSubject
_HEADERS = 0x007D001F  # PidTagTransportMessageHeaders
_RTF_STREAM = "__substg1.0_10090102"  # PidTagRtfCompressed
_MESSAGE_HEADER = 32  # bytes before the first property entry of a message's properties stream
_ENTRY = 16
_UNUSED = 0x67F00003  # an unassigned property id (of a fixed-size type): Outlook ignores it


def outlook_message(subject: str, text: str = "", html: str = "", sender: tuple[str, str] | None = None,
                    to: tuple[tuple[str, str], ...] = (), cc: tuple[tuple[str, str], ...] = (),
                    sent: datetime.datetime | None = None,
                    attachments: tuple[tuple[str, bytes, str | None], ...] = ()) -> bytes:
    """A sent message (or a draft, without `sent`); recipients and sender as (address, display name)."""
    message = msgforge.Message(subject=subject, text_body=text, html_body=html, to=list(to), cc=list(cc),
                               sender=sender, sent=sent or False)
    for name, data, mime_type in attachments:
        message.attach_bytes(name, data, mime_type)
    return message.as_bytes()


def without(data: bytes, *tags: int) -> bytes:
    """The message with the properties `tags` (such as BODY, HTML) left out, as a client that never wrote them."""
    return _retagged(data, {tag: _UNUSED for tag in tags})


def received(data: bytes) -> bytes:
    """A message built with the mail headers it was received with as its subject, made into such a message:
    its subject property becomes the headers property (PidTagTransportMessageHeaders). The property's
    stream is renamed byte by byte in the file's directory (same length), as no library writes that case."""
    old, new = (f"__substg1.0_{tag:08X}".encode("utf-16-le") for tag in (_SUBJECT, _HEADERS))
    assert data.count(old) == 1
    return _retagged(data.replace(old, new), {_SUBJECT: _HEADERS})


def _retagged(data: bytes, tags: dict[int, int]) -> bytes:
    """The message with the property entries `tags` (old: new) given new tags, the values unchanged."""
    buffer = io.BytesIO(data)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        stream = bytearray(ole.openstream("__properties_version1.0").read())
        for offset in range(_MESSAGE_HEADER, len(stream) - _ENTRY + 1, _ENTRY):
            tag = struct.unpack_from("<I", stream, offset)[0]
            if tag in tags:
                struct.pack_into("<I", stream, offset, tags[tag])
        ole.write_stream("__properties_version1.0", bytes(stream))
    return buffer.getvalue()


def with_rtf(data: bytes, rtf: bytes) -> bytes:
    """The message with its RTF body replaced by `rtf`, stored uncompressed (the format allows it) and
    padded with spaces after the document to the old body's size (so the old one must be the longer)."""
    buffer = io.BytesIO(data)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        size = ole.get_size(_RTF_STREAM)
        assert len(rtf) <= size - 16, "the message's own RTF body is shorter: write it with a longer HTML body"
        ole.write_stream(_RTF_STREAM, compressed_rtf.compress(rtf.ljust(size - 16), compressed=False))
    return buffer.getvalue()
