"""Only one process writes to a Cairn home at a time.

SQLite would serialise two writers anyway, but two indexers would fight over the
same files and double the work. The lock is an advisory `flock` on a file in the
data folder: the OS drops it when the holder dies, even by SIGKILL, so a crash
never leaves a stale lock behind. The holder's pid is written inside so the
second process can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from engine.errors import IndexLockedError


class WriterLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0  # re-entrant within one process: `cairn watch` holds it across passes

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "WriterLock":
        if self._fd is not None:
            self._depth += 1
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise IndexLockedError(
                f"Another Cairn {who} is already indexing this index; this one stays read-only "
                "(search works, indexing waits until that process stops)."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        self._depth = 1
        return self

    def release(self) -> None:
        self._depth = max(0, self._depth - 1)
        if self._fd is not None and self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriterLock":
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        raw = os.pread(fd, 32, 0).decode().strip()
        return int(raw) if raw else None
    except (OSError, ValueError):
        return None
