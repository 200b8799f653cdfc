"""Tracked deletions in a Word 97-2003 .doc: which bytes of its text Word shows as struck out.

A deleted run stays in the WordDocument stream, marked by its character
properties: the table of character runs (PlcBteChpx, in the table stream) points
to 512-byte pages (ChpxFkp) that give each run's byte range and its property
changes (sprms); sprmCFRMarkDel set means deleted. The .doc reader leaves those
bytes out, so a .doc reads as Word shows it with its changes accepted, as a
.docx does. A table it cannot follow costs nothing but this: the text is kept.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator

from engine.extract.doc_fkp import pages, sprms

_MARK_DELETED = 0x0800  # sprmCFRMarkDel: its one-byte operand is 1 (on) or 0x81 (the opposite of the style's: on)
_MARK_DELETED_BYTES = _MARK_DELETED.to_bytes(2, "little")
_ON = (0x01, 0x81)


def deleted_ranges(word: bytes, table: bytes, at: int, size: int) -> list[tuple[int, int]]:
    """The byte ranges [start, end) of the WordDocument stream holding deleted text, sorted and merged.

    `at` and `size` place the PlcBteChpx in the table stream (from the FIB)."""
    try:
        ranges = sorted(_marked(word, table[at:at + size]))
    except (struct.error, IndexError, ValueError):
        return []
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def kept(start: int, end: int, deleted: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The parts of [start, end) outside the deleted ranges."""
    index = max(0, bisect.bisect_right(deleted, (start, start)) - 1)
    for gone_start, gone_end in deleted[index:]:
        if gone_start >= end:
            break
        if gone_end <= start:
            continue
        if gone_start > start:
            yield start, gone_start
        start = max(start, gone_end)
    if start < end:
        yield start, end


def _marked(word: bytes, plc: bytes) -> Iterator[tuple[int, int]]:
    """The byte ranges of the runs marked deleted."""
    for page in pages(word, plc):
        yield from _page_marked(page)


def _page_marked(page: bytes) -> Iterator[tuple[int, int]]:
    """In one ChpxFkp: crun in the last byte, crun+1 offsets, then a byte per run locating its Chpx (in words)."""
    runs = page[-1]
    offsets = struct.unpack_from(f"<{runs + 1}I", page, 0)
    for run in range(runs):
        where = 2 * page[4 * (runs + 1) + run]
        if where and _is_deleted(page[where + 1:where + 1 + page[where]]):
            yield offsets[run], offsets[run + 1]


def _is_deleted(properties: bytes) -> bool:
    if _MARK_DELETED_BYTES not in properties:  # most runs: no need to walk their properties
        return False
    return any(code == _MARK_DELETED and operand[0] in _ON for code, operand in sprms(properties))
