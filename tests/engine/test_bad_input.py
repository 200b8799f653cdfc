"""Bad files are recorded with a reason; the rest of the folder is indexed; nothing indexed is lost."""

from __future__ import annotations

import base64
import io
import multiprocessing
import os
import pwd
import random
import tempfile
import time
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from engine.cairn import Cairn
from engine.progress import run_to_result
from engine.indexing.chunk import ChunkSizes
from engine.extract import extract
from tests.fakes import FakeEmbedder


def index(cairn: Cairn):
    return run_to_result(cairn.index())


def reasons(cairn: Cairn) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in cairn.status().problems}


def make_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("The harbour master keeps the tide tables in the blue ledger.")
    return docs


@pytest.fixture
def cairn(cairn_home: Path, real_embedder, folder: Path) -> Cairn:
    c = Cairn(cairn_home, embedder=real_embedder)
    c.add_folder(folder)
    index(c)
    yield c
    c.close()


def found(cairn: Cairn, query: str) -> list[str]:
    return [Path(r.path).name for r in cairn.search(query, limit=3)]


def test_every_bad_file_gets_a_reason_and_the_rest_is_indexed(cairn: Cairn, folder: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage" + os.urandom(500))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("Secret minutes of the board."))))
    writer.encrypt("hunter2", algorithm="RC4-128")
    writer.write(folder / "locked.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Le café du marché ouvre à sept heures, déjà plein.".encode("latin-1"))
    (folder / "blob.bin").write_bytes(os.urandom(4096))
    with open(folder / "huge.txt", "wb") as handle:  # 200 MB, sparse: cheap to make
        handle.truncate(200 * 1024 * 1024)
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop
    (folder / "vanishing.txt").write_text("This file is deleted while Cairn reads it.")
    (folder / "fine.pdf").write_bytes(make_pdf("Quarterly minutes: the orchard cooperative approved the budget."))

    real_extract = cairn._extractor

    def delete_then_extract(path: Path, max_bytes: int):
        if path.name == "vanishing.txt":
            path.unlink()
        return real_extract(path, max_bytes)

    monkeypatch.setattr(cairn, "_extractor", delete_then_extract)
    report = index(cairn)
    why = reasons(cairn)
    assert "damaged" in why["corrupt.pdf"] or "corrupt" in why["corrupt.pdf"]
    assert "password-protected" in why["locked.pdf"]
    assert "disappeared" in why["vanishing.txt"]
    assert "MB limit" in why["huge.txt"]
    assert "binary" in why["blob.bin"] or "unsupported" in why["blob.bin"]
    assert "loop" in why["loop"]
    assert report.failed >= 5
    status = {Path(p): s for p, s in ((p.path, p.status) for p in cairn.status().problems)}
    assert "empty.txt" not in {p.name for p in status}, "an empty file is not an error"
    assert found(cairn, "café marché")[0] == "latin1.txt"
    assert found(cairn, "orchard cooperative budget")[0] == "fine.pdf"
    assert found(cairn, "tide tables ledger")[0] == "good.txt", "what was indexed before is still there"


def test_a_file_that_breaks_the_splitter_is_recorded_and_the_rest_indexed(cairn: Cairn, folder: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug after reading (splitting into passages) fails that file only, never the pass.

    Before, it ended the reader thread: the files behind it in the queue were silently
    left out, and on every later pass again."""
    import engine.indexing.indexer

    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(f"Notes {name}: the lighthouse keeper logs every passing ship.")
    real_split = engine.indexing.indexer.chunk_document

    def split_breaking_on_b(doc, count_tokens, sizes):  # type: ignore[no-untyped-def]
        if "b.txt" in doc.text:
            raise IndexError("a splitter bug")
        return real_split(doc, count_tokens, sizes)

    monkeypatch.setattr(engine.indexing.indexer, "chunk_document", split_breaking_on_b)
    report = index(cairn)
    assert report.failed == 1
    assert reasons(cairn) == {"b.txt": "could not be indexed (IndexError while splitting it into passages); "
                                       "tried again when it changes or Cairn is updated"}
    assert set(found(cairn, "lighthouse keeper passing ship")) >= {"a.txt", "c.txt"}


def test_a_note_with_pasted_base64_is_indexed_in_full_passages(cairn: Cairn, folder: Path, real_embedder) -> None:
    """A pasted attachment is cut into passages the model reads whole, and the words around it stay findable."""
    blob = base64.b64encode(random.Random(11).randbytes(15_000)).decode()
    (folder / "pasted.md").write_text("# Invoice\n\nThe plumber fixed the boiler valve on Tuesday.\n\n"
                                      f"{blob}\n\nPayment is due to the orchard cooperative by March.\n")
    index(cairn)
    assert "pasted.md" not in reasons(cairn)
    assert found(cairn, "plumber fixed the boiler valve")[0] == "pasted.md"
    assert found(cairn, "payment due to the orchard cooperative")[0] == "pasted.md"
    passages = [text for (text,) in cairn.store.conn.execute(
        "SELECT c.text FROM chunks c JOIN files f ON f.id = c.file_id WHERE f.path LIKE '%pasted.md' ORDER BY c.seq")]
    assert all(real_embedder.count_tokens(t) <= real_embedder.max_tokens for t in passages)
    # each cut of the blob used to leave a sliver of a few characters as a passage of its own (+50%)
    fewest = real_embedder.count_tokens(blob) / ChunkSizes.for_model(real_embedder.max_tokens).target
    assert len([t for t in passages if t in blob]) <= 1.1 * fewest + 1


def closed_file(root: Path, text: str) -> tuple[Path, Path]:
    """docs/closed.txt holding `text`, readable by no one but root, and a home: both where `nobody` may write."""
    os.chmod(root, 0o777)
    docs, home = root / "docs", root / "home"
    docs.mkdir()
    (docs / "closed.txt").write_text(text)
    os.chmod(docs / "closed.txt", 0o000)
    return docs, home


def _index_as_nobody(home: str, docs: str, out: "multiprocessing.Queue[object]") -> None:
    if os.geteuid() == 0:  # as root, chmod 000 does not stop reads
        nobody = pwd.getpwnam("nobody")
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    # in-process extraction: `nobody` may not execute this venv's interpreter to start a reader process
    with Cairn(home, embedder=FakeEmbedder(), extractor=extract) as cairn:
        cairn.add_folder(docs)
        index(cairn)
        status = cairn.status()
        out.put(([(Path(p.path).name, p.reason) for p in status.problems], status.folders[0].by_status))


def test_unreadable_file_is_recorded_as_permission_denied() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docs, home = closed_file(Path(tmp), "Nobody may read this.")
        (docs / "open.txt").write_text("Anyone may read about the lighthouse keeper.")
        out: multiprocessing.Queue[object] = multiprocessing.get_context("fork").Queue()
        child = multiprocessing.get_context("fork").Process(target=_index_as_nobody, args=(str(home), str(docs), out))
        child.start()
        problems, by_status = out.get(timeout=120)
        child.join(timeout=30)
        assert ("closed.txt", "permission denied: Cairn is not allowed to read this file") in problems
        assert by_status.get("indexed") == 1



def _index_twice_as_nobody(home: str, docs: str, go: "multiprocessing.Queue[object]",
                           out: "multiprocessing.Queue[object]") -> None:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    with Cairn(home, embedder=FakeEmbedder(), extractor=extract) as cairn:
        cairn.add_folder(docs)
        for _ in range(2):
            index(cairn)
            out.put(([Path(p.path).name for p in cairn.status().problems], found(cairn, "vault binder")))
            go.get(timeout=120)


def test_a_file_whose_permissions_are_fixed_is_read_at_the_next_pass() -> None:
    """chmod changes neither size nor time: without a look at the permission itself the file stayed
    "permission denied" until it was edited."""
    with tempfile.TemporaryDirectory() as tmp:
        docs, home = closed_file(Path(tmp), "The vault code is kept in the blue binder.")
        an_hour_ago = time.time() - 3600  # saved well before it is read: its stat is trusted
        os.utime(docs / "closed.txt", (an_hour_ago, an_hour_ago))
        fork = multiprocessing.get_context("fork")
        go: multiprocessing.Queue[object] = fork.Queue()
        out: multiprocessing.Queue[object] = fork.Queue()
        child = fork.Process(target=_index_twice_as_nobody, args=(str(home), str(docs), go, out))
        child.start()
        try:
            assert out.get(timeout=120) == (["closed.txt"], [])
            os.chmod(docs / "closed.txt", 0o644)  # the person fixes it
            go.put("again")
            assert out.get(timeout=120) == ([], ["closed.txt"])
        finally:
            go.put("done")
            child.join(timeout=30)
