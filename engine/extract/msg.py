"""Outlook messages (.msg): one e-mail saved from Outlook, rendered as an .eml file is.

A .msg file is an OLE compound file of MAPI properties (MS-OXMSG), read here
with python-oxmsg; the message is then laid out by engine.extract.mail, so it
reads and is found exactly as the same mail saved as .eml: who, when, the body,
attachment names. A received message keeps the mail headers it arrived with,
which are used first; the properties Outlook shows (sender, recipient table,
sent or delivery time) give the rest, and all of a message never sent. The
body is chosen as for .eml: plain text, else HTML, else the compressed RTF that
is all some copies keep: Outlook's RTF that wraps HTML (\\fromhtml1) is
unwrapped and read as HTML, other RTF by the RTF reader.
A signed message often keeps its text only in the signed MIME original Outlook
attaches (smime.p7m, multipart/signed), which is read as an .eml's body is.
Messages whose body is sealed (S/MIME encryption, rights management) are named
as such rather than indexed with their subject alone, so the user knows why
their words are not found. A field that cannot be decoded is left out, not the mail.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from typing import TypeVar

import compressed_rtf
from oxmsg import Message
from oxmsg.attachment import Attachment
from oxmsg.domain import constants as c
from oxmsg.recipient import Recipient
from oxmsg.storage import Storage

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.enclosed import Enclosed
from engine.extract.mail import (
    body_into, body_text, mail_headers, mail_into, mail_location, mime_body, parse_message, unique_name,
)
from engine.extract.ole import is_ole, open_ole
from engine.extract.rtf import rtf_into
from engine.extract.rtf_html import is_wrapped_html, unwrapped_html

NOT_A_MESSAGE = "not an Outlook message: Cairn reads .msg files saved from Outlook, and this is not one"
DAMAGED = "damaged Outlook message: it cannot be read"
ENCRYPTED = "encrypted Outlook message (S/MIME): only its recipients can read it, in their own mail program"
RIGHTS_PROTECTED = "rights-protected Outlook message (IRM): only its recipients can read it, in Outlook"
UNREADABLE_BODY = "the message's text could not be read"
_PROPERTIES = "__properties_version1.0"  # the message's property table, at the top of every .msg
_PID_ATTACH_DISPLAY_NAME = 0x3001
_TO, _CC = 1, 2  # PidTagRecipientType
_ENCRYPTED_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_T = TypeVar("_T")


def extract_msg(data: bytes) -> Document:
    message = _load(data)
    attachments = _field(lambda: message.attachments) or ()
    _refuse_sealed(message, attachments)
    body, gaps = _body(message, attachments)  # `gaps` is filled as the body is added
    builder = TextBuilder()
    subject = mail_into(builder, _headers(message), body, _attachment_names(attachments))
    return builder.build("msg", subject, gap="; ".join(gaps) or None)


def _load(data: bytes) -> Message:
    if not is_ole(data):
        raise ExtractionError(NOT_A_MESSAGE)
    try:
        with open_ole(data) as ole:
            storage = Storage.from_ole(ole)
    except Exception:  # NotOle (a broken container), or python-oxmsg on a broken directory
        raise ExtractionError(DAMAGED) from None
    if _PROPERTIES not in {stream.name for stream in storage.streams}:
        # an OLE file of something else (an old Word or Excel file), or one whose directory is lost
        raise ExtractionError(NOT_A_MESSAGE if storage.streams or storage.storages else DAMAGED)
    message = Message(storage)
    try:
        message.properties.int_prop_value(c.PID_MESSAGE_CODEPAGE)  # parses the property table
    except Exception:
        raise ExtractionError(DAMAGED) from None
    return message


def _field(read: Callable[[], _T]) -> _T | None:
    """One property's value, or None if it is missing or cannot be decoded: the rest of the mail is still read."""
    try:
        return read()
    except Exception:
        return None


def _refuse_sealed(message: Message, attachments: Sequence[Attachment]) -> None:
    """Outlook keeps the body of an encrypted or rights-managed message only inside an opaque attachment."""
    kind = (_field(lambda: message.message_class) or "").lower()
    names = {(_field(lambda: a.file_name) or "").lower(): _field(lambda: a.mime_type) for a in attachments}
    if ".rpmsg" in kind or "message.rpmsg" in names:
        raise ExtractionError(RIGHTS_PROTECTED)
    opaque = names.get("smime.p7m") in _ENCRYPTED_TYPES and not _field(lambda: message.body)
    if opaque or (kind.startswith("ipm.note.smime") and not kind.startswith("ipm.note.smime.multipartsigned")):
        raise ExtractionError(ENCRYPTED)


def _headers(message: Message) -> dict[str, str]:
    """Subject, From, To, Cc and Date: a received message's own mail headers, as its .eml would show them
    (Outlook's sender may be an Exchange-internal address), else the properties Outlook shows."""
    recipients = _field(lambda: message.recipients) or ()
    fields = {
        "Subject": _field(lambda: message.subject),
        "From": _sender(message),
        "To": ", ".join(_address(r.name, r.email_address) for r in recipients if _kind(r) == _TO),
        "Cc": ", ".join(_address(r.name, r.email_address) for r in recipients if _kind(r) == _CC),
        "Date": _date(message),
    }
    transport = _field(lambda: message.properties.str_prop_value(c.PID_TRANSPORT_MESSAGE_HEADERS)) or ""
    original = _field(lambda: mail_headers(parse_message(transport.encode("utf-8", "replace")))) or {}
    return {name: value for name in fields if (value := original.get(name) or fields[name])}


def _sender(message: Message) -> str | None:
    properties = message.properties
    name = _field(lambda: properties.str_prop_value(c.PID_SENDER_NAME)) or ""
    address = (_field(lambda: properties.str_prop_value(c.PID_SENDER_SMTP_ADDRESS))
               or _field(lambda: properties.str_prop_value(c.PID_SENDER_EMAIL_ADDRESS)) or "")
    return _address(name, address) or _field(lambda: properties.str_prop_value(c.PID_SENT_REPRESENTING_NAME))


def _address(name: str | None, address: str | None) -> str:
    """"Name <address>" as an .eml header shows it; an Exchange-internal address (no @) is left out."""
    name, address = (name or "").strip(), (address or "").strip()
    if "@" not in address or address == name:
        return name or address
    try:
        return str(Address(display_name=name, addr_spec=address))  # quotes a name such as "Hald, Notary"
    except (ValueError, IndexError):  # an address the parser refuses: shown as written
        return f"{name} <{address}>" if name else address


def _kind(recipient: Recipient) -> int | None:
    return _field(lambda: recipient.properties.int_prop_value(c.PID_RECIPIENT_TYPE))


def _date(message: Message) -> str | None:
    for pid in (c.PID_CLIENT_SUBMIT_TIME, c.PID_MESSAGE_DELIVERY_TIME):
        when = _field(partial(message.properties.date_prop_value, pid))
        if isinstance(when, datetime.datetime) and 1980 <= when.year < 4500:  # 4501: Outlook's "none"
            return format_datetime(when)
    return None


def _body(message: Message, attachments: Sequence[Attachment]) -> tuple[Callable[[TextBuilder], None], list[str]]:
    """What adds the message's text, chosen as for an .eml (plain text, else HTML), else its RTF."""
    if text := _field(lambda: message.body):
        return partial(body_into, text=text), []
    if html := _html(message):
        return partial(body_into, text=html, html=True), []
    if signed := _signed_copy(attachments):
        return mime_body(signed), []
    compressed = _field(lambda: message.properties.binary_prop_value(c.PID_RTF_COMPRESSED))
    if not compressed:
        return _nothing, []
    rtf = _field(lambda: compressed_rtf.decompress(compressed))
    if not isinstance(rtf, bytes):
        return _nothing, [UNREADABLE_BODY]
    if is_wrapped_html(rtf):
        return partial(body_into, text=unwrapped_html(rtf), html=True), []
    gaps: list[str] = []

    def rtf_body(builder: TextBuilder) -> None:
        try:
            rtf_into(builder, rtf)
        except ExtractionError:
            gaps.append(UNREADABLE_BODY)

    return rtf_body, gaps


def _signed_copy(attachments: Sequence[Attachment]) -> EmailMessage | None:
    """A signed message's MIME original: Outlook keeps it whole as the attachment smime.p7m, often alone."""
    for attachment in attachments:
        if not (_field(lambda: attachment.mime_type) or "").startswith("multipart/signed"):
            continue
        if data := _field(lambda: attachment.file_bytes):
            return _field(lambda: parse_message(data))
    return None


def _html(message: Message) -> str | None:
    """The HTML body from its bytes, in the message's Internet code page if they are valid there, else guessed."""
    properties = message.properties
    data = _field(lambda: properties.binary_prop_value(c.PID_HTML))
    if data:
        return body_text(data, _field(lambda: properties.body_encoding), html=True)
    return _field(lambda: properties.str_prop_value(c.PID_BODY_HTML))


def _nothing(builder: TextBuilder) -> None:
    """The body of a message that has none (a meeting request, an empty draft)."""


def _attachment_names(attachments: Sequence[Attachment]) -> list[str]:
    return [name for attachment in attachments if (name := _attachment_name(attachment))]


def enclosed_msg(data: bytes) -> Iterator[Enclosed]:
    """An Outlook message's attachments that carry a file (not embedded messages or OLE objects)."""
    message = _load(data)
    location = mail_location(_headers(message))
    names: set[str] = set()
    for attachment in _field(lambda: message.attachments) or ():
        name = _attachment_name(attachment)
        payload = _field(lambda: attachment.file_bytes)
        if name and isinstance(payload, bytes):
            yield Enclosed(unique_name(" ".join(name.split()), names), payload, location, size=len(payload))


def _attachment_name(attachment: Attachment) -> str | None:
    properties = attachment.properties
    return (_field(lambda: attachment.file_name)
            or _field(lambda: properties.str_prop_value(c.PID_ATTACH_FILENAME))
            or _field(lambda: properties.str_prop_value(_PID_ATTACH_DISPLAY_NAME)))
