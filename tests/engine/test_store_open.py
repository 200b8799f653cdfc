"""Opening the index: the app opens several connections to one home at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from engine.store import connect


def test_connections_opening_a_new_index_at_once_all_succeed(tmp_path: Path) -> None:
    """At first launch the app's reader and writer create the index together.

    Two failures were possible: the first read ran before the busy timeout was set
    ("database is locked" while the other connection migrated), and both connections
    applied the same migration ("table meta already exists"). The desktop showed either
    as an error instead of indexing."""
    failures: list[BaseException] = []
    for attempt in range(40):
        path = tmp_path / f"index-{attempt}.db"
        start = threading.Barrier(3)

        def open_it() -> None:
            start.wait()
            try:
                connect(path).close()
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures, f"{len(failures)} of 120 opens failed, e.g. {failures[0]}"


def test_a_read_only_index_from_an_older_cairn_is_refused_with_a_reason(tmp_path: Path) -> None:
    """Opened read-only, an index cannot be migrated: queries would fail later on a missing table or column."""
    import pytest

    from engine.errors import StoreError
    from engine.store.migrations import MIGRATIONS

    db = tmp_path / "index.db"
    conn = connect(db)
    assert "m009_ocr_boxes" in dict(MIGRATIONS)
    conn.execute("DELETE FROM migrations WHERE name = 'm009_ocr_boxes'")  # as an older Cairn left it
    conn.execute("ALTER TABLE ocr_pages DROP COLUMN boxes")
    conn.close()
    with pytest.raises(StoreError, match="older Cairn"):
        connect(db, readonly=True)
    connect(db).close()  # where it can be written, it is brought up to date
    connect(db, readonly=True).close()
