"""Markdown: plain text whose '#' and underlined headings become sections.

The text itself is kept verbatim (markup included) so offsets match the file
the user opens; only the heading structure is read, with a line scanner rather
than a full Markdown parser, because headings are all the chunker needs.
Headings inside fenced code blocks (a '# comment' in a shell snippet) and in
YAML front matter are not headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.extract.document import Document, Heading
from engine.extract.encoding import decode
from engine.extract.text import limited, normalise_newlines

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def extract_markdown(data: bytes) -> Document:
    text, encoding = decode(data)
    text, truncated = limited(normalise_newlines(text))
    headings = tuple(markdown_headings(text))
    title = next((h.text for h in headings if h.level == 1), None)
    return Document(text=text, kind="markdown", title=title, headings=headings,
                    encoding=encoding, truncated=truncated)


def markdown_headings(text: str) -> Iterator[Heading]:
    fence: str | None = None
    para_start: int | None = None  # offset of the first line of the current paragraph
    para_lines: list[str] = []
    for offset, line in _lines(text, _front_matter_end(text)):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence, para_start, para_lines = opening.group(1), None, []
            continue
        atx = _ATX.match(line)
        if atx:
            title = _plain(atx.group(2) or "")
            if title:
                yield Heading(offset, len(atx.group(1)), title)
            para_start, para_lines = None, []
            continue
        underline = _SETEXT.match(line)
        if underline and para_start is not None:
            level = 1 if underline.group(1).startswith("=") else 2
            title = _plain(" ".join(para_lines))
            if title:
                yield Heading(para_start, level, title)
            para_start, para_lines = None, []
            continue
        if line.strip():
            if para_start is None:
                para_start = offset
            para_lines.append(line.strip())
        else:
            para_start, para_lines = None, []


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        if end == -1:
            end = len(text)
        yield pos, text[pos:end]
        pos = end + 1


def _front_matter_end(text: str) -> int:
    """Offset after a leading '---' ... '---' YAML block, or 0."""
    if not text.startswith("---\n"):
        return 0
    close = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    return 0 if close is None else 4 + close.end()


def _plain(heading: str) -> str:
    """Heading text as a reader sees it: links reduced to their text, emphasis marks dropped."""
    heading = _LINK.sub(r"\1", heading)
    return " ".join(heading.replace("**", "").replace("__", "").replace("`", "").split())
