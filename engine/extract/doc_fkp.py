"""The property pages of a Word 97-2003 .doc, read by its deleted-text and heading readers ([MS-DOC]).

Word keeps the properties of runs of characters (ChpxFkp) and of paragraphs
(PapxFkp) in 512-byte pages of the WordDocument stream, each a list of byte
ranges of the text and their changes (sprms); a table in the table stream
(PlcBteChpx, PlcBtePapx) lists the pages. Both readers walk them the same way,
so it is written once here. Nothing here trusts the file: a page outside the
stream is skipped, a property list that runs past its end is a ValueError.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

PAGE = 512
# The operand's size by the sprm's top three bits (spra); 6: variable, sized by its first byte.
_OPERAND_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}
_TABLE_DEFINITION = 0xD608  # sprmTDefTable: a 2-byte size, one more than the bytes that follow it
_TABS = 0xC615  # sprmPChgTabs: a size of 255 means "count the tab lists that follow"


def pages(word: bytes, plc: bytes) -> Iterator[bytes]:
    """Each distinct page the table `plc` (n+1 text offsets, then n page numbers of 22 bits) points to."""
    count = (len(plc) - 4) // 8
    seen: set[int] = set()
    for index in range(max(count, 0)):
        number = struct.unpack_from("<I", plc, 4 * (count + 1) + 4 * index)[0] & 0x3FFFFF
        page = word[number * PAGE:(number + 1) * PAGE]
        if number not in seen and len(page) == PAGE:
            seen.add(number)
            yield page


def sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """(code, operand) of each property change; a ValueError when one runs past the end.

    A single byte left over at the end (padding, which some writers leave) is not a change."""
    position = 0
    while position + 2 <= len(grpprl):
        code = struct.unpack_from("<H", grpprl, position)[0]
        position += 2
        size = _operand_size(code, grpprl, position)
        if position + size > len(grpprl):
            raise ValueError("property change past the end of its list")
        yield code, grpprl[position:position + size]
        position += size


def _operand_size(code: int, grpprl: bytes, at: int) -> int:
    kind = code >> 13
    if kind != 6:
        return _OPERAND_SIZE[kind]
    if at >= len(grpprl):
        raise ValueError("variable-size property change without its size")
    if code == _TABLE_DEFINITION:
        if at + 2 > len(grpprl):
            raise ValueError("table definition without its size")
        return 1 + struct.unpack_from("<H", grpprl, at)[0]
    if code == _TABS and grpprl[at] == 255:
        deleted = grpprl[at + 1] if at + 1 < len(grpprl) else 0
        added_at = at + 2 + 4 * deleted
        added = grpprl[added_at] if added_at < len(grpprl) else 0
        return 1 + (1 + 4 * deleted) + (1 + 3 * added)
    return 1 + grpprl[at]
