"""Walk a registered folder: what files are there now, at the cost of a stat each.

Symlinked folders are followed once (a visited set of device and inode numbers
stops loops); anything that cannot be listed or stat'ed is reported with a reason
instead of stopping the walk. So is a name that is not UTF-8 (an old zip's or USB
stick's Latin-1): the index keeps text, and such a path cannot be stored.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Seen:
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Unreadable:
    path: str
    reason: str


def is_excluded(rel_path: str, patterns: Sequence[str]) -> bool:
    """A pattern matches a path's name or any of its folders' names, or (with a '/') the relative path."""
    parts = rel_path.split("/")
    for pattern in patterns:
        if "/" in pattern:
            if fnmatch.fnmatchcase(rel_path, pattern.strip("/")) or fnmatch.fnmatchcase(rel_path, pattern.strip("/") + "/*"):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def walk(root: Path, excludes: Sequence[str], start: Path | None = None) -> Iterator[Seen | Unreadable]:
    """Files under `start` (default: the whole `root`); exclusions are relative to `root`."""
    start = start or root
    if start != root:
        rel = start.relative_to(root).as_posix()
        if is_excluded(rel, excludes):
            return
    try:
        start_stat = start.stat()
    except OSError as exc:
        if not isinstance(exc, FileNotFoundError) or start == root:
            yield Unreadable(str(start), _reason(exc))
        return
    if stat.S_ISREG(start_stat.st_mode):
        yield Seen(str(start), start_stat.st_size, start_stat.st_mtime_ns)
        return
    visited = {(start_stat.st_dev, start_stat.st_ino)}
    stack = [start]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            yield Unreadable(str(folder), _reason(exc))
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if not storable(entry.path):
                yield Unreadable(shown(entry.path), "its name is not valid UTF-8: rename it to index it")
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            if is_excluded(rel, excludes):
                continue
            yield from _visit(entry, stack, visited)


def _visit(entry: os.DirEntry[str], stack: list[Path], visited: set[tuple[int, int]]) -> Iterator[Seen | Unreadable]:
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as exc:
        yield Unreadable(entry.path, _reason(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key not in visited:
            visited.add(key)
            stack.append(Path(entry.path))
    elif stat.S_ISREG(st.st_mode):
        yield Seen(entry.path, st.st_size, st.st_mtime_ns)


def reachable(folder: str, indexed_files: int) -> bool:
    """Whether a chosen folder is there to be read: a folder, and not an empty one where files were indexed.

    An unplugged drive takes its folder with it, but a network share or a drive at a fixed
    mount point leaves an empty folder behind when it is not mounted. Taking that for every
    file deleted would drop the folder's whole index, to be embedded again once it is back;
    so it counts as missing, like the unplugged drive. (Files deleted one by one still leave
    the index: the watcher's passes for them do not ask this.)"""
    if not os.path.isdir(folder):
        return False
    if not indexed_files:
        return True
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return True  # there but unreadable: the walk says why


def storable(path: str) -> bool:
    """Whether the index can hold this path: one decoded from bytes that are not UTF-8 cannot."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: str) -> str:
    """The path as text a person can read and the index can store, each bad byte written as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == 40:  # ELOOP
        return "symbolic link loop"
    if isinstance(exc, FileNotFoundError):
        return "broken symbolic link or vanished file"
    return exc.strerror or type(exc).__name__
