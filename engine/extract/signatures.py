"""The first bytes that say what a file is, whatever its name: kept apart from the readers so
that the dispatcher can sniff without importing any of them."""

ZIP = b"PK\x03\x04"  # Office 2007+, OpenDocument, EPUB
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003, Outlook .msg, any password-protected Office file
RTF = b"{\\rtf"
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"
PDF = b"%PDF-"

# Fields of which a message's header carries several, and a note or a source file rarely two at its top.
_MAIL_FIELDS = frozenset({
    b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"received", b"return-path", b"mime-version",
    b"delivered-to", b"reply-to", b"in-reply-to", b"references", b"content-type", b"x-mailer", b"sender",
})
_MAIL_HEAD_BYTES = 64 * 1024


def looks_like_mail(data: bytes) -> bool:
    """Whether `data` opens with RFC 822 headers (a Maildir message, a saved mail without .eml).

    Such a file read as plain text would index its base64 attachments as thousands of passages of noise.
    Every line up to the first empty one must be a header field or its continuation, with at least two
    of the fields mail has."""
    head = data[:_MAIL_HEAD_BYTES].replace(b"\r\n", b"\n")
    end = head.find(b"\n\n")
    if end < 0:
        return False
    lines = head[:end].split(b"\n")
    if lines[0].startswith(b"From "):  # the separator line a mailbox keeps in front of each message
        lines = lines[1:]
    fields: set[bytes] = set()
    for number, line in enumerate(lines):
        if line[:1] in (b" ", b"\t") and number:
            continue
        name, colon, _ = line.partition(b":")
        if not colon or not name or any(c <= 32 or c > 126 for c in name):
            return False
        fields.add(name.lower())
    return len(fields & _MAIL_FIELDS) >= 2
