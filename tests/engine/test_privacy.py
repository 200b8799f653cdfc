"""Privacy promises, each checked on the bytes Cairn leaves on disk."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import numpy as np
import pytest

from engine.cairn import Cairn
from engine.errors import PassphraseRequired, WrongPassphrase

SECRET = "The patient Quillon Vantreska reported dizziness after the zygomatic implant"
WORD = "Vantreska"
FILE_NAME = "vantreska-intake.txt"
PASS = "correct horse battery"


def index(cairn: Cairn) -> None:
    for _ in cairn.index():
        pass


def all_bytes(home: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in home.rglob("*") if p.is_file()]


def leaks(home: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path, data in all_bytes(home):
        for needle in needles:
            if needle in data:
                found.append(f"{path.name} contains {needle[:24]!r}")
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / FILE_NAME).write_text(SECRET + ".\n")
    (docs / "other.txt").write_text("A harmless note about the weather in spring.\n")
    return docs


def vector_bytes(cairn: Cairn) -> bytes:
    row = cairn.store.conn.execute(
        "SELECT e.vector FROM embeddings e JOIN chunks c ON c.id = e.chunk_id WHERE c.text LIKE ?", (f"%{WORD}%",)
    ).fetchone()
    return bytes(row[0])[:32]


def test_encrypted_from_first_run_leaves_nothing_in_the_clear(folder: Path, cairn_home: Path, real_embedder,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_PASSPHRASE", PASS)
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        vec = vector_bytes(cairn)
        assert cairn.encrypted
        assert cairn.search("dizziness after an implant")[0].path.endswith(FILE_NAME)
        # while open: the WAL holds fresh pages, and must be encrypted too
        assert (cairn_home / "data" / "index.db-wal").exists()
        assert leaks(cairn_home, [SECRET.encode(), WORD.encode(), FILE_NAME.encode(), vec]) == []
    assert leaks(cairn_home, [SECRET.encode(), WORD.encode(), FILE_NAME.encode(), vec]) == []


def test_encrypt_later_then_wrong_or_missing_passphrase(folder: Path, cairn_home: Path, real_embedder,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        vec = vector_bytes(cairn)
        assert leaks(cairn_home, [WORD.encode()]), "a plain index holds the text (so the check below means something)"
        cairn.encrypt(PASS)
        assert cairn.search("dizziness after an implant")[0].path.endswith(FILE_NAME), "still usable"
    assert leaks(cairn_home, [SECRET.encode(), WORD.encode(), FILE_NAME.encode(), vec]) == []

    db = cairn_home / "data" / "index.db"
    before = db.read_bytes()
    with pytest.raises(PassphraseRequired, match="CAIRN_PASSPHRASE"):
        Cairn(cairn_home, embedder=real_embedder)
    with pytest.raises(WrongPassphrase, match="wrong"):
        Cairn(cairn_home, embedder=real_embedder, passphrase="not the passphrase")
    assert db.read_bytes() == before, "a failed unlock writes nothing"

    monkeypatch.setenv("CAIRN_PASSPHRASE", PASS)
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.encrypt("a brand new passphrase")
    with Cairn(cairn_home, embedder=real_embedder, passphrase="a brand new passphrase") as cairn:
        assert cairn.status().files == 2


def test_interrupted_rekey_leftover_is_discarded(folder: Path, cairn_home: Path, real_embedder) -> None:
    """A copy left by a killed `encrypt` holds the whole index, forgotten text included; it goes at the
    next write. Merely opening the index leaves it: it may be the copy of a re-key running right now."""
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
    db = cairn_home / "data" / "index.db"
    leftover = db.with_name("index.db.rekey")  # as if killed after copying, before the swap
    leftover.write_bytes(db.read_bytes())
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        assert cairn.status().files == 2 and not cairn.encrypted
        assert leftover.exists()
        cairn.forget(folder / FILE_NAME)
    assert not leftover.exists(), "a plaintext copy must not linger"
    assert leaks(cairn_home, [SECRET.encode(), WORD.encode()]) == []


def test_forget_wipes_the_text_from_the_database_files(folder: Path, cairn_home: Path, real_embedder) -> None:
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        assert leaks(cairn_home, [WORD.encode()])
        assert cairn.forget(folder / FILE_NAME) == 1
        assert leaks(cairn_home, [SECRET.encode(), WORD.encode()]) == []
        index(cairn)  # and it is not indexed again
        assert cairn.search(WORD, mode="keyword") == []
        assert cairn.status().files == 1
    assert leaks(cairn_home, [SECRET.encode(), WORD.encode()]) == []


def test_removing_a_folder_wipes_its_text(folder: Path, cairn_home: Path, real_embedder) -> None:
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        cairn.remove_folder(folder)
    assert leaks(cairn_home, [SECRET.encode(), WORD.encode()]) == []


def test_data_is_private_to_the_user(folder: Path, cairn_home: Path, real_embedder) -> None:
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        cairn.settings.save(cairn.paths)
        for path in [cairn_home / "data", cairn_home / "config", cairn_home / "cache"]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
        for path, _ in all_bytes(cairn_home):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path.name} is readable by others"


def test_logs_hold_no_text_paths_or_queries(folder: Path, cairn_home: Path, real_embedder) -> None:
    query = "zygomatic dizziness"
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        cairn.search(query)
    log = (cairn_home / "data" / "cairn.log").read_text()
    assert "index pass" in log and "search" in log, "the log is written (so the check below means something)"
    for needle in (WORD, "zygomatic", "dizziness", FILE_NAME, str(folder)):
        assert needle not in log


def test_no_socket_is_opened(folder: Path, cairn_home: Path, real_embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python side: any attempt to create a socket or resolve a name fails loudly and is counted."""
    attempts: list[str] = []

    def refuse(name: str):
        def fail(*args: object, **kwargs: object) -> None:
            attempts.append(name)
            raise AssertionError(f"network access attempted: {name}")
        return fail

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        assert cairn.search("implant complications")
        if hasattr(cairn, "ask"):
            job = cairn.ask("What did the patient report?", generative=False)
            try:
                while True:
                    next(job)
            except StopIteration:
                pass
    assert attempts == []


def test_a_passphrase_kept_in_the_keyring_follows_every_change(cairn_home: Path, memory_keyring,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`cairn encrypt --keyring`, later `cairn encrypt` without the flag: the keyring used to keep
    the old passphrase, and every command after that failed with "wrong passphrase"."""
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(cairn_home) as cairn:
        cairn.encrypt(PASS, keep_in_keyring=True)
    with Cairn(cairn_home) as cairn:  # unlocked from the keyring
        assert cairn.encrypted
        cairn.encrypt("a brand new passphrase")
    assert list(memory_keyring.passwords.values()) == ["a brand new passphrase"]
    with Cairn(cairn_home) as cairn:
        assert cairn.status().files == 0


def test_a_stale_passphrase_in_the_keyring_is_named_as_such(cairn_home: Path, memory_keyring,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring can still fall behind (a change killed between the swap and the keyring
    update): the error says which stored passphrase failed, not only "wrong"."""
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(cairn_home) as cairn:
        cairn.encrypt(PASS, keep_in_keyring=True)
    [entry] = memory_keyring.passwords
    memory_keyring.passwords[entry] = "an older passphrase"
    with pytest.raises(WrongPassphrase, match="kept in the OS keyring is wrong"):
        Cairn(cairn_home)
    monkeypatch.setenv("CAIRN_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongPassphrase, match="CAIRN_PASSPHRASE is wrong"):
        Cairn(cairn_home)


@pytest.mark.slow
def test_log_files_stay_private_after_rotation(cairn_home: Path) -> None:
    """The log is rotated at 1 MB: the file started afresh (and the older ones renamed) must be 0600 as
    the first one was, whatever the umask (the handler used to create it with the default 0644)."""
    old_umask = os.umask(0o022)
    try:
        with Cairn(cairn_home) as cairn:
            line = "index pass: 0 added, 0 updated, 0 moved, 0 removed, 0 unchanged, 0 failed " + "." * 100
            for _ in range(25_000):  # about 4 MB: two rotations, and a fresh cairn.log
                cairn.log.info(line)
    finally:
        os.umask(old_umask)
    logs = sorted((cairn_home / "data").glob("cairn.log*"))
    assert [p.name for p in logs] == ["cairn.log", "cairn.log.1", "cairn.log.2"], "rotated (so the check means something)"
    for path in logs:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path.name} is readable by others"


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads the worker's limits from /proc (Linux)")
def test_a_crashing_reader_leaves_no_core_file(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader process holds the text of the file it reads: if it crashes (a parser bug on a hostile
    file), a core dump would write that text into the current folder, outside the index and unencrypted."""
    import resource
    import signal

    from engine.runtime.sandbox import SandboxedExtractor

    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # as a developer's shell with `ulimit -c unlimited`
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    reader = SandboxedExtractor()
    try:
        assert WORD in reader(folder / FILE_NAME, 1 << 20).text
        proc = reader._proc
        assert proc is not None and proc.pid is not None
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        core_line = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
        assert core_line.split()[4:6] == ["0", "0"], core_line
        os.kill(proc.pid, signal.SIGSEGV)  # as a crash inside a parser
        proc.join()
        assert proc.exitcode == -signal.SIGSEGV
        assert WORD in reader(folder / FILE_NAME, 1 << 20).text, "a fresh reader takes over"
    finally:
        reader.close()
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
    assert list(cwd.iterdir()) == [], "no core file"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the reader's environment from /proc (Linux)")
def test_the_reader_process_never_holds_the_passphrase(folder: Path, cairn_home: Path, real_embedder,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader parses untrusted files: a PDF that takes it over must not find the index passphrase
    (nor a new one being set) in its environment, where /proc/self/environ would hand it out."""
    monkeypatch.setenv("CAIRN_PASSPHRASE", PASS)
    monkeypatch.setenv("CAIRN_NEW_PASSPHRASE", "a new passphrase being set")
    with Cairn(cairn_home, embedder=real_embedder) as cairn:
        cairn.add_folder(folder)
        index(cairn)
        assert cairn.search(WORD, mode="keyword"), "indexed through the reader"
        proc = cairn._extractor._proc  # type: ignore[attr-defined]
        assert proc is not None and proc.is_alive()
        try:
            environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        except PermissionError:
            pytest.skip("the reader is not dumpable, so only root may read its environment")
    names = {entry.split(b"=", 1)[0] for entry in environ if entry}
    assert b"PATH" in names and b"CAIRN_HOME" in names, "the rest of the environment is there"
    assert not {b"CAIRN_PASSPHRASE", b"CAIRN_NEW_PASSPHRASE"} & names
    assert not [entry for entry in environ if PASS.encode() in entry]
