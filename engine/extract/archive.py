"""Archives (.zip, .tar, .tar.gz/.tgz/.bz2/.xz, .7z): the list of what they hold, and their members' bytes.

The archive's own text is the names of its members, so a search for a file name finds the archive;
the members themselves are read one by one by the dispatcher (engine.extract.members), each by the
reader for its own type. Members are never written to disk. What is refused is refused per member,
with its reason, and the rest is read: a member whose name points outside the archive (path
traversal), an encrypted one, one larger than the file size limit, one that inflates more than
MAX_ZIP_RATIO times (a zip bomb; sizes are checked as the archive declares them, and zipfile never
inflates past the declared size). The format is told by the first bytes, not the name.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.enclosed import Enclosed, unsafe_name
from engine.extract.files import size_reason
from engine.extract.limits import MAX_ZIP_ENTRIES, MAX_ZIP_RATIO, ZIP_RATIO_MIN_BYTES
from engine.extract.signatures import SEVEN_ZIP, ZIP

NOT_AN_ARCHIVE = "not an archive Cairn reads (.zip, .tar, .tar.gz, .7z), or a damaged one"
ENCRYPTED_MEMBER = "encrypted: it needs a password Cairn does not have"
UNSAFE_NAME = "refused: its name points outside the archive (path traversal)"
NO_7Z = "7-Zip archives need the py7zr package, which is not installed"
_COMPRESSED = {b"\x1f\x8b": gzip.decompress, b"BZh": bz2.decompress, b"\xfd7zXZ\x00": lzma.decompress}


def extract_archive(data: bytes) -> Document:
    """The names of the archive's members, one a line: their text comes as members of their own."""
    builder = TextBuilder()
    names = [item.name for item in enclosed_archive(data, max_bytes=0, names_only=True)]
    builder.paragraph("\n".join(names))
    return builder.build("archive", None)


def enclosed_archive(data: bytes, max_bytes: int, names_only: bool = False) -> Iterator[Enclosed]:
    """Each member with its bytes (none with `names_only`), or with the reason it is refused."""
    if data.startswith(ZIP):
        yield from _zip_members(data, max_bytes, names_only)
    elif data.startswith(SEVEN_ZIP):
        yield from _seven_zip_members(data, max_bytes, names_only)
    else:
        yield from _tar_members(data, max_bytes, names_only)


def _refusal(name: str, size: int, max_bytes: int, names_only: bool) -> str | None:
    if unsafe_name(name):
        return UNSAFE_NAME
    if not names_only and size > max_bytes:
        return size_reason(max_bytes)
    return None


def _zip_members(data: bytes, max_bytes: int, names_only: bool) -> Iterator[Enclosed]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ExtractionError(NOT_AN_ARCHIVE) from None
    with archive:
        for info in archive.infolist()[:MAX_ZIP_ENTRIES]:
            if info.is_dir():
                continue
            refusal = (UNSAFE_NAME if unsafe_name(info.filename) else _zip_refusal(info)) or _refusal(
                info.filename, info.file_size, max_bytes, names_only)
            if names_only or refusal:
                yield Enclosed(info.filename, None, refusal=refusal, size=info.file_size)
                continue
            try:
                payload = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError, OSError, NotImplementedError):
                yield Enclosed(info.filename, None, refusal="damaged inside the archive", size=info.file_size)
                continue
            yield Enclosed(info.filename, payload, size=info.file_size)


def _zip_refusal(info: zipfile.ZipInfo) -> str | None:
    if info.flag_bits & 0x1:
        return ENCRYPTED_MEMBER
    if info.file_size > ZIP_RATIO_MIN_BYTES and info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
        ratio = info.file_size // max(1, info.compress_size)
        return f"refused: it would inflate to {ratio} times its compressed size (a zip bomb?)"
    return None


def _tar_members(data: bytes, max_bytes: int, names_only: bool) -> Iterator[Enclosed]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except (tarfile.TarError, EOFError, OSError, ValueError):
        yield from _single_compressed(data, max_bytes, names_only)
        return
    with archive:
        count = 0
        try:
            for info in archive:
                if not info.isfile():
                    continue  # folders, links, devices: nothing to read (a link is never followed)
                count += 1
                if count > MAX_ZIP_ENTRIES:
                    return
                yield _tar_member(archive, info, max_bytes, names_only)
        except (tarfile.TarError, EOFError, OSError, ValueError):
            yield Enclosed("(the rest of the archive)", None, refusal="damaged: the archive ends here")


def _tar_member(archive: tarfile.TarFile, info: tarfile.TarInfo, max_bytes: int, names_only: bool) -> Enclosed:
    refusal = _refusal(info.name, info.size, max_bytes, names_only)
    if names_only or refusal:
        return Enclosed(info.name, None, refusal=refusal, size=info.size)
    handle = archive.extractfile(info)
    payload = handle.read(info.size) if handle is not None else b""
    return Enclosed(info.name, payload, size=info.size)


def _single_compressed(data: bytes, max_bytes: int, names_only: bool) -> Iterator[Enclosed]:
    """A .gz, .bz2 or .xz of one file (not a tar): that file, inflated no further than the size limit."""
    for magic in _COMPRESSED:
        if data.startswith(magic):
            name = "(the compressed file)"
            if names_only:
                yield Enclosed(name, None)
                return
            payload = _inflate(data, magic, max_bytes)
            yield Enclosed(name, payload, refusal=None if payload is not None else size_reason(max_bytes))
            return
    raise ExtractionError(NOT_AN_ARCHIVE)


def _inflate(data: bytes, magic: bytes, max_bytes: int) -> bytes | None:
    opener = {b"\x1f\x8b": gzip.GzipFile, b"BZh": bz2.BZ2File, b"\xfd7zXZ\x00": lzma.LZMAFile}[magic]
    try:
        with opener(io.BytesIO(data)) as stream:  # type: ignore[operator]
            payload: bytes = stream.read(max_bytes + 1)
    except (OSError, EOFError, lzma.LZMAError):
        raise ExtractionError(NOT_AN_ARCHIVE) from None
    return payload if len(payload) <= max_bytes else None


def _seven_zip_members(data: bytes, max_bytes: int, names_only: bool) -> Iterator[Enclosed]:
    try:
        import py7zr
    except ImportError:
        raise ExtractionError(NO_7Z) from None
    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data))
    except Exception:  # py7zr's own errors and those of its codecs
        raise ExtractionError(NOT_AN_ARCHIVE) from None
    with archive:
        encrypted = archive.needs_password()
        infos = [info for info in archive.list() if not info.is_directory][:MAX_ZIP_ENTRIES]
        for info in infos:
            refusal = _refusal(info.filename, info.uncompressed, max_bytes, names_only)
            refusal = refusal or (ENCRYPTED_MEMBER if encrypted else None)
            if names_only or refusal:
                yield Enclosed(info.filename, None, refusal=refusal, size=info.uncompressed)
                continue
            yield _seven_zip_member(archive, info.filename, info.uncompressed)


def _seven_zip_member(archive: object, name: str, size: int) -> Enclosed:
    try:
        archive.reset()  # type: ignore[attr-defined]
        files = archive.read(targets=[name])  # type: ignore[attr-defined]
        payload = files[name].read(size) if name in files else None
    except Exception:
        payload = None
    if payload is None:
        return Enclosed(name, None, refusal="damaged inside the archive", size=size)
    return Enclosed(name, payload, size=size)


def member_name(name: str) -> str:
    """The last part of a member's path: what a result shows."""
    return PurePosixPath(name.replace("\\", "/")).name or name
