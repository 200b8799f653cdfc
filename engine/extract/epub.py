"""EPUB e-books: the chapters in reading (spine) order, read by the HTML reader.

An EPUB is a zip: META-INF/container.xml names the package document (.opf),
whose manifest lists the files and whose spine gives their reading order. Each
chapter is XHTML, so its paragraphs and h1-h6 headings come from the same code
as web pages. A chapter without a heading of its own gets its entry in the
book's table of contents (EPUB 3 nav document or EPUB 2 NCX) as its heading, so
its passages still say which chapter they are in. The title is the book's
(dc:title), not a chapter's. A book still being read when the reader's time is
nearly spent (`deadline`) keeps the chapters read, marked partial.

DRM-protected books are zips too, with their chapters encrypted: that is
declared in META-INF/encryption.xml. Fonts are often "encrypted" there as
well (obfuscated, a licensing measure that leaves the text readable), so only
encrypted chapters make a book "protected".
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from urllib.parse import unquote, urldefrag

from lxml import etree

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.encoding import decode
from engine.extract.html import html_into, meta_charset
from engine.extract.limits import past
from engine.extract.zipped import open_checked, read_xml

DAMAGED = "damaged e-book: not a valid .epub file"
PROTECTED = "DRM-protected e-book: Cairn cannot read its chapters"
BOMB = "e-book refused: it would expand to {what} (possible zip bomb)"
CHAPTERS_OUT_OF_TIME = "the last {unread} of {total} chapters were not read in the time allowed"
CHAPTER_OUT_OF_TIME = "the rest of chapter {chapter} of {total} was not read in the time allowed"
REST_OUT_OF_TIME = ("the rest of chapter {chapter} and the last {unread} of {total} chapters were not read"
                    " in the time allowed")

_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_ENC = "{http://www.w3.org/2001/04/xmlenc#}"
_HAS_HEADING = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
_XML_ERRORS = (etree.LxmlError, zipfile.BadZipFile, OSError, ValueError, EOFError)


def extract_epub(data: bytes, deadline: float | None = None) -> Document:
    """`deadline` (a time.monotonic() value): a book of many long chapters keeps those read by then."""
    archive = open_checked(data, DAMAGED, BOMB)
    with archive:
        try:
            package_path = _package_path(archive)
            package = read_xml(archive, package_path)
            if package is None:
                raise ExtractionError(DAMAGED)
            base = posixpath.dirname(package_path)
            items = {item.get("id"): item for item in package.iter(f"{_OPF}item")}
            chapters = [_member(base, items[ref.get("idref")].get("href", ""))
                        for ref in package.iter(f"{_OPF}itemref") if ref.get("idref") in items]
            if _encrypted(archive, chapters):
                raise ExtractionError(PROTECTED)
            titles = _table_of_contents(archive, package, items, base)
            title_element = package.find(f".//{_DC}title")
            book_title = None if title_element is None else "".join(title_element.itertext())
        except ExtractionError:
            raise
        except (*_XML_ERRORS, KeyError, AttributeError):
            raise ExtractionError(DAMAGED) from None
        builder = TextBuilder()
        gap = _chapters_into(builder, archive, list(dict.fromkeys(chapters)), titles, deadline)
    return builder.build("epub", book_title, gap=gap)


def _chapters_into(builder: TextBuilder, archive: zipfile.ZipFile, chapters: list[str], titles: dict[str, str],
                   deadline: float | None) -> str | None:
    """Read the chapters (each file once) until the end, the text limit or the deadline; then what was left out."""
    total = len(chapters)
    for number, name in enumerate(chapters, start=1):
        if builder.full:
            break
        if number > 1 and past(deadline):
            return CHAPTERS_OUT_OF_TIME.format(unread=total - number + 1, total=total)
        markup = _chapter(archive, name)
        if markup is None:
            continue
        if name in titles and not _HAS_HEADING.search(markup):
            builder.heading(titles[name], 1)
        _, late = html_into(builder, markup, deadline)
        if late:
            rest = REST_OUT_OF_TIME if number < total else CHAPTER_OUT_OF_TIME
            return rest.format(chapter=number, unread=total - number, total=total)
    return None


def _chapter(archive: zipfile.ZipFile, name: str) -> str | None:
    """The chapter's markup; None for one the zip lacks or cannot inflate, or binary where a chapter should be:
    the other chapters are still worth reading."""
    try:
        raw = archive.read(name)
        return decode(raw, meta_charset(raw))[0]
    except (KeyError, ExtractionError, *_XML_ERRORS):
        return None


def _member(base: str, href: str) -> str:
    """The zip member an href (relative to the package document, maybe %-escaped, maybe with #part) names."""
    return posixpath.normpath(posixpath.join(base, unquote(urldefrag(href)[0]))).lstrip("/")


def _package_path(archive: zipfile.ZipFile) -> str:
    container = read_xml(archive, "META-INF/container.xml")
    rootfile = None if container is None else container.find(f".//{_CONTAINER}rootfile")
    if rootfile is not None and rootfile.get("full-path"):
        return unquote(rootfile.get("full-path", ""))
    opf = [name for name in archive.namelist() if name.lower().endswith(".opf")]
    if len(opf) != 1:
        raise ExtractionError(DAMAGED)
    return opf[0]


def _encrypted(archive: zipfile.ZipFile, chapters: list[str]) -> bool:
    encryption = read_xml(archive, "META-INF/encryption.xml")
    if encryption is None:
        return False
    encrypted = {unquote(ref.get("URI", "")).lstrip("/") for ref in encryption.iter(f"{_ENC}CipherReference")}
    return any(chapter in encrypted for chapter in chapters)


def _table_of_contents(archive: zipfile.ZipFile, package: etree._Element,
                       items: dict[str | None, etree._Element], base: str) -> dict[str, str]:
    """Chapter file -> its first title in the table of contents; {} when the book has none readable."""
    titles: dict[str, str] = {}
    try:
        nav = next((item for item in items.values() if "nav" in (item.get("properties") or "").split()), None)
        spine = package.find(f"{_OPF}spine")
        ncx = items.get(spine.get("toc")) if spine is not None else None
        if nav is not None:
            nav_path = _member(base, nav.get("href", ""))
            document = read_xml(archive, nav_path)
            links = [] if document is None else document.iter(f"{_XHTML}a")
            entries = [(link.get("href", ""), "".join(link.itertext())) for link in links]
            where = posixpath.dirname(nav_path)
        elif ncx is not None:
            ncx_path = _member(base, ncx.get("href", ""))
            document = read_xml(archive, ncx_path)
            points = [] if document is None else document.iter(f"{_NCX}navPoint")
            entries = [(_attr(point.find(f"{_NCX}content"), "src"),
                        "".join(point.find(f"{_NCX}navLabel").itertext()) if point.find(f"{_NCX}navLabel") is not None
                        else "") for point in points]
            where = posixpath.dirname(ncx_path)
        else:
            return titles
        for href, label in entries:
            label = " ".join(label.split())
            if href and label:
                titles.setdefault(_member(where, href), label)
    except (*_XML_ERRORS, KeyError):
        return {}  # the table of contents only adds headings: a broken one is not worth refusing the book
    return titles


def _attr(element: etree._Element | None, name: str) -> str:
    return "" if element is None else element.get(name, "")
