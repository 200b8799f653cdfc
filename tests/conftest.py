"""Shared fixtures: every test gets its own Cairn home; the real model is loaded once."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import apsw
import keyring
import keyring.core
import pytest
import sqlite_vec

from engine.store import connect
from tests.fakes import MemoryKeyring


TESTS = Path(__file__).resolve().parent
# Tiers (./test.sh -m fast, -m "not desktop", ...): a test is in every tier whose parts it uses, and in
# "fast" when it uses none of them. The whole suite is what CI runs.
TIERS = {
    "model": "loads the bundled embedding or chat model (real_embedder, or marked by hand)",
    "watchdog": "waits for real file-system events from watchdog",
    "cli": "runs the `cairn` command in a subprocess",
    "desktop": "runs Qt widgets or the whole app (pytest-qt, offscreen)",
    "ocr": "reads pictures with real Tesseract OCR (test files named *ocr*; 1-2 minutes in all)",
    "slow": "reads large or hostile files up to the reader process's time and memory limits (marked by hand)",
    "fast": "none of the above: the real SQLite/sqlite-vec store and real files, a fake embedder at most",
}


MODEL_FIXTURES = {"real_embedder", "e5"}  # fixtures that load a bundled model (directly or through others)


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tiers = {name for name in TIERS if item.get_closest_marker(name)}
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in ("cli", "desktop"):
            tiers.add(folder)
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            tiers.add("model")
        if "ocr" in item.path.name:
            tiers.add("ocr")
        if item.path.name == "test_watch.py":
            tiers.add("watchdog")
        for name in tiers or {"fast"}:
            item.add_marker(name)


def pytest_report_header(config: pytest.Config) -> list[str]:
    conn = connect(":memory:")
    sqlite, vec = conn.execute("SELECT sqlite_version(), vec_version()").fetchone()
    return [f"SQLite {sqlite} (APSW {apsw.apsw_version()}), sqlite-vec {vec} ({sqlite_vec.loadable_path()})"]


@pytest.fixture(autouse=True)
def cairn_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point CAIRN_HOME at a fresh folder, so no test ever touches a real index."""
    home = tmp_path / "cairn-home"
    monkeypatch.setenv("CAIRN_HOME", str(home))
    # A new index picks its embedding model by the system language (engine/embed/choice.py): the same
    # English one on every machine, unless a test sets another
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    return home


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """Stand in for the OS keyring for one test.

    Set where `keyring.set_keyring` keeps it, so that the real backend is never even
    looked up (that may talk to D-Bus) and is back as it was after the test."""
    fake = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", fake)
    return fake


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[object]:
    """The bundled GGUF model through llama-cpp-python, loaded once per test session."""
    from engine.embed import load_embedder

    yield load_embedder(threads=2)


@pytest.fixture(scope="session")
def e5() -> Iterator[object]:
    """The multilingual GGUF model (built by setup.sh), loaded once per test session."""
    from engine.embed import load_embedder

    model = Path(__file__).resolve().parents[1] / "engine" / "models" / "multilingual-e5-small.Q4_0.gguf"
    if not model.is_file():
        pytest.fail(f"{model} is missing: run setup.sh (or packaging/build_multilingual_model.py)")
    with load_embedder(model, threads=2) as embedder:
        yield embedder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without waiting for Qt thread pools a desktop test left busy.

    QThreadPool's destructor waits for its running jobs at interpreter exit; one CI run
    hung there after every test had passed (a writer-lane job still running). The cause
    found later: an index pass stopped just as it began waited forever for its file
    reader (fixed in engine/indexing/indexer.py, tested in tests/engine/test_watch.py); this stays
    so that any other stuck worker fails its test (tests/desktop/conftest.py) instead of
    hanging the run. The results are final by now, so the exit status is kept."""
    status = config.stash.get(_EXIT_STATUS, None)
    if status is None or "PySide6.QtCore" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


_EXIT_STATUS = pytest.StashKey[int]()
