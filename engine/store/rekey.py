"""Encrypting the index or changing its passphrase, so that a crash at any point loses nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import apsw

from engine.errors import StoreError
from engine.store.connection import apply_key, connect, create_private, open_checked
from engine.store.sql import scalar


def rekey(path: Path, old_key: str | None, new_key: str) -> None:
    """Encrypt the index, or change its passphrase, so that a crash at any point loses nothing.

    The database is checkpointed into one file, copied, the copy re-keyed (which
    writes every page anew under the new key, with a fresh salt), verified to hold
    the same rows, and only then swapped in with an atomic rename. Until the rename
    the old file is untouched; after it the new one is complete.

    The caller holds the writer lock, so no other re-key is running: what an
    interrupted one left beside the index is deleted first."""
    copy = _copy_path(path)
    discard_rekey_leftovers(path)
    try:
        _make_rekeyed_copy(path, copy, old_key, new_key)
    except BaseException:
        discard_rekey_leftovers(path)
        raise
    _swap_in(copy, path)


def _copy_path(path: Path) -> Path:
    """The working copy a re-key of `path` makes beside it."""
    return path.with_name(path.name + ".rekey")


def discard_rekey_leftovers(path: Path) -> None:
    """Delete what an interrupted re-key of `path` left beside it; only under the writer lock.

    A re-key killed after copying leaves its copy, which holds everything the index
    held (text later forgotten included); killed during `PRAGMA rekey`, also the
    copy's journal: page images from before the re-key (in the clear when a plain
    index was being encrypted), which SQLite would replay into the next copy.
    Opening the index must not delete them: they may be a running re-key's."""
    copy = _copy_path(path)
    for suffix in ("", "-journal", "-wal", "-shm"):  # -wal, -shm: earlier versions checked the copy in WAL mode
        copy.with_name(copy.name + suffix).unlink(missing_ok=True)


def _make_rekeyed_copy(path: Path, copy: Path, old_key: str | None, new_key: str) -> None:
    """The copy, re-keyed and verified; any failure is a StoreError and leaves the index as it was."""
    try:
        rows = _checkpoint_for_copy(path, old_key)
        create_private(copy)  # private before a byte is copied into it
        shutil.copyfile(path, copy)
        _rekey_in_place(copy, old_key, new_key)
        _verify_copy(copy, new_key, rows)
    except apsw.Error as exc:
        raise StoreError(f"Re-keying the index failed ({exc}); the index was left as it was.") from exc


def _checkpoint_for_copy(path: Path, key: str | None) -> dict[str, int]:
    """Fold the WAL into the main file and leave WAL mode, so one file is the whole index; its row counts."""
    conn = connect(path, key=key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _leave_wal(conn)
        return _row_counts(conn)
    finally:
        conn.close()


def _leave_wal(conn: apsw.Connection) -> None:
    """Switch to a rollback journal, which SQLite allows only when no other connection has the index open."""
    try:
        mode = scalar(conn, "PRAGMA journal_mode = DELETE")
    except apsw.BusyError:
        mode = "wal"
    if mode != "delete":
        raise StoreError("The index is in use by another Cairn process (the app, or a command in another "
                         "terminal): close it, then try again. Nothing was changed.")


def _rekey_in_place(copy: Path, old_key: str | None, new_key: str) -> None:
    """Re-key the copy in place; opened without create, so a copy that vanished is an error, not a new empty index."""
    work = apsw.Connection(str(copy), flags=apsw.SQLITE_OPEN_READWRITE)
    try:
        if old_key:
            apply_key(work, old_key)
        work.execute("PRAGMA rekey = '" + new_key.replace("'", "''") + "'")
    finally:
        work.close()


def _verify_copy(copy: Path, key: str, expected: dict[str, int]) -> None:
    """Refuse a copy that is damaged or does not hold what the index held (same tables, same row counts)."""
    try:
        check = open_checked(copy, apsw.SQLITE_OPEN_READONLY, key)
    except StoreError:  # a WrongPassphrase here would blame the person's passphrase
        raise StoreError("The re-keyed copy of the index cannot be opened with the new passphrase; "
                         "the index was left as it was.") from None
    try:
        ok = scalar(check, "PRAGMA quick_check")
        found = _row_counts(check)
    finally:
        check.close()
    if ok != "ok":
        raise StoreError(f"Re-keying the index failed its integrity check ({ok}); the index was left as it was.")
    if found != expected:
        raise StoreError("The re-keyed copy of the index does not hold what the index holds (another program changed "
                         "or removed it meanwhile); the index was left as it was. Run `cairn encrypt` again.")


def _row_counts(conn: apsw.Connection) -> dict[str, int]:
    """Rows in every stored table (virtual tables' data lives in their shadow tables, which are counted)."""
    names = [str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    return {name: int(scalar(conn, 'SELECT count(*) FROM "' + name.replace('"', '""') + '"')) for name in names}


def _swap_in(copy: Path, path: Path) -> None:
    """Make the verified copy the index: durable first, then one atomic rename."""
    with open(copy, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(copy, path)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
