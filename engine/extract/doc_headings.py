"""Which paragraphs of a Word 97-2003 .doc are headings, and of which level ([MS-DOC]).

Word makes a paragraph a heading of level N in two ways: its style is the
built-in "heading N" (style identifier, sti, 1-9, whatever the style is called
in the file's language), or its outline level is N-1 (sprmPOutLvl, 0-8; 9 is
body text), set on the paragraph itself or on its style or a style that one is
based on. None of that is in the text: the paragraph pages (PapxFkp, listed by
the PlcBtePapx) give each paragraph's byte range in the WordDocument stream, its
style (istd) and its own property changes; the style sheet (STSH) gives each
style's sti, its base style and its property changes relative to that base.

The answer is keyed by the byte offset of a paragraph's mark, which the .doc
reader knows from its piece table. Property changes carried by the piece table
itself (Pcd.prm) are not read: Word writes outline levels in the pages. Anything
inconsistent in the style sheet or the pages (a length past its structure's
end, pages that overlap, a base-style loop) costs the headings, never the text:
the document is then read without them.
"""

from __future__ import annotations

import bisect
import dataclasses
import struct

from engine.extract.doc_fkp import PAGE, pages, sprms

_OUTLINE_LEVEL = 0x2640  # sprmPOutLvl: one byte, 0-8 a level, 9 body text
_OUTLINE_LEVEL_BYTES = _OUTLINE_LEVEL.to_bytes(2, "little")
_HEADINGS = range(1, 10)  # sti of the built-in styles "heading 1" to "heading 9"
_PARAGRAPH_STYLE = 1  # StdfBase.stk
_NO_BASE = 0x0FFF  # istdNil
_ENTRY = 13  # BxPap: the offset of the paragraph's properties (in words), then 12 bytes of height


class Inconsistent(ValueError):
    """The style sheet or the paragraph pages contradict themselves: the headings are not read."""


@dataclasses.dataclass(frozen=True)
class _Style:
    sti: int
    base: int
    outline: int | None  # this style's own outline level, if it sets one


@dataclasses.dataclass(frozen=True)
class Outline:
    """The heading level (1-9; 0: body text) of the paragraph whose mark is at a byte offset."""

    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    levels: tuple[int, ...] = ()

    def level(self, offset: int) -> int:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.levels[index] if index >= 0 and offset < self.ends[index] else 0


def read_outline(word: bytes, table: bytes, stsh: tuple[int, int], plc: tuple[int, int]) -> Outline:
    """The headings of the document; no headings (an empty Outline) when they cannot be read soundly.

    `stsh` and `plc` are the (offset, size) of the style sheet and the PlcBtePapx in the table stream."""
    try:
        styles = _styles(_part(table, *stsh))
        runs = sorted(_runs(word, _part(table, *plc)))
        return _outline(runs, styles)
    except (Inconsistent, struct.error, IndexError, ValueError):
        return Outline()


def _part(table: bytes, at: int, size: int) -> bytes:
    if not size or at + size > len(table):
        raise Inconsistent("a structure outside the table stream")
    return table[at:at + size]


def _styles(stsh: bytes) -> dict[int, _Style]:
    """The paragraph styles by istd: a header (its size first), then cstd styles, each after its size."""
    header = struct.unpack_from("<H", stsh, 0)[0]
    count, base_size = struct.unpack_from("<HH", stsh, 2)
    if header < 4 or base_size not in (10, 18):
        raise Inconsistent("style sheet header")
    styles: dict[int, _Style] = {}
    position = 2 + header
    for istd in range(count):
        size = struct.unpack_from("<H", stsh, position)[0]
        std = stsh[position + 2:position + 2 + size]
        if len(std) != size:
            raise Inconsistent("style past the end of the style sheet")
        position += 2 + size
        if size:
            style = _style(std, base_size)
            if style is not None:
                styles[istd] = style
    return styles


def _style(std: bytes, base_size: int) -> _Style | None:
    """A paragraph style: StdfBase, its name (a counted UTF-16 string and a terminating 0), then its
    paragraph property changes (UpxPapx: the style's istd, then the changes) after their size."""
    if len(std) < base_size:
        raise Inconsistent("style shorter than its header")
    first, second = struct.unpack_from("<HH", std, 0)
    if second & 0x000F != _PARAGRAPH_STYLE:
        return None
    name_length = struct.unpack_from("<H", std, base_size)[0]
    position = base_size + 2 + 2 * name_length + 2
    size = struct.unpack_from("<H", std, position)[0]
    upx = std[position + 2:position + 2 + size]
    if len(upx) != size or size < 2:
        raise Inconsistent("style properties past the end of the style")
    return _Style(first & 0x0FFF, second >> 4, _outline_level(upx[2:]))


def _outline_level(grpprl: bytes) -> int | None:
    if _OUTLINE_LEVEL_BYTES not in grpprl:  # most property lists: no need to walk them
        return None
    level = None
    for code, operand in sprms(grpprl):
        if code == _OUTLINE_LEVEL:
            level = operand[0]
    return level


def _runs(word: bytes, plc: bytes) -> list[tuple[int, int, int, bytes]]:
    """(start, end, istd, property changes) of each paragraph in the pages: a page holds cpara in its
    last byte, cpara+1 offsets, then per paragraph a BxPap whose first byte places its PapxInFkp."""
    runs = []
    for page in pages(word, plc):
        count = page[-1]
        table_end = 4 * (count + 1) + _ENTRY * count
        if table_end > PAGE - 1:
            raise Inconsistent("paragraph page overfull")
        offsets = struct.unpack_from(f"<{count + 1}I", page, 0)
        for index in range(count):
            start, end = offsets[index], offsets[index + 1]
            if end <= start:
                raise Inconsistent("paragraphs out of order")
            where = 2 * page[4 * (count + 1) + _ENTRY * index]
            istd, grpprl = _papx(page, where, table_end) if where else (0, b"")
            runs.append((start, end, istd, grpprl))
    return runs


def _papx(page: bytes, where: int, table_end: int) -> tuple[int, bytes]:
    """PapxInFkp: a size in words (2*cb-1 bytes; 0: the next byte gives 2*cb' bytes), then the istd and changes."""
    if where < table_end or where >= PAGE - 1:
        raise Inconsistent("paragraph properties outside their page")
    size = page[where]
    start, length = (where + 1, 2 * size - 1) if size else (where + 2, 2 * page[where + 1])
    if length < 2 or start + length > PAGE - 1:
        raise Inconsistent("paragraph properties past the end of their page")
    data = page[start:start + length]
    return struct.unpack_from("<H", data, 0)[0], data[2:]


def _outline(runs: list[tuple[int, int, int, bytes]], styles: dict[int, _Style]) -> Outline:
    starts, ends, levels = [], [], []
    by_style: dict[int, int] = {}
    previous_end = -1
    for start, end, istd, grpprl in runs:
        if start < previous_end:
            raise Inconsistent("paragraph pages overlap")
        previous_end = end
        level = _level(istd, grpprl, styles, by_style)
        if level:
            starts.append(start)
            ends.append(end)
            levels.append(level)
    return Outline(tuple(starts), tuple(ends), tuple(levels))


def _level(istd: int, grpprl: bytes, styles: dict[int, _Style], by_style: dict[int, int]) -> int:
    """A "heading N" style decides alone (Word does not let its outline level change); then the
    paragraph's own outline level; then its style's, from the nearest style in its base chain that sets one."""
    style = styles.get(istd)
    if style is not None and style.sti in _HEADINGS:
        return style.sti
    own = _outline_level(grpprl)
    if own is not None:
        return _as_level(own)
    if istd not in by_style:
        by_style[istd] = _style_level(istd, styles)
    return by_style[istd]


def _style_level(istd: int, styles: dict[int, _Style]) -> int:
    seen: set[int] = set()
    while istd != _NO_BASE and istd in styles:
        if istd in seen:
            raise Inconsistent("a style based on itself")
        seen.add(istd)
        style = styles[istd]
        if style.sti in _HEADINGS:
            return style.sti
        if style.outline is not None:
            return _as_level(style.outline)
        istd = style.base
    return 0


def _as_level(outline: int) -> int:
    return outline + 1 if outline < 9 else 0
