"""What is inside containers (issue #25): attachments and archive members are searched as documents of their own.

Real containers built by the tests (tests/containers.py), read in the real reader process, each
searched for a sentence that exists only inside the attachment or member. The fake embedder counts
what is embedded; keyword search needs no model (the real model's search is in test_containers_model).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from engine import SearchFilters, place_label
from engine.cairn import Cairn
from engine.extract.enclosed import member_path
from engine.progress import run_to_result
from tests.containers import (
    DOCX, PDF, XLSX, ZIP, append_messages, docx_bytes, mail, mailbox_in, nested_zips, pdf_bytes, xlsx_bytes, zip_bomb,
    zip_bytes,
)
from tests.engine.test_index_sync import consistent
from tests.fakes import FakeEmbedder


@pytest.fixture
def cairn() -> Cairn:
    c = Cairn(embedder=FakeEmbedder())
    yield c
    c.close()


def lease_mail() -> bytes:
    bundle = zip_bytes({"inner.zip": zip_bytes({"deep/letter.txt": b"The lighthouse keeper retired in autumn."}),
                        "schedule.txt": b"Inspection of the boathouse on Tuesdays."})
    return bytes(mail("Re: Lease renewal", "Please find the signed contract attached.", {
        "contract-signed.pdf": (PDF, pdf_bytes("Preamble.", "Recitals.", "The tenant shall repaint the orangery.")),
        "survey.docx": (DOCX, docx_bytes("Heron migration survey of the estuary.")),
        "budget.xlsx": (XLSX, xlsx_bytes("Quarterly budget for marmalade imports")),
        "bundle.zip": (ZIP, bundle),
    }))


def names(cairn: Cairn, query: str, **filters: object) -> list[str]:
    found = cairn.search(query, mode="keyword", limit=20, filters=SearchFilters(**filters))  # type: ignore[arg-type]
    return [r.path for r in found]


def test_attachments_and_nested_members_are_found_by_their_own_words(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lease-2025.eml").write_bytes(lease_mail())
    cairn.add_folder(docs)
    report = run_to_result(cairn.index())
    assert report.added == 1 and report.failed == 0
    eml = str(docs / "lease-2025.eml")
    assert names(cairn, "orangery") == [member_path(eml, "contract-signed.pdf")]
    assert names(cairn, "heron estuary") == [member_path(eml, "survey.docx")]
    assert names(cairn, "marmalade") == [member_path(eml, "budget.xlsx")]
    assert names(cairn, "lighthouse keeper") == [member_path(eml, "bundle.zip//inner.zip//deep/letter.txt")]
    # a type filter finds attached files of that type, and only those
    assert names(cairn, "orangery", types=(".pdf",)) == [member_path(eml, "contract-signed.pdf")]
    assert names(cairn, "orangery", types=(".docx",)) == []
    hit = cairn.search("orangery", mode="keyword")[0]
    assert hit.page == 3
    assert place_label(hit.path, hit.page, hit.location) == (
        "contract-signed.pdf, page 3 — attached to 'Re: Lease renewal' from A. Ortiz, 14 Feb 2025, in lease-2025.eml")
    consistent(cairn)


def test_deleting_or_moving_the_container_takes_what_it_holds(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "old").mkdir(parents=True)
    (docs / "old" / "lease.eml").write_bytes(lease_mail())
    cairn.add_folder(docs)
    run_to_result(cairn.index())
    embedded = sum(cairn.embedder.calls)  # type: ignore[attr-defined]
    shutil.move(docs / "old" / "lease.eml", docs / "lease-moved.eml")
    report = run_to_result(cairn.index())
    assert report.moved == 1 and sum(cairn.embedder.calls) == embedded  # type: ignore[attr-defined]
    assert names(cairn, "orangery") == [member_path(str(docs / "lease-moved.eml"), "contract-signed.pdf")]
    assert names(cairn, "lease") == [] or all("old" not in p for p in names(cairn, "lease"))
    (docs / "lease-moved.eml").unlink()
    run_to_result(cairn.index())
    assert names(cairn, "orangery") == [] and names(cairn, "lighthouse") == []
    assert cairn.store.conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    consistent(cairn)


def test_hostile_members_are_refused_and_their_siblings_indexed(cairn: Cairn, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "court-bundle.zip").write_bytes(zip_bytes({
        "../../outside.txt": b"Traversal text that must not be read.",
        "bomb.zip": zip_bomb(),
        "sealed.txt": b"Encrypted text that cannot be read.",
        "deep.zip": nested_zips(5, "The bottom of a nesting bomb."),
        "order.txt": b"The court orders the release of the pelican.",
    }, encrypted=("sealed.txt",)))
    cairn.add_folder(docs)
    run_to_result(cairn.index())
    zipped = str(docs / "court-bundle.zip")
    assert names(cairn, "pelican") == [member_path(zipped, "order.txt")]
    assert names(cairn, "traversal") == [] and names(cairn, "encrypted") == [] and names(cairn, "nesting") == []
    problems = {p.path: p.reason for p in cairn.status().problems}
    assert "path traversal" in problems[member_path(zipped, "../../outside.txt")]
    assert "zip bomb" in problems[member_path(zipped, "bomb.zip//zeros.txt")]
    assert "encrypted" in problems[member_path(zipped, "sealed.txt")]
    assert "nested more than 3 deep" in problems[member_path(zipped, "deep.zip//level1.zip//level2.zip//*")]
    consistent(cairn)


def test_a_mailbox_read_again_reads_only_new_messages(cairn: Cairn, tmp_path: Path) -> None:
    box = mailbox_in(tmp_path, range(1, 6))
    cairn.add_folder(box.parent)
    run_to_result(cairn.index())
    assert names(cairn, "weathervane3") == [member_path(str(box), "message 3//exhibit-3.pdf")]
    read_at = dict(cairn.store.conn.execute("SELECT path, indexed_at FROM files WHERE hash IS NOT NULL"))
    embedded = sum(cairn.embedder.calls)  # type: ignore[attr-defined]
    append_messages(box, range(6, 8))
    run_to_result(cairn.index())
    assert names(cairn, "weathervane7") == [member_path(str(box), "message 7//exhibit-7.pdf")]
    # the two new messages and their attachments, one passage each: nothing else embedded or read again
    assert sum(cairn.embedder.calls) - embedded == 4  # type: ignore[attr-defined]
    again = dict(cairn.store.conn.execute("SELECT path, indexed_at FROM files WHERE hash IS NOT NULL"))
    assert {p: again[p] for p in read_at} == read_at
    consistent(cairn)


def test_an_attachment_opened_leaves_nothing_behind(cairn: Cairn, tmp_path: Path, cairn_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lease.eml").write_bytes(lease_mail())
    system_temp = tmp_path / "system-temp"  # the system's temporary folder, as this process sees it
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    path = member_path(str(docs / "lease.eml"), "bundle.zip//inner.zip//deep/letter.txt")
    with cairn.member_copy(path) as copy:
        assert copy.read_bytes() == b"The lighthouse keeper retired in autumn."
        assert copy.name == "letter.txt" and copy.is_relative_to(cairn_home)
        assert oct(copy.stat().st_mode & 0o777) == "0o600" and oct(copy.parent.stat().st_mode & 0o777) == "0o700"
    assert not copy.exists() and not copy.parent.exists()
    assert list((cairn.paths.data / "opened").iterdir()) == []
    assert list(system_temp.iterdir()) == []
    with pytest.raises(Exception, match="path traversal|no longer"):
        with cairn.member_copy(member_path(str(docs / "lease.eml"), "../../etc/passwd")):
            pass
    assert list((cairn.paths.data / "opened").iterdir()) == []
