"""OLE compound files, the container of the Office 97-2003 formats (.doc, .xls, .ppt, .msg).

What the readers of those formats share: opening the container without
trusting it, and the document title saved in its SummaryInformation stream.
A file encrypted with a modern password (Office 2007 and later, "Encrypt with
Password") is an OLE file holding only an "EncryptedPackage" stream, whatever
its name says, so that is recognised here too.
"""

from __future__ import annotations

import codecs
import struct

import olefile

from engine.extract.signatures import OLE as SIGNATURE

_CODE_PAGE, _TITLE = 1, 2  # property identifiers in SummaryInformation: PID_CODEPAGE, PIDSI_TITLE
_I2, _LPSTR, _LPWSTR = 0x0002, 0x001E, 0x001F  # property types: 16-bit integer, 8-bit and UTF-16 strings


class NotOle(Exception):
    """The data is not an OLE compound file, or its sector tables are broken."""


def is_ole(data: bytes) -> bool:
    return data.startswith(SIGNATURE)


def open_ole(data: bytes) -> olefile.OleFileIO:
    """The container, or NotOle; olefile's own checks refuse loops and sectors outside the file."""
    if not is_ole(data) or len(data) < olefile.MINIMAL_OLEFILE_SIZE:
        raise NotOle
    try:
        return olefile.OleFileIO(data)
    except Exception:  # olefile raises OSError, IndexError, struct.error ... on a broken container
        raise NotOle from None


def is_encrypted_package(ole: olefile.OleFileIO) -> bool:
    """An Office 2007+ file encrypted with a password (it holds only the encrypted package)."""
    return bool(ole.exists("EncryptedPackage"))


def summary_title(ole: olefile.OleFileIO) -> str | None:
    """The title from the file's properties (File > Properties), decoded in the code page it names.

    Read here from the SummaryInformation property set ([MS-OLEPS]) alone: olefile's
    get_metadata reads every property of it and of DocumentSummaryInformation, and
    loops as many times as a list property says it holds, four billion when one
    byte is damaged (found by mutating real files: minutes of reading for no title)."""
    try:
        properties = _summary_properties(ole.openstream("\x05SummaryInformation").read())
    except Exception:  # a missing or damaged property stream costs the title, not the text
        return None
    title = properties.get(_TITLE)
    if isinstance(title, bytes):
        codepage = properties.get(_CODE_PAGE)
        title = title.decode(_codec(codepage if isinstance(codepage, int) else None), errors="replace")
    if not isinstance(title, str):
        return None
    return title.replace("\x00", "").strip() or None


def _summary_properties(stream: bytes) -> dict[int, int | bytes | str]:
    """The code page (a 16-bit number) and the title (8-bit or UTF-16) in the first section of a property
    set: its offset at 44, then the section's size, its number of properties and their (id, offset) pairs."""
    section = struct.unpack_from("<I", stream, 44)[0]
    count = struct.unpack_from("<I", stream, section + 4)[0]
    found: dict[int, int | bytes | str] = {}
    for index in range(min(count, (len(stream) - section - 8) // 8)):
        identifier, offset = struct.unpack_from("<II", stream, section + 8 + 8 * index)
        if identifier not in (_TITLE, _CODE_PAGE):
            continue
        at = section + offset
        kind, size = struct.unpack_from("<HxxI", stream, at)
        if kind == _I2:
            found[identifier] = size & 0xFFFF
        elif kind == _LPSTR:
            found[identifier] = stream[at + 8:at + 8 + size]
        elif kind == _LPWSTR:
            found[identifier] = stream[at + 8:at + 8 + 2 * size].decode("utf-16-le", errors="replace")
    return found


def _codec(codepage: int | None) -> str:
    names = {1200: "utf-16-le", 65001: "utf-8", 10000: "mac-roman"}
    name = names.get(codepage or 0, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"
