"""The shape every extractor returns, whatever the file format.

One flat text with offsets (rather than a tree per format) is what the chunker,
the index and the snippets all work on: a search hit is a character span of
`Document.text`, and pages and headings are only spans and markers over it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpan:
    """One page of a paged document, so a hit can say "page 12"."""

    number: int  # 1-based page number
    start: int  # character offsets in Document.text
    end: int
    # Set when the page's text was read from a picture by OCR: Tesseract's mean word confidence (0-100),
    # so a result can say "read from a scan" and warn where the reading is unsure. None: a text layer.
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Heading:
    """Where a section starts, so a chunk can carry the heading path it sits under."""

    start: int  # character offset in Document.text where the section starts
    level: int  # 1 = top level
    text: str


@dataclass(frozen=True)
class Document:
    text: str  # the whole extracted text, paragraphs separated by blank lines
    kind: str  # "text", "markdown", "code", "html", "pdf", "docx", "email", "msg", "mbox", "pptx", "xlsx", ...
    title: str | None
    pages: tuple[PageSpan, ...] = ()  # only for paged formats (PDF)
    headings: tuple[Heading, ...] = ()
    encoding: str | None = None  # detected text encoding, for text-based formats
    # Some of the file's text is missing: a safety limit was reached (see
    # engine.extract.limits) or part of the file could not be read. Whatever was
    # read is still worth indexing; the flag lets the indexer say it is partial.
    truncated: bool = False
    gap: str | None = None  # what is missing and why, when the reader knows ("pages 3-7 are pictures ...")
    # What the file encloses, each read as a file of its own type: a mail's attachments, an archive's
    # members (engine.extract.members). Flattened: a member of a zip attached to a mail is one of these too.
    members: tuple[Member, ...] = ()


@dataclass(frozen=True)
class Member:
    """A sub-document as the index keeps it: a row of its own under its container's."""

    inner: str  # its path inside the top container; nested containers joined by SEPARATOR
    status: str  # "indexed", "empty", "skipped" or "error", as a file's
    size: int
    document: "Document | None" = None
    error: str | None = None
    location: str | None = None
