"""A guard and a fallback for HTML that would make the real parser crawl.

lexbor follows the HTML standard, which makes opening a block element cost
time proportional to how many elements are open: 100,000 nested <div>s take
about 15 seconds to parse, a quadratic trap for one hostile or generated page.
`nesting_cost` estimates that work with a linear scan of the tags; above the
budget the page is read by `flat_paragraphs` instead, which strips tags
without building a tree. The text survives; only heading structure is lost.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from html import unescape

# ~20,000 nested blocks, about 0.4 s of parsing; ordinary pages score well under 10^6.
MAX_NESTING_COST = 200_000_000

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
# Elements that never nest (void) or are closed implicitly by their next sibling.
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "rt", "rp", "html", "head", "body",
})
_HIDDEN = ("script", "style", "noscript", "template", "title")
_BREAK = re.compile(
    r"<(?:br|/?(?:p|div|h[1-6]|li|tr|ul|ol|dl|dt|dd|table|section|article|header|footer|"
    r"blockquote|pre|main|nav|aside|figure|figcaption|hr|form))\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH = re.compile(r"\n\s*\n")
_TITLE = re.compile(r"<title\b[^>]*>([^<]*)<", re.IGNORECASE)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def nesting_cost(markup: str) -> int:
    """Sum, over every opening tag, of how many elements are open at that point."""
    depth = cost = 0
    for m in _TAG.finditer(markup):
        name = m.group(2).lower()
        if name in _FLAT:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3):
            cost += depth
            depth += 1
    return cost


def flat_title(markup: str) -> str | None:
    m = _TITLE.search(markup)
    if m is None:
        return None
    return " ".join(unescape(m.group(1)).split()) or None


def flat_paragraphs(markup: str) -> Iterator[str]:
    """Visible text in paragraphs, split at block tags; tags themselves dropped."""
    text = _BREAK.sub("\n\n", _without_hidden(markup))
    text = unescape(_ANY_TAG.sub(" ", text))
    for block in _PARAGRAPH.split(text):
        paragraph = " ".join(block.split())
        if paragraph:
            yield paragraph


def _without_hidden(markup: str) -> str:
    """Drop comments and script/style blocks in one pass (a regex with .*? goes quadratic when unclosed)."""
    lower = _lower(markup)
    openers = {name: lower.find("<" + name) for name in ("!--", *_HIDDEN)}
    keep: list[str] = []
    pos = 0
    while True:
        for name, at in openers.items():
            if 0 <= at < pos:
                openers[name] = lower.find("<" + name, pos)
        found = [(at, name) for name, at in openers.items() if at >= 0]
        if not found:
            keep.append(markup[pos:])
            return "".join(keep)
        start, name = min(found)
        keep.append(markup[pos:start])
        end = lower.find("-->" if name == "!--" else f"</{name}", start + 1)
        if end == -1:
            return "".join(keep)
        close_end = lower.find(">", end)
        pos = len(markup) if close_end == -1 else close_end + 1


def _lower(markup: str) -> str:
    """`markup` in lower case for finding tags, character for character: its offsets are the markup's.

    str.lower turns a few letters into two characters (Turkish "İ" into "i" and
    a combining dot), which shifted every offset after them: a page's text was
    cut in the wrong places and script source leaked into it. Such pages are
    lower-cased in ASCII only, which is all a tag name needs.
    """
    lower = markup.lower()
    return lower if len(lower) == len(markup) else markup.translate(_ASCII_LOWER)
