"""OLE compound files, the container of the Office 97-2003 formats (.doc, .xls, .ppt, .msg).

What the readers of those formats share: opening the container without
trusting it, and the document title saved in its SummaryInformation stream.
A file encrypted with a modern password (Office 2007 and later, "Encrypt with
Password") is an OLE file holding only an "EncryptedPackage" stream, whatever
its name says, so that is recognised here too.
"""

from __future__ import annotations

import codecs

import olefile

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    """The title from the file's properties (File > Properties), decoded in the code page it names."""
    try:
        metadata = ole.get_metadata()
    except Exception:  # a damaged property stream costs the title, not the text
        return None
    title, codepage = metadata.title, metadata.codepage
    if isinstance(title, bytes):
        title = title.decode(_codec(codepage if isinstance(codepage, int) else None), errors="replace")
    if not isinstance(title, str):
        return None
    return title.strip("\x00 ") or None


def _codec(codepage: int | None) -> str:
    names = {1200: "utf-16-le", 65001: "utf-8", 10000: "mac-roman"}
    name = names.get(codepage or 0, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"
