"""Small SQL helpers every part of the store uses: one-value reads and write transactions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import apsw

from engine.errors import StoreError


def scalar(conn: apsw.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first value of a statement that always returns a row (count(*), a PRAGMA)."""
    row = conn.execute(sql, params).fetchone()
    if row is None:
        raise StoreError(f"the database returned no row for {sql.split()[0]} (is it damaged?)")
    return row[0]


DISK_FULL = ("The disk that holds the index is full: free some space, then run the command again "
             "(the last change was rolled back; the index is whole).")


# Errors of the database as a whole, not of what one write held: the next write would meet them too.
_STORE_WIDE = (StoreError, apsw.BusyError, apsw.LockedError, apsw.FullError, apsw.IOError, apsw.CorruptError,
               apsw.ReadOnlyError, apsw.CantOpenError, apsw.NotADBError, apsw.ConnectionClosedError)


def store_wide(exc: BaseException) -> bool:
    """True for a failure of the index itself (full disk, locked, read-only, damaged), not of the data written:
    an index pass stops on it rather than record one file after another as failed (engine.indexing.contain)."""
    return isinstance(exc, _STORE_WIDE)


@contextmanager
def immediate(conn: apsw.Connection) -> Iterator[None]:
    """A write transaction that takes the write lock up front (no upgrade deadlocks).

    A full disk is a `StoreError` saying so: SQLite has then often rolled the transaction
    back itself, and a second ROLLBACK would hide the reason behind "no transaction is active"."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        if not conn.getautocommit():
            conn.execute("ROLLBACK")
        if isinstance(exc, apsw.FullError):
            raise StoreError(DISK_FULL) from exc
        raise


@contextmanager
def snapshot(conn: apsw.Connection) -> Iterator[None]:
    """Several reads that see one state of the database (a read transaction), unless one is open already."""
    if not conn.getautocommit():
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if not conn.getautocommit():
            conn.execute("COMMIT")
