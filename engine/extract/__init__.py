"""Text extraction for indexing: one entry point, one module per file format.

`is_supported` is the cheap question the folder scan asks of every file;
`extract` does the work and either returns a Document or raises an
ExtractionError (UnsupportedFile for files Cairn does not read) whose message
is a short reason for the user. Reasons never contain the file's content:
they are written to logs and shown in the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from engine.errors import UnsupportedFile
from engine.extract.document import Document, Heading, PageSpan
from engine.extract.docx import extract_docx
from engine.extract.files import read_limited
from engine.extract.html import extract_html
from engine.extract.kinds import describe_suffix, kind_for
from engine.extract.mail import extract_email
from engine.extract.markdown import extract_markdown
from engine.extract.pdf import extract_pdf
from engine.extract.text import extract_text

__all__ = ["Document", "Heading", "PageSpan", "extract", "is_supported"]

_EXTRACTORS: dict[str, Callable[[bytes], Document]] = {
    "text": partial(extract_text, kind="text"),
    "code": partial(extract_text, kind="code"),
    "markdown": extract_markdown,
    "html": extract_html,
    "pdf": extract_pdf,
    "docx": extract_docx,
    "email": extract_email,
}


def is_supported(path: Path) -> bool:
    """Decided by the name alone: no disk access, so the scan stays fast."""
    return kind_for(path) is not None


def extract(path: Path, max_bytes: int) -> Document:
    """The text of `path`; raises ExtractionError (or UnsupportedFile) with a reason fit for the user."""
    kind = kind_for(path)
    if kind is None:
        raise UnsupportedFile(f"unsupported file type {describe_suffix(path)}")
    data = read_limited(path, max_bytes)
    if not data:
        return Document(text="", kind=kind, title=None)
    return _EXTRACTORS[kind](data)
