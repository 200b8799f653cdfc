"""Running headers and footers: the lines a paged document prints in the margin of every page.

A firm's "CONFIDENTIAL - Smith & Co LLP", a journal's name or "Page 3 of 41" on every
page made every page match the firm's name in a keyword search, filled snippets, and
let an extractive answer quote a footer as a sentence. They are found by repetition
alone (pypdf gives text, not where on the page it sits): a line among the first or
last few of a page that, with its digits and spacing ignored, comes back at the edge
of a clear majority of pages (or of a chapter's pages in a row). The first copy is kept:
a document whose only mention of the firm or the case is its letterhead must still be
found by it, once.

Pages are cleaned before any offset is counted, so page spans and passage spans
are those of the cleaned text.
"""

from __future__ import annotations

import re
from collections import Counter

# A line must be seen on at least this many pages: two pages are as likely to share a line
# by chance (a letter's "continued"), and a short document gains little from the cleaning.
MIN_PAGES = 3
# ...and on at least this share of the pages with text, or of the odd or of the even ones
# (books and journals print the journal on left pages and the article on right ones, each
# on half the pages). More than half, with a margin: a heading repeated on a few pages
# (a schedule, an annex) is the document's text; a first page without the header
# (a cover, a court caption) still leaves a clear majority.
MIN_SHARE = 0.6
# ...or at the edge of this many pages with text in a row: a book or a manual heads each page
# with its chapter ("Chapter 4: Function reference 13"), so each head is on its chapter's
# pages only. Four, not fewer: the fewer the pages, the likelier a chance repeat of body
# text at their edges (a list item of the same shape, a number alone on a line).
MIN_RUN = 4
# How many lines at the top and at the bottom of a page may be margin: a running head
# is one or two lines, a footer up to three (firm, address, page number). Never more than
# a third of a page's lines, so a short page keeps its body out of the comparison.
EDGE_LINES = 3

_DIGITS = re.compile(r"\d+")


def without_running_lines(pages: list[str]) -> list[str]:
    """`pages` with each running header and footer line left out of every page but the first that has it."""
    edges = [_edges(text.split("\n")) for text in pages]
    keys = [{_key(line) for line in lines.values()} for lines in edges]
    running = _running(keys, [bool(text.strip()) for text in pages])
    if not running:
        return pages
    kept: set[str] = set()
    cleaned = []
    for text, lines in zip(pages, edges):
        drop = set()
        for index, line in lines.items():
            key = _key(line)
            if key in running:
                if key in kept:
                    drop.add(index)
                kept.add(key)
        cleaned.append(text if not drop else "\n".join(
            line for index, line in enumerate(text.split("\n")) if index not in drop))
    return cleaned


def _edges(lines: list[str]) -> dict[int, str]:
    """The first and last few non-blank lines of a page, by index; none for a page of one line (it is all body)."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    if len(filled) < 2:
        return {}
    width = max(1, min(EDGE_LINES, len(filled) // 3))
    return {index: lines[index] for index in filled[:width] + filled[-width:]}


def _key(line: str) -> str:
    """A line as compared between pages: "Page 3 of 41" and "Page  4 of 41" are the same line."""
    return " ".join(_DIGITS.sub("#", line).split()).casefold()


def _running(keys: list[set[str]], has_text: list[bool]) -> set[str]:
    """The keys at the edge of a clear majority of the pages with text (or of the odd or of the even ones),
    or of MIN_RUN pages in a row."""
    running: set[str] = set()
    for parity in (None, 0, 1):  # all pages, then the even and the odd page numbers (pages count from 1)
        chosen = [n for n in range(len(keys)) if has_text[n] and (parity is None or (n + 1) % 2 == parity)]
        counts = Counter(key for n in chosen for key in keys[n])
        least = max(MIN_PAGES, MIN_SHARE * len(chosen))
        running.update(key for key, count in counts.items() if count >= least)
    run: Counter[str] = Counter()  # how many pages with text in a row end at this one with the key at their edge
    for page_keys in (keys[n] for n in range(len(keys)) if has_text[n]):
        run = Counter({key: run[key] + 1 for key in page_keys})
        running.update(key for key, length in run.items() if length >= MIN_RUN)
    return running
