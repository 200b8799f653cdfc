"""Real containers built by the tests: mails with PDF, Word and Excel attachments, zips (nested, hostile), mailboxes.

Everything is written by real libraries (fpdf2, python-docx, openpyxl, the standard library's email,
mailbox and zipfile), so the readers see what a mail program or an archiver writes."""

from __future__ import annotations

import io
import mailbox
import zipfile
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import docx
import openpyxl
from fpdf import FPDF

PDF = ("application", "pdf")
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ZIP = ("application", "zip")


def pdf_bytes(*pages: str) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(text: str) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], encrypted: tuple[str, ...] = ()) -> bytes:
    """A zip of `members`; those named in `encrypted` carry the encryption flag (as a password-protected one)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = out.getvalue()
    for name in encrypted:  # set bit 0 of the general purpose flags, in the local and the central header
        encoded = name.encode()
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at != -1:
                name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                if data[name_at:name_at + len(encoded)] == encoded:
                    flags = int.from_bytes(data[at + offset:at + offset + 2], "little") | 1
                    data = data[:at + offset] + flags.to_bytes(2, "little") + data[at + offset + 2:]
                at = data.find(signature, at + 4)
    return data


def zip_bomb() -> bytes:
    """One member of 30 MB of zeros: ~30 KB compressed, a thousand times its size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.txt", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


def nested_zips(depth: int, text: str) -> bytes:
    """A zip in a zip ... `depth` levels, the text file in the innermost one."""
    data = zip_bytes({"bottom.txt": text.encode()})
    for level in range(depth - 1):
        data = zip_bytes({f"level{depth - 1 - level}.zip": data})
    return data


def mail(subject: str, body: str, attachments: dict[str, tuple[tuple[str, str], bytes]] = {},
         sender: str = "A. Ortiz <a.ortiz@example.com>", day: float = 1739527200.0) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = "me@example.com"
    message["Date"] = formatdate(day)
    message.set_content(body)
    for name, ((main, sub), data) in attachments.items():
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message


def numbered_mail(n: int) -> EmailMessage:
    """Message `n` of a test mailbox: a body and a PDF whose sentence names `n` in words only it has."""
    return mail(f"Matter {n}", f"Cover note {n}.",
                {f"exhibit-{n}.pdf": (PDF, pdf_bytes(f"Exhibit {n}: the weathervane{n} points north."))},
                day=1739527200.0 + 86400 * n)


def append_messages(path: Path, numbers: range) -> None:
    box = mailbox.mbox(str(path))
    try:
        for n in numbers:
            box.add(numbered_mail(n))
        box.flush()
    finally:
        box.close()


def mailbox_in(tmp_path: Path, numbers: range) -> Path:
    """A folder `docs` holding `inbox.mbox` with the messages `numbers`; returns the mailbox."""
    docs = tmp_path / "docs"
    docs.mkdir()
    append_messages(docs / "inbox.mbox", numbers)
    return docs / "inbox.mbox"
