"""Read a file's bytes safely, turning every way that can fail into a short reason.

Why not `Path.read_bytes()`: opening a FIFO blocks forever, a device can be
endless, and a file can grow, vanish or change type between the folder scan
and the read. The file is checked with stat before it is opened, opened
non-blocking, checked again on the open descriptor, and read only up to the
size limit. Reasons never name the file or quote its content: they end up in
logs and in the UI next to the path, which is shown separately.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from engine.errors import ExtractionError

_READ_CHUNK = 1024 * 1024
_GONE = (errno.ENOENT, errno.ENOTDIR, errno.ESTALE)
DISAPPEARED = "file disappeared while being read"
PERMISSION = "permission denied: Cairn is not allowed to read this file"


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The whole content of the regular file `path`, refused if above `max_bytes`."""
    try:
        info = os.stat(path)
        _check_kind(info.st_mode)
        _check_size(info.st_size, max_bytes)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ExtractionError(os_reason(exc)) from None
    try:
        opened = os.fstat(fd)
        _check_kind(opened.st_mode)  # swapped for a FIFO or device after the stat
        _check_size(opened.st_size, max_bytes)
        return _read_upto(fd, max_bytes)
    except OSError as exc:
        raise ExtractionError(os_reason(exc)) from None
    finally:
        os.close(fd)


def os_reason(exc: OSError) -> str:
    """A reason for the user, without the path or anything read from the file."""
    if exc.errno in _GONE:
        return DISAPPEARED
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PERMISSION
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    name = os.strerror(exc.errno) if exc.errno is not None else type(exc).__name__
    return f"could not be read ({name})"


TOO_LARGE = "larger than the "  # how size_reason begins


def size_reason(max_bytes: int) -> str:
    return f"{TOO_LARGE}{human_size(max_bytes)} limit"


def human_size(n: int) -> str:
    """50 MB, 200 KB, 100 bytes: the way the settings put it."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def _check_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise ExtractionError("is a folder, not a file")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise ExtractionError("not a regular file (a pipe or socket)")
    raise ExtractionError("not a regular file (a device or special file)")


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ExtractionError(size_reason(max_bytes))


def _read_upto(fd: int, max_bytes: int) -> bytes:
    """Read to the end, but never more than `max_bytes` (the file may grow meanwhile)."""
    parts: list[bytes] = []
    total = 0
    while True:
        block = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - total))
        if not block:
            return b"".join(parts)
        parts.append(block)
        total += len(block)
        if total > max_bytes:
            raise ExtractionError(size_reason(max_bytes))


def content_hash(path: str | os.PathLike[str]) -> str:
    """BLAKE2b of the file's bytes (files.hash): what tells a moved file, and keys the pages OCR kept."""
    digest = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_span(path: Path, offset: int, length: int) -> bytes:
    """`length` bytes at `offset` of a regular file (one message of a mailbox); fewer if it is shorter now."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ExtractionError(os_reason(exc)) from None
    try:
        _check_kind(os.fstat(fd).st_mode)
        parts: list[bytes] = []
        while length > 0 and (block := os.pread(fd, min(_READ_CHUNK, length), offset)):
            parts.append(block)
            offset += len(block)
            length -= len(block)
        return b"".join(parts)
    except OSError as exc:
        raise ExtractionError(os_reason(exc)) from None
    finally:
        os.close(fd)
