"""Which files Cairn tries to read, decided from the name alone.

The folder scan asks this for every file, so it must not touch the disk. A
file without an extension (README, Makefile, notes) is tried as text; its
content decides later whether it really is.
"""

from __future__ import annotations

import re
from pathlib import PurePath

_TEXT = (
    "txt text rst org tex bib csv tsv log json jsonl ndjson yaml yml toml ini cfg conf properties "
    "srt vtt adoc asciidoc textile nfo"
)
_MARKDOWN = "md markdown mdown mkd mdx"
_CODE = (
    "py pyi pyw js mjs cjs ts tsx jsx java c h cc cpp cxx hpp hh hxx cs go rs rb php swift kt kts "
    "scala sc sh bash zsh fish ps1 psm1 bat cmd sql r m mm lua pl pm hs lhs ml mli fs fsx css scss "
    "sass less xml xsl xslt xsd vue svelte dart ex exs erl hrl clj cljs edn groovy gradle f f90 f95 "
    "jl nim zig v vim el lisp scm rkt tf hcl proto graphql gql cmake mk dockerfile asm s d pas cob "
    "ada sol"
)
_BY_EXTENSION: dict[str, str] = {
    **{f".{e}": "text" for e in _TEXT.split()},
    **{f".{e}": "markdown" for e in _MARKDOWN.split()},
    **{f".{e}": "code" for e in _CODE.split()},
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf",
    # the macro-enabled and template variants of Office Open XML are the same packages (engine.extract.zipped)
    **{f".{e}": "docx" for e in "docx docm dotx dotm".split()},
    ".eml": "email",
    **{f".{e}": "pptx" for e in "pptx pptm ppsx ppsm potx potm".split()},
    **{f".{e}": "xlsx" for e in "xlsx xlsm xltx xltm".split()},
    ".mbox": "mbox",
    ".odt": "odf", ".ods": "odf", ".odp": "odf",
    ".epub": "epub",
    ".fb2": "fb2",
    ".gnumeric": "gnumeric",
    ".rtf": "rtf",
    ".msg": "msg",
    # archives, read member by member (engine.extract.archive): the format is told by the first bytes
    **{f".{e}": "archive" for e in "zip tar tgz gz tbz2 bz2 txz xz 7z".split()},
    **{f".{e}": "ppt" for e in "ppt pps pot".split()},  # PowerPoint 97-2003: presentations, shows, templates
    ".doc": "doc", ".dot": "doc",  # a Word 97-2003 template is a Word 97-2003 document
    ".xls": "xls", ".xlt": "xls", ".xla": "xls",  # as are Excel 97-2003 templates and add-ins
    # pictures: scans, faxes and photos of documents, read by OCR (engine.extract.images)
    **{f".{e}": "image" for e in "png jpg jpeg jpe tif tiff bmp webp heic heif".split()},
}
_CODE_NAMES = frozenset({
    "makefile", "gnumakefile", "dockerfile", "containerfile", "rakefile", "gemfile", "vagrantfile",
    "jenkinsfile", "procfile", "justfile",
})


# What follows the last dot of a Maildir message's name (`1354585346.000261:2,`, `….host,S=1234:2,S`), of a
# numbered copy (`notes.1`) is no extension: such files are tried as text, and a text
# file that starts with mail headers is read as e-mail (engine.extract sniffs it).
_NO_EXTENSION = re.compile(r"\.(\d+|.*[:,].*)")


def kind_for(path: PurePath) -> str | None:
    """The Document kind a file would get, or None if Cairn does not read such files."""
    suffix = path.suffix.lower()
    if suffix and not _NO_EXTENSION.fullmatch(suffix):
        return _BY_EXTENSION.get(suffix)
    return "code" if path.name.lower() in _CODE_NAMES else "text"


# What a file's pages are called where they are not pages, so a result says which one to open.
_PAGE_WORDS: dict[str, str] = {
    "pptx": "slide",
    "ppt": "slide",
    "odf": "slide",  # of OpenDocument files only presentations (.odp) have pages
}


def page_label(path: str | PurePath, number: int) -> str:
    """ "page 12", or "slide 12" for a presentation: what the user looks for in the file it opens."""
    return f"{_PAGE_WORDS.get(kind_for(PurePath(path)) or '', 'page')} {number}"


def place_label(path: str, page: int | None = None, location: str | None = None) -> str:
    """Where a passage is, for a person: "report.pdf, page 3" for a file, and for a sub-document
    "contract-signed.pdf, page 3 — attached to 'Re: Lease renewal' from A. Ortiz, 14 Feb 2025, in lease-2025.msg"."""
    container, separator, inner = path.partition("//")  # engine.extract.enclosed.SEPARATOR
    name = PurePath(inner.rsplit("//", 1)[-1] if separator else path).name or path
    label = name + (f", {page_label(name, page)}" if page else "")
    if not separator:
        return label
    return f"{label} — " + (f"{location}, " if location else "") + f"in {PurePath(container).name}"


def container_of(path: str) -> str | None:
    """The file on disk that holds the sub-document at `path`; None for a file on disk itself."""
    container, separator, _ = path.partition("//")  # engine.extract.enclosed.SEPARATOR
    return container if separator else None


# Below this mean word confidence an OCR reading is shown with its number: words may be misread, so a
# missed keyword search is no proof the words are not on the page (Tesseract: clean typed pages 90+).
LOW_OCR_CONFIDENCE = 80.0


def scan_label(ocr_confidence: float | None) -> str | None:
    """ "read from a scan", with the confidence where it is low; None for typed text (clients show nothing)."""
    if ocr_confidence is None:
        return None
    if ocr_confidence < LOW_OCR_CONFIDENCE:
        return f"read from a scan, OCR {ocr_confidence:.0f}% sure"
    return "read from a scan"


def describe_suffix(path: PurePath) -> str:
    return path.suffix.lower() or "(none)"


def extensions_by_kind() -> dict[str, tuple[str, ...]]:
    """Every extension Cairn reads, grouped by Document kind (for file-type filters in clients)."""
    grouped: dict[str, list[str]] = {}
    for extension, kind in _BY_EXTENSION.items():
        grouped.setdefault(kind, []).append(extension)
    return {kind: tuple(sorted(extensions)) for kind, extensions in grouped.items()}
