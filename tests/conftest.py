"""Shared fixtures: every test gets its own Cairn home; the real model is loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest
import sqlite_vec

from engine.store import connect


def pytest_report_header(config: pytest.Config) -> list[str]:
    conn = connect(":memory:")
    sqlite, vec = conn.execute("SELECT sqlite_version(), vec_version()").fetchone()
    return [f"SQLite {sqlite} (APSW {apsw.apsw_version()}), sqlite-vec {vec} ({sqlite_vec.loadable_path()})"]


@pytest.fixture(autouse=True)
def cairn_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CAIRN_HOME at a fresh folder, so no test ever touches a real index."""
    home = tmp_path / "cairn-home"
    monkeypatch.setenv("CAIRN_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[object]:
    """The bundled GGUF model through llama-cpp-python, loaded once per test session."""
    from engine.embed import load_embedder

    yield load_embedder(threads=2)
