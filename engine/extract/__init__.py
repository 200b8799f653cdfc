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
from collections.abc import Callable
from pathlib import Path

from engine.errors import UnsupportedFile
from engine.extract.clean import clean_document
from engine.extract.document import Document, Heading, PageSpan
from engine.extract.files import read_limited
from engine.extract.kinds import describe_suffix, kind_for
from engine.extract.signatures import OLE, RTF, ZIP, looks_like_mail

__all__ = ["READER_VERSIONS", "Document", "Heading", "PageSpan", "extract", "is_supported", "reader_version"]

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
    "email": 2,  # bodies and headers with a missing or wrong charset
    "pptx": 2,  # 2: also .pptm .ppsx .ppsm .potx .potm
    "xlsx": 2,  # 2: also .xlsm .xltx .xltm
    "mbox": 1,
    # 2 for odf, epub and rtf: a file still being read at the deadline keeps what was read (it was refused,
    # over the time limit); files read in full are read as before. rtf also: a Word 97-2003 file named .rtf
    # is told to rename it .doc, now read
    "odf": 2,
    "epub": 2,
    "rtf": 3,  # 3: a fragment without the {\rtf1 header is read
    "msg": 1,
    # 3: also .dot; 2: its headings ("heading N" styles, outline levels) are the sections its passages carry;
    # 1: first read
    "doc": 3,
    "xls": 2,  # 2: also .xlt and .xla; 1: before, not read
    "image": 1,  # before: not read (OCR)
    "gnumeric": 1,  # before: not read
    "fb2": 1,  # before: not read
    "ppt": 1,  # before: not read
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


def extract(path: Path, max_bytes: int, deadline: float | None = None) -> Document:
    """The text of `path`; raises ExtractionError (or UnsupportedFile) with a reason fit for the user.

    `deadline` (a time.monotonic() value) ends the reading of a PDF, a spreadsheet, a mailbox,
    an OpenDocument file, an e-book, an RTF document or a web page early, with what was read so far marked
    incomplete: the formats that run to thousands of pages, rows, messages or chapters.

    What every reader returns passes one boundary here: code points that are not text (a lone
    surrogate, NUL, a non-character) become U+FFFD (engine.extract.clean)."""
    return clean_document(_read(path, max_bytes, deadline))


def _read(path: Path, max_bytes: int, deadline: float | None) -> Document:
    kind = kind_for(path)
    if kind is None:
        raise UnsupportedFile(f"unsupported file type {describe_suffix(path)}")
    data = read_limited(path, max_bytes)
    if not data:
        return Document(text="", kind=kind, title=None)
    reader = _reader_for(kind, data)
    if reader == "pdf" or reader in _WITH_DEADLINE:
        document = _extractor(reader)(data, deadline)
    else:
        document = _extractor(reader)(data)
    return document if reader == kind else dataclasses.replace(document, kind=kind)


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
