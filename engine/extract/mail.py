"""E-mail (.eml): who, when and what about, then the message body.

The headers go first as their own paragraph because people search mail by
sender and subject as much as by content. The plain-text body is preferred
(it is what the sender wrote; the HTML part is usually a rendering of it);
HTML-only mail goes through the HTML extractor. Attachments are not opened,
only named, so a search for a file name still finds the mail that carried it.
Old and careless clients send 8-bit text with no charset or a wrong one, and
even raw 8-bit headers: such text is decoded from its bytes, with a guess where
the label is missing or does not fit, so no accented letter is lost.
The layout itself (mail_into) takes plain fields, so Outlook's .msg files, which
are not MIME, are rendered by the same code as .eml files and mailboxes.
Named mail.py, not email.py, so it is never mistaken for the standard library.
"""

from __future__ import annotations

import codecs
import email
from collections.abc import Callable, Iterable, Iterator, Mapping
from email import policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from functools import partial

from engine.errors import ExtractionError, UnsupportedFile
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.enclosed import Enclosed
from engine.extract.encoding import decode
from engine.extract.html import html_into, meta_charset
from engine.extract.mailbox import day
from engine.extract.text import normalise_newlines

DAMAGED = "damaged e-mail file: it cannot be read"
NO_SUBJECT = "(no subject)"
_HEADERS = ("Subject", "From", "To", "Cc", "Date")


def extract_email(data: bytes) -> Document:
    builder = TextBuilder()
    subject = message_into(builder, parse_message(data))
    return builder.build("email", subject)


def parse_message(data: bytes) -> EmailMessage:
    """One message from its bytes (a .eml, or one message of a mailbox); ExtractionError if it is beyond reading."""
    try:
        message = email.message_from_bytes(data, policy=policy.default)
    except Exception:  # the parser is lenient; this is for the truly broken
        raise ExtractionError(DAMAGED) from None
    if not isinstance(message, EmailMessage):  # what policy.default produces
        raise ExtractionError(DAMAGED)
    return message


def message_into(builder: TextBuilder, message: EmailMessage, section: bool = False) -> str | None:
    """Add the message's headers, body and attachment names; returns its subject (see mail_into)."""
    body = _body_part(message)
    headers = mail_headers(message, body.get_content_charset() if body is not None else None)
    return mail_into(builder, headers, _part_into(body), _attachment_names(message, body), section)


def mime_body(message: EmailMessage) -> Callable[[TextBuilder], None]:
    """What adds a MIME message's body: also the signed copy of the message inside an Outlook message."""
    return _part_into(_body_part(message))


def _body_part(message: EmailMessage) -> EmailMessage | None:
    """The part that is the message's text: plain text (what the sender wrote), else HTML."""
    body = message.get_body(preferencelist=("plain", "html"))
    return body if isinstance(body, EmailMessage) else None


def _part_into(part: EmailMessage | None) -> Callable[[TextBuilder], None]:
    if part is None:
        return partial(body_into, text="")
    return partial(body_into, text=_part_text(part), html=part.get_content_subtype() == "html")


def mail_headers(message: EmailMessage, hint: str | None = None) -> dict[str, str]:
    """The headers a message is shown with (Subject, From, To, Cc, Date), decoded; `hint`: the body's charset."""
    return {name: value for name in _HEADERS if (value := _header(message, name, hint))}


def mail_into(builder: TextBuilder, headers: Mapping[str, str], body: Callable[[TextBuilder], None],
              attachments: Iterable[str], section: bool = False) -> str | None:
    """Render one message from its plain fields: the one layout of every mail format (.eml, .mbox, .msg).

    `headers` by name (Subject, From, To, Cc, Date; others are ignored), `body`
    adds the message text. As a `section` (one message of a mailbox) the subject
    is a heading, so every passage of the message carries it, and is not repeated
    among the headers. Returns the subject."""
    shown = {name: value for name in _HEADERS if (value := " ".join(str(headers.get(name) or "").split()))}
    subject = shown.get("Subject")
    if section:
        builder.heading(subject or NO_SUBJECT, 1)
        shown.pop("Subject", None)
    builder.paragraph("\n".join(f"{name}: {value}" for name, value in shown.items()))
    body(builder)
    names = list(dict.fromkeys(clean for name in attachments if (clean := " ".join(name.split()))))
    if names:
        builder.paragraph("Attachments: " + ", ".join(names))
    return subject


def body_into(builder: TextBuilder, text: str, html: bool = False) -> None:
    """A message's text: HTML through the HTML extractor, plain text as its paragraphs."""
    if html:
        html_into(builder, text)
        return
    for block in normalise_newlines(text).split("\n\n"):
        builder.paragraph(block)


def _header(message: EmailMessage, name: str, hint: str | None) -> str | None:
    """A decoded header value; a malformed one falls back to its raw text rather than losing the mail.

    Raw 8-bit bytes in a header (no RFC 2047 encoding) come back from the email
    package as replacement characters unless they are UTF-8, so they are decoded
    here first (UTF-8, then `hint`, the body's charset, then a guess) and the
    text is parsed again, which still decodes any encoded words and addresses in it.
    """
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if raw is None:
        return None
    data = raw.encode("utf-8", "surrogateescape")  # the header's own bytes
    try:
        value = message[name] if data.isascii() else policy.default.header_factory(name, _header_text(data, hint))
    except Exception:  # malformed beyond the parser's leniency
        value = raw
    return " ".join(str(value).split()) or None


def _header_text(data: bytes, hint: str | None) -> str:
    for charset in ("utf-8", hint):
        if charset is not None and _ascii_compatible(charset) and (text := _strict(data, charset)) is not None:
            return text
    try:
        return decode(data)[0]
    except UnsupportedFile:
        return data.decode("utf-8", errors="replace")


def _part_text(part: EmailMessage) -> str:
    """The part's text from its bytes (see body_text).

    Not get_content(): for a part without a charset it decodes ASCII with
    replacement characters, and every accented letter was lost before any guess."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return body_text(payload, part.get_content_charset(), part.get_content_subtype() == "html")


def body_text(data: bytes, charset: str | None, html: bool = False) -> str:
    """A body's text from its bytes: in the declared `charset` if they are valid in it, else guessed.

    An HTML body without one may name its charset in a <meta>, as a web page does."""
    if not data:
        return ""
    text = _strict(data, charset)
    if text is not None:
        return text
    try:
        return decode(data, meta_charset(data) if html else None)[0]
    except UnsupportedFile:
        return ""


def _strict(data: bytes, charset: str | None) -> str | None:
    """`data` in `charset`, or None if it is not valid there (or the charset is unknown or not a text encoding)."""
    if charset is None:
        return None
    try:
        return data.decode(charset)
    except (LookupError, UnicodeError):
        return None


def _ascii_compatible(charset: str) -> bool:
    """Header bytes are mostly ASCII: a charset such as UTF-16 would decode them as nonsense."""
    try:
        return codecs.encode("From: a", charset) == b"From: a"
    except (LookupError, UnicodeError, TypeError):
        return False


def _attachment_names(message: Message, body: Message | None) -> list[str]:
    names: list[str] = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        try:
            name = part.get_filename()
        except Exception:
            continue
        if name:
            names.append(name)
    return names


def enclosed_email(data: bytes) -> Iterator[Enclosed]:
    """A .eml's attachments, each with the mail it came with in words."""
    message = parse_message(data)
    yield from message_attachments(message, "")


def message_attachments(message: EmailMessage, prefix: str) -> Iterator[Enclosed]:
    """The attachments of one message (also one message of a mailbox: `prefix` is its place in it)."""
    body = _body_part(message)
    location = mail_location(mail_headers(message, body.get_content_charset() if body is not None else None))
    names: set[str] = set()
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        try:
            name = part.get_filename()
            data = part.get_payload(decode=True)
        except Exception:  # a malformed part: the others are still read
            continue
        if name and isinstance(data, bytes):
            yield Enclosed(prefix + unique_name(" ".join(name.split()), names), data, location, size=len(data))


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or "name (2)" when a mail already has an attachment of that name: each needs its own path."""
    unique, n = name, 1
    while unique in taken:
        n += 1
        stem, dot, suffix = name.rpartition(".")
        unique = f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"
    taken.add(unique)
    return unique


def mail_location(headers: Mapping[str, str]) -> str:
    """"attached to 'Re: Lease renewal' from A. Ortiz, 14 Feb 2025": the mail, as a person remembers it."""
    words = [f"attached to '{headers.get('Subject') or NO_SUBJECT}'"]
    sender = headers.get("From")
    if sender:
        name, address = parseaddr(sender)
        words.append(f"from {name or address or sender}")
    when = day(headers.get("Date"))
    return " ".join(words) + (f", {when}" if when else "")
