"""Copies of attachments and archive members made to open them, private to the user, removed after use.

A sub-document (engine.extract.enclosed) is not a file on disk: to open it with its usual application
its bytes are taken out of its container by the limited reader process and written to a folder
inside Cairn's home (0700, files 0600), never to the system's shared temporary folder, under its own
name only (never a path from inside the container: a hostile name cannot place it anywhere else).
Removed when the caller is done; what a killed process left behind is removed by `sweep`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from engine.extract.enclosed import split_member_path

FOLDER = "opened"  # in the home's data folder


def safe_name(inner: str) -> str:
    """The member's own file name, with nothing that could lead out of the copy's folder."""
    name = PurePosixPath(inner.split("//")[-1].replace("\\", "/")).name
    name = name.replace("\x00", "").lstrip(".")
    return name or "attachment"


@contextlib.contextmanager
def member_copy(path: str, read: Callable[[str], bytes], home_data: Path) -> Iterator[Path]:
    """A private copy of the sub-document at `path`, removed when the block ends (also on error)."""
    _, inner = split_member_path(path)
    if inner is None:
        raise ValueError("not a path inside a container")
    data = read(path)  # before anything is created: a refused member leaves nothing behind
    parent = home_data / FOLDER
    parent.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent))  # 0700, a fresh name each time
    try:
        target = folder / safe_name(inner)
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


STALE_SECONDS = 12 * 3600  # older copies are a killed process's: another one's (the app's) may still be open


def sweep(home_data: Path) -> None:
    """Remove the copies a process killed while one was open left behind."""
    parent = home_data / FOLDER
    now = time.time()
    for folder in parent.glob("*") if parent.is_dir() else ():
        with contextlib.suppress(OSError):
            if now - folder.lstat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
