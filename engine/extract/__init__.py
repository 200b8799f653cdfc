"""Text extraction for indexing: one entry point, one module per file format.

`is_supported` is the cheap question the folder scan asks of every file;
`extract` does the work and either returns a Document or raises an
ExtractionError (UnsupportedFile for files Cairn does not read) whose message
is a short reason for the user. Reasons never contain the file's content:
they are written to logs and shown in the UI.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from engine.errors import ExtractionError, UnsupportedFile
from engine.extract.clean import clean_document
from engine.extract.document import Document, Heading, Member, PageSpan
from engine.extract.enclosed import SEPARATOR, Enclosed, split_member_path, unsafe_name
from engine.extract.files import os_reason, read_limited, read_span, size_reason
from engine.extract.mailbox import message_of_mailbox, message_spans
from engine.extract.kinds import describe_suffix, kind_for
from engine.extract.members import CONTAINERS, read_members
from engine.extract.signatures import OLE, PDF, RTF, ZIP, looks_like_mail

__all__ = ["READER_VERSIONS", "Document", "Heading", "PageSpan", "extract", "extract_message", "is_supported", "member_bytes",
           "reader_version"]

# Format modules are imported on first use: pypdf, python-docx and lxml cost ~0.2 s of
# start-up, and only the extraction worker process ever needs them (not `cairn search`).
_EXTRACTORS: dict[str, tuple[str, str]] = {
    "text": ("text", "extract_plain_text"),
    "code": ("text", "extract_code"),
    "markdown": ("markdown", "extract_markdown"),
    "html": ("html", "extract_html"),
    "pdf": ("pdf", "extract_pdf"),
    "docx": ("docx", "extract_docx"),
    "email": ("mail", "extract_email"),
    "pptx": ("pptx", "extract_pptx"),
    "xlsx": ("xlsx", "extract_xlsx"),
    "mbox": ("mbox", "extract_mbox"),
    "odf": ("odf", "extract_odf"),
    "epub": ("epub", "extract_epub"),
    "rtf": ("rtf", "extract_rtf"),
    "msg": ("msg", "extract_msg"),
    "doc": ("doc", "extract_doc"),
    "xls": ("xls", "extract_xls"),
    "image": ("images", "extract_image"),
    "gnumeric": ("gnumeric", "extract_gnumeric"),
    "fb2": ("fb2", "extract_fb2"),
    "ppt": ("ppt", "extract_ppt"),
    "archive": ("archive", "extract_archive"),
}
# What containers enclose (engine.extract.members): each kind's function from (bytes, size limit) to its items.
_ENCLOSERS: dict[str, tuple[str, str]] = {
    "email": ("mail", "enclosed_email"),
    "msg": ("msg", "enclosed_msg"),
    "mbox": ("mbox", "enclosed_mbox"),
    "archive": ("archive", "enclosed_archive"),
}
# Readers of files that can take long to read (huge sheets, mailboxes of many thousand messages, long books
# and documents): given the deadline, they keep what they read by then, marked partial, rather than being
# stopped with nothing.
_WITH_DEADLINE = frozenset({"html", "xlsx", "xls", "mbox", "odf", "epub", "rtf", "image", "gnumeric"})

# Raise a kind's number when its reader finds more or other text (or a better reason for failing):
# files of that kind read by an older one are read again on the next pass, unchanged ones
# included, and only passages whose text changed are embedded again. Indexes made before
# these numbers were kept count as read by version 1.
READER_VERSIONS: dict[str, int] = {
    # 3: a file without extension (or named like a Maildir message, `1354585346.000261:2,`) that opens with
    # mail headers is read as e-mail (its attachments were passages of base64)
    "text": 3,  # 2: Windows-1252 preferred over look-alike code pages; UTF-16 without a byte-order mark
    "code": 2,
    "markdown": 2,
    # 3: a page still being read at the deadline keeps what was read (it was refused, over the time limit);
    # 2: as text, and pages with long drop-down lists (they were over the time limit)
    "html": 3,
    # 4: pages in fonts without a Unicode map (glyph codes, not text) are named in the gap, not indexed;
    # 3: running headers and footers kept once, words hyphenated across pages;
    # 2: ligatures, line-end hyphens, form fields, notes
    "pdf": 4,
    # 3: also .docm .dotx .dotm; 2: tracked insertions, content controls, fields; long documents (were over
    # the time limit)
    "docx": 3,
    # email 3, msg 2, mbox 2: attachments are read as documents of their own (were named only)
    "email": 3,  # 2: bodies and headers with a missing or wrong charset
    "pptx": 2,  # 2: also .pptm .ppsx .ppsm .potx .potm
    "xlsx": 2,  # 2: also .xlsm .xltx .xltm
    "mbox": 2,
    # 2 for odf, epub and rtf: a file still being read at the deadline keeps what was read (it was refused,
    # over the time limit); files read in full are read as before. rtf also: a Word 97-2003 file named .rtf
    # is told to rename it .doc, now read
    "odf": 2,
    "epub": 2,
    "rtf": 3,  # 3: a fragment without the {\rtf1 header is read
    "msg": 2,
    # 3: also .dot; 2: its headings ("heading N" styles, outline levels) are the sections its passages carry;
    # 1: first read
    "doc": 3,
    "xls": 2,  # 2: also .xlt and .xla; 1: before, not read
    "image": 1,  # before: not read (OCR)
    "gnumeric": 1,  # before: not read
    "fb2": 1,  # before: not read
    "ppt": 1,  # before: not read
    "archive": 1,  # .zip .tar .tar.gz .7z: before, not read
}


def reader_version(path: Path) -> int:
    """The version of the reader `path` gets now (0 for files Cairn does not read)."""
    kind = kind_for(path)
    return 0 if kind is None else READER_VERSIONS[kind]


def _extractor(kind: str) -> Callable[..., Document]:
    module, name = _EXTRACTORS[kind]
    function: Callable[..., Document] = getattr(importlib.import_module(f"engine.extract.{module}"), name)
    return function


def is_supported(path: Path) -> bool:
    """Decided by the name alone: no disk access, so the scan stays fast."""
    return kind_for(path) is not None


def extract(path: Path | str, max_bytes: int, deadline: float | None = None) -> Document:
    """The text of `path`; raises ExtractionError (or UnsupportedFile) with a reason fit for the user.

    `path` may name a sub-document, "<container>//<path inside>" (engine.extract.enclosed): a str then,
    since a Path would fold the "//". It is read from its container, by the reader for its own type.

    `deadline` (a time.monotonic() value) ends the reading of a PDF, a spreadsheet, a mailbox,
    an OpenDocument file, an e-book, an RTF document or a web page early, with what was read so far marked
    incomplete: the formats that run to thousands of pages, rows, messages or chapters.

    What every reader returns passes one boundary here: code points that are not text (a lone
    surrogate, NUL, a non-character) become U+FFFD (engine.extract.clean)."""
    container, inner = split_member_path(str(path))
    if inner is not None:
        name, data = _member_data(Path(container), inner, max_bytes)
        return clean_document(_read_data(_member_kind(name, data), data, deadline))
    return clean_document(_read(Path(path), max_bytes, deadline))


def extract_message(path: Path, offset: int, length: int, max_bytes: int, deadline: float | None = None) -> Member:
    """One message of a mailbox, `length` bytes at `offset` (engine.indexing.mailbox found where), with its
    attachments as its document's members: a mailbox of any size is read a message at a time."""
    if length > max_bytes:
        return Member("", "error", length, error=size_reason(max_bytes))
    data = read_span(path, offset, length)
    raw, location = message_of_mailbox(data)
    try:
        document = _with_members(_read_data("email", raw, deadline), raw, max_bytes, deadline)
    except ExtractionError as exc:
        return Member("", "error", length, error=str(exc))
    document = clean_document(document)
    status = "indexed" if document.text.strip() else "empty"
    return Member("", status, length, document, None if status == "indexed" else "no text found", location)


def member_bytes(path: str, max_bytes: int) -> bytes:
    """The bytes of the sub-document at `path` ("<container>//<path inside>"), found as indexing found it."""
    container, inner = split_member_path(path)
    if inner is None:
        raise ExtractionError("not a path inside a container")
    return _member_data(Path(container), inner, max_bytes)[1]


def _member_data(container: Path, inner: str, max_bytes: int) -> tuple[str, bytes]:
    """(its name, its bytes): each level of `inner` looked up in the one above, the file on disk first."""
    kind = kind_for(container)
    parts = inner.split(SEPARATOR)
    if kind == "mbox":  # a mailbox of any size: its message found without reading it whole
        name, data, kind, parts = parts[0], _mailbox_message(container, parts[0], max_bytes), "email", parts[1:]
    else:
        name, data = container.name, read_limited(container, max_bytes)
    for part in parts:
        if kind not in CONTAINERS:
            raise ExtractionError(GONE_FROM_CONTAINER)
        item = next((i for i in _enclosed(kind, data, max_bytes) if i.name == part), None)
        if item is None or item.data is None or unsafe_name(part):
            raise ExtractionError(item.refusal if item is not None and item.refusal else GONE_FROM_CONTAINER)
        name, data = part, item.data
        kind = _member_kind(name, data)
    return name, data


def _mailbox_message(path: Path, part: str, max_bytes: int) -> bytes:
    """The bytes of "message N" of the mailbox at `path`, as engine.indexing.mailbox numbers them."""
    number = int(part.removeprefix("message ")) if part.removeprefix("message ").isdigit() else 0
    try:
        with open(path, "rb") as handle:
            span = next(itertools.islice(message_spans(handle, os.fstat(handle.fileno()).st_size), number - 1, None),
                        None) if number > 0 else None
    except OSError as exc:
        raise ExtractionError(os_reason(exc)) from None
    if span is None:
        raise ExtractionError(GONE_FROM_CONTAINER)
    if span[1] > max_bytes:
        raise ExtractionError(size_reason(max_bytes))
    return message_of_mailbox(read_span(path, *span))[0]


GONE_FROM_CONTAINER = "no longer in its container (the container changed since it was indexed)"


def _read(path: Path, max_bytes: int, deadline: float | None) -> Document:
    kind = kind_for(path)
    if kind is None:
        raise UnsupportedFile(f"unsupported file type {describe_suffix(path)}")
    data = read_limited(path, max_bytes)
    return _with_members(_read_data(kind, data, deadline), data, max_bytes, deadline)


def _with_members(document: Document, data: bytes, max_bytes: int, deadline: float | None) -> Document:
    """A container's document with what it holds, each item read by the reader for its own type."""
    if document.kind not in CONTAINERS or not data:
        return document

    def read_member(name: str, member: bytes) -> Document:
        return clean_document(_read_data(_member_kind(name, member), member, deadline))

    def enclose(container: str, member: bytes, limit: int) -> Iterator[Enclosed]:
        return _enclosed(container, member, limit)

    return dataclasses.replace(document, members=read_members(document.kind, data, read_member, enclose,
                                                              max_bytes, deadline))


def _read_data(kind: str, data: bytes, deadline: float | None) -> Document:
    """`data` read by the reader for `kind`, unless its first bytes say it is something else."""
    if not data:
        return Document(text="", kind=kind, title=None)
    reader = _reader_for(kind, data)
    if reader == "pdf" or reader in _WITH_DEADLINE:
        document = _extractor(reader)(data, deadline)
    else:
        document = _extractor(reader)(data)
    return document if reader == kind else dataclasses.replace(document, kind=kind)


def _member_kind(name: str, data: bytes) -> str:
    """A member's kind by its name, or by its first bytes for a PDF named without ".pdf" (mail often does)."""
    kind = kind_for(PurePosixPath(name.replace("\\", "/")))
    if data.startswith(PDF) and kind in (None, "text"):
        return "pdf"
    if kind == "text" and looks_like_mail(data):  # a message of a mailbox, a mail attached without .eml
        return "email"
    if kind is None:
        raise UnsupportedFile(f"unsupported file type {describe_suffix(PurePosixPath(name))}")
    return kind


def _enclosed(kind: str, data: bytes, max_bytes: int) -> Iterator[Enclosed]:
    """What a container of `kind` holds, each item refused if larger than the size limit of a file."""
    module, name = _ENCLOSERS[kind]
    items: Iterator[Enclosed] = getattr(importlib.import_module(f"engine.extract.{module}"), name)(
        *((data, max_bytes) if kind == "archive" else (data,)))
    for item in items:
        if item.data is not None and len(item.data) > max_bytes:
            item = Enclosed(item.name, None, item.location, size_reason(max_bytes), len(item.data))
        yield item


# Office files are often saved under the other generation's name (a web system's ".xls" that is a
# workbook of 2007, Word 97-2003 or a password-protected file under ".docx", RTF saved as ".doc"):
# the first bytes decide which reader reads them, here, so that no reader hands over to another.
_BY_CONTENT: dict[str, tuple[tuple[bytes, str], ...]] = {
    "doc": ((ZIP, "docx"), (RTF, "rtf")),
    "xls": ((ZIP, "xlsx"),),
    "docx": ((OLE, "doc"),),
    "xlsx": ((OLE, "xls"),),
    "ppt": ((ZIP, "pptx"),),
    "pptx": ((OLE, "ppt"),),
}


def _reader_for(kind: str, data: bytes) -> str:
    """The reader for `data`, named `kind` by its suffix: the suffix's own unless the content says otherwise."""
    if kind == "text" and looks_like_mail(data):  # a Maildir message, a mail saved without .eml
        return "email"
    head = data[:64].lstrip() if kind == "doc" else data[:8]  # RTF may follow white space
    for signature, reader in _BY_CONTENT.get(kind, ()):
        if head.startswith(signature):
            return reader
    return kind
