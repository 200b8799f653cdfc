"""HTML: the text a reader sees, in paragraphs, with h1-h6 as sections.

The tree is walked with an explicit loop (first child, next sibling, parent)
instead of recursion, because a hostile or broken page can nest thousands of
elements and Python's recursion limit is a thousand (pages nested so deeply
that parsing itself would crawl are read by html_flat instead, and long
drop-down lists lose their options first, see there). Scripts, styles
and other non-visible content are skipped; block elements end paragraphs so
the chunker can follow the page's own structure. Whitespace is collapsed as a
browser does, so indentation inside <pre> is not kept. Given a deadline (an
e-book's chapter of a hundred thousand paragraphs), the walk stops when it
passes, keeping the paragraphs read.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.encoding import decode
from engine.extract.html_flat import MAX_NESTING_COST, flat_paragraphs, flat_title, nesting_cost, without_long_lists
from engine.extract.limits import past

_SKIP = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
    "canvas", "audio", "video", "select", "meta", "link",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "tfoot", "thead", "ul",
})
_HEADING = {f"h{n}": n for n in range(1, 7)}
_CELL = frozenset({"td", "th"})
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
PAGE_OUT_OF_TIME = "the rest of the page was not read in the time allowed"
_CHECK_EVERY = 1000  # nodes (or flat paragraphs) between looks at the clock: about a millisecond


def extract_html(data: bytes, deadline: float | None = None) -> Document:
    """`deadline` (a time.monotonic() value): a huge page (a chat or mail export) keeps what was read by then."""
    text, encoding = decode(data, meta_charset(data))
    builder = TextBuilder()
    title, late = html_into(builder, text, deadline)
    return builder.build("html", title, encoding, gap=PAGE_OUT_OF_TIME if late else None)


def meta_charset(data: bytes) -> str | None:
    """The charset a page names in its <meta>, looked for only where browsers look (the first 1024 bytes)."""
    declared = _META_CHARSET.search(data[:1024])
    return declared.group(1).decode("ascii") if declared else None


def html_into(builder: TextBuilder, markup: str, deadline: float | None = None) -> tuple[str | None, bool]:
    """Append the page's paragraphs and headings to `builder`; returns its title (<title>, else first h1)
    and whether `deadline` (a time.monotonic() value) passed before the page's end."""
    markup = without_long_lists(markup)
    if nesting_cost(markup) > MAX_NESTING_COST:
        for count, paragraph in enumerate(flat_paragraphs(markup), start=1):
            if builder.full:
                break
            if count % _CHECK_EVERY == 0 and past(deadline):
                return flat_title(markup), True
            builder.paragraph(paragraph)
        return flat_title(markup), False
    walker = _Walker(builder, deadline)
    root = LexborHTMLParser(markup).root
    if root is not None:
        walker.walk(root)
    return walker.title or walker.first_h1, walker.late


class _Walker:
    def __init__(self, builder: TextBuilder, deadline: float | None = None) -> None:
        self.out = builder
        self.late = False  # the deadline passed before the end of the page
        self._deadline = deadline
        self.title: str | None = None
        self.first_h1: str | None = None
        self._buf: list[str] = []
        self._heading_depth = 0
        self._heading_level = 0
        self._pre_depth = 0
        self._row_has_cell = False

    def walk(self, root: LexborNode) -> None:
        """Depth-first, without recursion: enter on the way down, leave on the way up."""
        self._enter(root)
        node = root.first_child
        depth = nodes = 1
        while node is not None and depth > 0 and not self.out.full:
            nodes += 1
            if nodes % _CHECK_EVERY == 0 and past(self._deadline):
                self.late = True
                break
            if node.is_element_node and self._enter(node):
                child = node.first_child
                if child is not None:
                    node, depth = child, depth + 1
                    continue
                self._leave(node.tag or "")
            elif node.is_text_node:
                self._text(node.text_content or "")
            while node is not None:
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                node, depth = node.parent, depth - 1
                if node is None or depth == 0:
                    node = None
                    break
                self._leave(node.tag or "")
        self._leave(root.tag or "")
        self._flush()

    def _enter(self, node: LexborNode) -> bool:
        """Handle an element's start; False means its content is not text (skip it)."""
        tag = node.tag or ""
        if tag in _SKIP:
            return False
        if tag == "title":
            if self.title is None:
                self.title = " ".join(node.text().split()) or None
            return False
        if tag in _HEADING:
            if self._heading_depth == 0:
                self._flush()
                self._heading_level = _HEADING[tag]
            self._heading_depth += 1
        elif tag in _BLOCK:
            self._break()
            if tag == "pre":
                self._pre_depth += 1
        elif tag == "br":
            self._buf.append("\n")
        elif tag == "tr":
            self._buf.append("\n")
            self._row_has_cell = False
        elif tag in _CELL:
            if self._row_has_cell:
                self._buf.append(" | ")
            self._row_has_cell = True
        return True

    def _leave(self, tag: str) -> None:
        if tag in _HEADING and self._heading_depth > 0:
            self._heading_depth -= 1
            if self._heading_depth == 0:
                text = " ".join("".join(self._buf).split())
                self._buf = []
                if text:
                    self.out.heading(text, self._heading_level)
                    if self._heading_level == 1 and self.first_h1 is None:
                        self.first_h1 = text
        elif tag in _BLOCK:
            self._break()
            if tag == "pre":
                self._pre_depth -= 1

    def _text(self, text: str) -> None:
        self._buf.append(text if self._pre_depth > 0 else _SPACE.sub(" ", text))

    def _break(self) -> None:
        """A block boundary ends the paragraph, except inside a heading (whose text goes on)."""
        if self._heading_depth == 0:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        lines = (" ".join(line.split()) for line in "".join(self._buf).split("\n"))
        self._buf = []
        self.out.paragraph("\n".join(line for line in lines if line))
