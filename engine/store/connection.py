"""Opening the index: encryption, sqlite-vec, WAL, private permissions, migrations.

Why APSW (through `apsw-sqlite3mc`) rather than the stdlib: many Pythons (macOS's,
this machine's) cannot load extensions, and SQLite3 Multiple Ciphers gives
encryption at rest. sqlite-vec is loaded in exactly one place, `connect()`.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from pathlib import Path

import apsw
import sqlite_vec

from engine.language import tokenizer
from engine.errors import PassphraseRequired, StoreError, WrongPassphrase
from engine.store.migrations import MIGRATIONS, migrate
from engine.store.sql import scalar

BUSY_TIMEOUT_MS = 10_000

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_encrypted(path: Path | str) -> bool:
    """An existing database whose first bytes are not SQLite's plain header."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return False
    return len(head) == 16 and head != SQLITE_MAGIC



def apply_key(conn: apsw.Connection, key: str) -> None:
    """Must be the first statement on the connection; PRAGMA takes no bound parameters."""
    conn.execute("PRAGMA key = '" + key.replace("'", "''") + "'")


def connect(path: Path | str, *, readonly: bool = False, key: str | None = None) -> apsw.Connection:
    """Open the index with sqlite-vec loaded, WAL on, migrations applied.

    With `key`, the database is encrypted with SQLite3 Multiple Ciphers (ChaCha20):
    pages, WAL and journal alike. A wrong or missing key is detected by a read
    before anything is written."""
    flags = apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
    if readonly:
        return _connect_read_only(Path(path), key)
    if str(path) != ":memory:":
        create_private(Path(path))
    try:
        conn = open_checked(path, flags, key)
        if not readonly:
            _use_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
    except apsw.Error as exc:
        raise StoreError(f"Cannot open the index at {path}: {exc}") from exc
    return conn


def _connect_read_only(path: Path, key: str | None) -> apsw.Connection:
    """Open an index that cannot be written (a read-only mount, no write permission).

    A WAL database is read through its shared-memory file (-shm), which SQLite must create
    beside it when it is missing, as it is after a clean close; in a folder that cannot be
    written that fails ("unable to open database file"). The index is then opened
    immutable: nothing can change it while it cannot be written, and its WAL is empty.
    A WAL still holding changes (a copy taken while Cairn wrote) cannot be read that way:
    that index needs a writable folder once."""
    if not path.exists():
        raise StoreError(f"There is no index at {path}, and it cannot be created there (read-only).")
    try:
        try:
            conn = open_checked(path, apsw.SQLITE_OPEN_READONLY, key)
        except apsw.CantOpenError:
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(
                    f"The index at {path} is read-only and its latest changes are still in {wal.name}, which "
                    f"only a writable folder lets Cairn read. Open it once where it can be written.") from None
            uri = "file:" + urllib.parse.quote(str(path)) + "?immutable=1"
            conn = open_checked(uri, apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI, key)
        has_table = scalar(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'migrations'")
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")} if has_table else set()
    except apsw.Error as exc:
        raise StoreError(f"Cannot open the index at {path}: {exc}") from exc
    if any(name not in done for name, _ in MIGRATIONS):  # reading it as it is would fail on a missing table
        conn.close()
        raise StoreError(f"The index at {path} is read-only and was made by an older Cairn (or never finished): "
                         "it is brought up to date the first time it is opened where it can be written.")
    return conn


def open_checked(path: Path | str, flags: int, key: str | None) -> apsw.Connection:
    """A connection, unlocked and checked readable, with sqlite-vec loaded; its journal mode and schema untouched."""
    conn = apsw.Connection(str(path), flags=flags)
    conn.set_busy_timeout(BUSY_TIMEOUT_MS)  # before the first read: another connection may be migrating
    if key:
        apply_key(conn, key)
    _check_readable(conn, path, key)
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.enable_load_extension(False)
    tokenizer.register(conn)  # the keyword index's words are analysed by Python code, inside SQLite
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def _use_wal(conn: apsw.Connection) -> None:
    """Switch to WAL, waiting out the connections that open a new index at the same moment.

    Changing the journal mode can fail with "database is locked" at once, without the busy
    handler being called, while another connection is making the same switch."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except apsw.BusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def create_private(path: Path) -> None:
    """Create the file 0600 before SQLite does: its WAL and shared-memory files copy these permissions."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _check_readable(conn: apsw.Connection, path: Path | str, key: str | None) -> None:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except apsw.NotADBError:
        conn.close()
        if key:
            raise WrongPassphrase("The passphrase for the encrypted index is wrong; nothing was changed.") from None
        if is_encrypted(path):
            raise PassphraseRequired(
                "The index is encrypted: give its passphrase (Cairn asks for it on a terminal, "
                "or set CAIRN_PASSPHRASE)."
            ) from None
        raise

