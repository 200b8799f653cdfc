"""Guards and a fallback for HTML that would make the real parser crawl.

lexbor follows the HTML standard, which makes opening a block element cost
time proportional to how many elements are open: 100,000 nested <div>s take
about 15 seconds to parse, a quadratic trap for one hostile or generated page.
It also inserts each <option> of a drop-down list in time proportional to the
options before it: a <select> of 50,000 (every town of a country, a generated
form) took 27 seconds. A drop-down list is not text a reader sees (html.py
skips it), so `without_long_lists` first takes the options out of long lists
that hold nothing else, a change the extracted text cannot show.
`nesting_cost` then estimates the parser's remaining work with a linear scan
of the tags; above the budget the page is read by `flat_paragraphs` instead,
which strips tags without building a tree. The text survives; only heading
structure is lost.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from html import unescape

# ~20,000 nested blocks, about 0.4 s of parsing; ordinary pages score well under 10^6.
MAX_NESTING_COST = 200_000_000
# An option costs lexbor about 10 times what an open element does, per option before it in its list.
OPTION_COST = 10
# Lists longer than this lose their options before parsing (a country list has about 250).
MAX_OPTIONS = 1_000

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
# Elements that never nest (void) or are closed implicitly by their next sibling.
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "rt", "rp", "html", "head", "body",
})
_HIDDEN = ("script", "style", "noscript", "template", "title", "select")
_HIDDEN_START = re.compile(r"<!--|<(%s)[\s/>]" % "|".join(_HIDDEN))  # searched in lower case
_HIDDEN_END = {name: re.compile(rf"</{name}[\s/>]") for name in _HIDDEN}
_BREAK = re.compile(
    r"<(?:br|/?(?:p|div|h[1-6]|li|tr|ul|ol|dl|dt|dd|table|section|article|header|footer|"
    r"blockquote|pre|main|nav|aside|figure|figcaption|hr|form))\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH = re.compile(r"\n\s*\n")
_TITLE = re.compile(r"<title\b[^>]*>([^<]*)<", re.IGNORECASE)
# Where markup is not parsed as tags (raw text, comments): a <select> inside is text, or hidden.
_RAW = ("textarea", "title", "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext")
_SCAN = re.compile(r"<(select|%s)[\s/>]|<!--" % "|".join(_RAW))  # searched in lower case
_END = {name: re.compile(rf"</{name}[\s/>]") for name in ("select", *_RAW)}
_NOT_AN_OPTION = re.compile(r"<(?!/?(?:option|optgroup)[\s/>])[a-z/!?]")  # any other tag or a comment
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def without_long_lists(markup: str) -> str:
    """The markup with the options of each <select> longer than MAX_OPTIONS taken out.

    Only a list that holds nothing but options and their text, and is closed,
    is emptied: any other tag or a comment inside it (which the parser might
    read as closing it), a list opened inside another, and a <select> inside
    raw text (a <textarea> or <title> shows it as text) are left as they are.
    Short lists are left alone too, so ordinary pages reach the parser unchanged.
    One pass: each search starts where the previous one ended.
    """
    lower = _lower(markup)
    keep: list[str] = []
    copied = searched = 0
    while (found := _SCAN.search(lower, searched)) is not None:
        name = found.group(1)
        if name is None:  # a comment
            end = lower.find("-->", found.end())
            closing = None if end == -1 else (end, end + 3)
        else:
            after = _END[name].search(lower, found.end())
            closing = None if after is None else after.span()
        if closing is None:
            break  # the rest of the page is inside it
        if name == "select":
            content = lower.find(">", found.start()) + 1
            if _only_many_options(lower, content, closing[0]):
                keep.append(markup[copied:content])
                copied = closing[0]
        searched = closing[1]
    keep.append(markup[copied:])
    return "".join(keep)


def _only_many_options(lower: str, start: int, end: int) -> bool:
    """More than MAX_OPTIONS options and nothing else, ending outside a tag (not in an attribute's value)."""
    return (start <= end and lower.rfind(">", start, end) >= lower.rfind("<", start, end)
            and _NOT_AN_OPTION.search(lower, start, end) is None
            and lower.count("<option", start, end) > MAX_OPTIONS)


def nesting_cost(markup: str) -> int:
    """Sum, over every opening tag, of how many elements are open at that point,
    and over every option, OPTION_COST times the options before it in its list."""
    depth = cost = options = 0
    for m in _TAG.finditer(markup):
        name = m.group(2).lower()
        if name == "option" and not m.group(1):
            cost += OPTION_COST * options
            options += 1
        elif name == "select":
            options = 0
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
    """Drop comments and script/style blocks in one pass (a regex with .*? goes quadratic when unclosed).

    A tag counts only by its whole name: a <titlebar> or <selection-box> once
    opened a "title" or "select" that nothing closed, and the rest of the page was dropped.
    """
    lower = _lower(markup)
    keep: list[str] = []
    pos = 0
    while (found := _HIDDEN_START.search(lower, pos)) is not None:
        keep.append(markup[pos:found.start()])
        name = found.group(1)
        if name is None:
            end = lower.find("-->", found.end())
        else:
            closing = _HIDDEN_END[name].search(lower, found.end())
            end = -1 if closing is None else closing.start()
        if end == -1:
            return "".join(keep)
        close_end = lower.find(">", end)
        pos = len(markup) if close_end == -1 else close_end + 1
    keep.append(markup[pos:])
    return "".join(keep)


def _lower(markup: str) -> str:
    """`markup` in lower case for finding tags, character for character: its offsets are the markup's.

    str.lower turns a few letters into two characters (Turkish "İ" into "i" and
    a combining dot), which shifted every offset after them: a page's text was
    cut in the wrong places and script source leaked into it. Such pages are
    lower-cased in ASCII only, which is all a tag name needs.
    """
    lower = markup.lower()
    return lower if len(lower) == len(markup) else markup.translate(_ASCII_LOWER)
