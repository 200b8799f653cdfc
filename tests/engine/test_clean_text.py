"""What readers return is text SQLite, JSON and the GUI can hold: one boundary, on every reader's path (issue #22).

A PDF whose ToUnicode map names a lone surrogate stopped `cairn index` for good: the
passage could not be encoded as UTF-8 for SQLite, and every later pass met the same file.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from engine import extract as extract_package
from engine.extract import Document, Heading, extract
from engine.extract.clean import REPLACEMENT, clean_text
from engine.extract.kinds import extensions_by_kind
from tests.cli.test_cli import cairn

NOT_TEXT = ["\x00", "\ud800", "\udfff", "\udc80", "\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]
FINE = "Tab\there, é, 漢字, emoji \U0001f600, a replacement char \ufffd, U+FDCF \ufdcf, U+FFFD, a bell \x07."


@pytest.mark.parametrize("bad", NOT_TEXT)
def test_each_code_point_that_is_not_text_becomes_one_replacement_character(bad: str) -> None:
    text = f"before{bad}after{bad}"
    cleaned = clean_text(text)
    assert cleaned == f"before{REPLACEMENT}after{REPLACEMENT}"
    assert len(cleaned) == len(text), "offsets of pages, headings and passages stay true"
    cleaned.encode("utf-8")


def test_text_that_is_text_is_left_alone() -> None:
    assert clean_text(FINE) is FINE


def dirty_document(kind: str) -> Document:
    text = "Intro \ud800 line\x00 and \ufffe.\n\nSection \udcff two"
    return Document(text=text, kind=kind, title="Title \ud83d", headings=(Heading(21, 1, "Section \udcff two"),),
                    truncated=True, gap="pages 3\x00-4 \ufdd0")


READERS = sorted(extract_package._EXTRACTORS.items())


@pytest.mark.parametrize(("kind", "reader"), READERS, ids=[kind for kind, _ in READERS])
def test_every_readers_output_passes_the_boundary(kind: str, reader: tuple[str, str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a reader returns, `extract` (the path of every reader, in the sandbox or not) hands on text."""
    module, name = reader
    monkeypatch.setattr(importlib.import_module(f"engine.extract.{module}"), name,
                        lambda *args, **kwargs: dirty_document(kind))
    path = tmp_path / f"file{extensions_by_kind()[kind][0]}"
    path.write_bytes(b"anything")
    doc = extract(path, 1 << 20)
    dirty = dirty_document(kind)
    assert doc.text == clean_text(dirty.text) and len(doc.text) == len(dirty.text)
    assert doc.title == "Title " + REPLACEMENT
    assert doc.headings == (Heading(21, 1, "Section \ufffd two"),)
    assert doc.gap == "pages 3\ufffd-4 \ufffd"
    json.dumps([doc.text, doc.title, doc.gap], ensure_ascii=False).encode("utf-8")


def pdf_with_to_unicode(code_points: dict[str, str]) -> bytes:
    """A one-page PDF whose font's ToUnicode map sends the given byte codes (hex) to the given UTF-16 values (hex)."""
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Bad def /CMapType 2 def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"{len(code_points)} beginbfchar\n"
            + "".join(f"<{code}> <{value}>\n" for code, value in code_points.items())
            + "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end\n").encode()
    content = b"BT /F1 12 Tf 72 700 Td (Harbour ABC tide tables) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def real_inputs() -> dict[str, bytes]:
    """Files whose real readers, before the boundary, returned code points that are not text."""
    return {
        # pypdf decodes ToUnicode values with "surrogatepass": A -> U+D800, B -> U+FFFE
        "surrogate.pdf": pdf_with_to_unicode({"41": "D800", "42": "FFFE"}),
        # valid UTF-8 for U+FFFE and U+FDD0: decoded as they are
        "nonchar.txt": "Harbour notes \ufffe and \ufdd0 on tide tables.".encode("utf-8"),
        "nonchar.md": "# Tide tables\n\nHarbour notes \uffff here.".encode("utf-8"),
    }


@pytest.mark.parametrize("name", sorted(real_inputs()))
def test_real_readers_output_is_cleaned(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(real_inputs()[name])
    raw = extract_package._read(path, 1 << 20, None)
    assert raw.text != clean_text(raw.text), "this input really gives what is not text (else the test tests nothing)"
    doc = extract(path, 1 << 20)
    assert doc.text == clean_text(raw.text) and "Harbour" in doc.text
    doc.text.encode("utf-8")


@pytest.mark.cli
@pytest.mark.model
def test_cairn_index_reads_such_files_and_their_snippets_are_valid_json(tmp_path: Path, cairn_home: Path) -> None:
    """The user's path, with the real model: the pass ends well, the files are found, the output is UTF-8 JSON."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, data in real_inputs().items():
        (docs / name).write_bytes(data)
    (docs / "after.txt").write_text("Minutes of the lighthouse keepers' meeting.")
    cairn("add", str(docs), home=cairn_home)
    indexed = cairn("index", home=cairn_home)
    assert "0 failed" in indexed.stdout, indexed.stdout + indexed.stderr
    status = json.loads(cairn("status", "--json", home=cairn_home).stdout)
    assert status["files"] == 4 and status["problems"] == []
    found = cairn("search", "harbour tide tables", "--json", home=cairn_home)
    results = json.loads(found.stdout)
    assert {Path(r["path"]).name for r in results} >= set(real_inputs())
    found.stdout.encode("utf-8")
    assert all("\ufffd" in r["text"] for r in results if Path(r["path"]).name in real_inputs())
    assert "0 added" in cairn("index", home=cairn_home).stdout
