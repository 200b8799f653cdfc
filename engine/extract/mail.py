"""E-mail (.eml): who, when and what about, then the message body.

The headers go first as their own paragraph because people search mail by
sender and subject as much as by content. The plain-text body is preferred
(it is what the sender wrote; the HTML part is usually a rendering of it);
HTML-only mail goes through the HTML extractor. Attachments are not opened,
only named, so a search for a file name still finds the mail that carried it.
Named mail.py, not email.py, so it is never mistaken for the standard library.
"""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage, Message

from engine.errors import ExtractionError, UnsupportedFile
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.encoding import decode
from engine.extract.html import html_into
from engine.extract.text import normalise_newlines

DAMAGED = "damaged e-mail file: it cannot be read"
_HEADERS = ("Subject", "From", "To", "Cc", "Date")


def extract_email(data: bytes) -> Document:
    try:
        message = email.message_from_bytes(data, policy=policy.default)
    except Exception:  # the parser is lenient; this is for the truly broken
        raise ExtractionError(DAMAGED) from None
    if not isinstance(message, EmailMessage):  # what policy.default produces
        raise ExtractionError(DAMAGED)
    builder = TextBuilder()
    builder.paragraph("\n".join(f"{name}: {value}" for name in _HEADERS if (value := _header(message, name))))
    body = message.get_body(preferencelist=("plain", "html"))
    if isinstance(body, EmailMessage):
        text = _part_text(body)
        if body.get_content_subtype() == "html":
            html_into(builder, text)
        else:
            for block in normalise_newlines(text).split("\n\n"):
                builder.paragraph(block)
    names = _attachment_names(message, body)
    if names:
        builder.paragraph("Attachments: " + ", ".join(names))
    return builder.build("email", _header(message, "Subject"))


def _header(message: EmailMessage, name: str) -> str | None:
    """A decoded header value; a malformed one falls back to its raw text rather than losing the mail."""
    try:
        value = message[name]
    except Exception:
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _part_text(part: EmailMessage) -> str:
    """The part's text, decoded from its transfer encoding and charset (guessed when the declared one is wrong)."""
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError):
        pass  # unknown or wrong charset label: decode the raw bytes ourselves
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return ""
    try:
        return decode(payload)[0]
    except UnsupportedFile:
        return ""


def _attachment_names(message: Message, body: Message | None) -> list[str]:
    names: list[str] = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        try:
            name = part.get_filename()
        except Exception:
            continue
        if name and " ".join(name.split()) not in names:
            names.append(" ".join(name.split()))
    return names
