"""FictionBook e-books (.fb2): one XML file, common for books in Russian and other Eastern European languages.

The book's title comes from its description; each body's sections nest, and a
section's title is a heading at its depth, so a passage carries the chapter it
is in. Paragraphs, poems, epigraphs, citations and table cells are text; the
binary elements (pictures, base64) are not. A second body (notes) follows
the main one, as an e-book's notes follow its chapters.
"""

from __future__ import annotations

from lxml import etree

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.zipped import SAFE_XML

DAMAGED = "damaged FictionBook file: not a valid .fb2 e-book"
_MAX_LEVEL = 6
# Elements whose text is one paragraph of the book
_BLOCKS = frozenset({"p", "v", "subtitle", "text-author", "td", "th"})


def extract_fb2(data: bytes) -> Document:
    try:
        root = etree.fromstring(data, SAFE_XML)
    except etree.XMLSyntaxError:
        raise ExtractionError(DAMAGED) from None
    if _name(root) != "FictionBook":
        raise ExtractionError(DAMAGED)
    builder = TextBuilder()
    for body in _children(root, "body"):
        _into(builder, body, level=1)
    return builder.build("fb2", _book_title(root))


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _name(child) == name]


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _book_title(root: etree._Element) -> str | None:
    for description in _children(root, "description"):
        for info in _children(description, "title-info"):
            for title in _children(info, "book-title"):
                return _text(title) or None
    return None


def _into(builder: TextBuilder, element: etree._Element, level: int) -> None:
    """Add the element's text: a title as a heading at `level`, sections one level down."""
    for child in element:
        if builder.full:
            return
        name = _name(child)
        if name == "title":
            builder.heading(" ".join(_text(p) for p in child if _name(p) == "p") or _text(child), level)
        elif name == "section":
            _into(builder, child, min(level + 1, _MAX_LEVEL))
        elif name in _BLOCKS:
            builder.paragraph(_text(child))
        elif name and name != "image":
            _into(builder, child, level)  # poem, stanza, epigraph, cite, table, tr: their blocks are inside
