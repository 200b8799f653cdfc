"""A scan found by what is typed on it, through `cairn index` and `cairn search` as a person runs them.

The reader process (engine.runtime.sandbox) does the OCR with its time and memory limits; the
index and search are the real ones, with the bundled embedding model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.extract.ocr.tessdata import tessdata_dir
from tests.cli.test_cli import cairn
from tests.scans import LETTER, encoded, page, photo, png_claiming, tiff_pages

pytestmark = pytest.mark.skipif(tessdata_dir() is None, reason="Tesseract data not installed (run ./setup.sh)")


def test_a_scanned_invoice_is_found_by_its_number_and_cited_by_page(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "invoice-scan.jpg").write_bytes(encoded(page(LETTER).rotate(180), "JPEG", quality=80))
    fax = [page(["Court of Appeal", "Notice of hearing"]), page(["Case number CA-2024-00981", "Listed for 3 June"])]
    (docs / "court-fax.tif").write_bytes(tiff_pages(fax))
    (docs / "holiday.jpg").write_bytes(encoded(photo(), "JPEG", quality=85))
    (docs / "bomb.png").write_bytes(png_claiming(30_000, 30_000))
    (docs / "notes.txt").write_text("Shopping list: bread, milk, eggs.\n")

    cairn("add", str(docs), home=cairn_home)
    indexed = cairn("index", home=cairn_home).stdout
    assert "1 failed" in indexed  # the bomb, refused with its reason

    hits = json.loads(cairn("search", "INV-58213", "--json", home=cairn_home).stdout)
    assert Path(hits[0]["path"]).name == "invoice-scan.jpg" and hits[0]["page"] == 1
    hits = json.loads(cairn("search", "CA-2024-00981", "--json", home=cairn_home).stdout)
    assert Path(hits[0]["path"]).name == "court-fax.tif" and hits[0]["page"] == 2
    assert hits[0]["from_scan"] and 0 < hits[0]["ocr_confidence"] <= 100
    assert hits[0]["note"].startswith("read from a scan")
    shown = cairn("search", "CA-2024-00981", home=cairn_home).stdout
    assert "read from a scan" in shown.splitlines()[0]
    typed = json.loads(cairn("search", "Shopping list bread milk", "--json", home=cairn_home).stdout)
    assert Path(typed[0]["path"]).name == "notes.txt"
    assert not typed[0]["from_scan"] and typed[0]["ocr_confidence"] is None and typed[0]["note"] is None

    status = json.loads(cairn("status", "--json", home=cairn_home).stdout)
    reasons = {Path(p["path"]).name: (p["status"], p["reason"]) for p in status["problems"]}
    assert reasons["bomb.png"][0] == "error" and "too large" in reasons["bomb.png"][1]
    assert "holiday.jpg" not in reasons or reasons["holiday.jpg"][0] != "error"  # no text: nothing to index
    assert sorted(p.name for p in docs.iterdir()) == ["bomb.png", "court-fax.tif", "holiday.jpg", "invoice-scan.jpg",
                                                      "notes.txt"]


def test_ocr_languages_follow_the_settings_and_a_missing_one_is_named(tmp_path: Path, cairn_home: Path) -> None:
    from engine.extract.ocr.tessdata import installed_languages

    absent = next(c for c in ("deu", "fra", "ita", "spa", "nld") if c not in installed_languages(tessdata_dir()))
    shown = cairn("status", home=cairn_home).stdout
    assert "OCR languages: eng" in shown and "OCR data missing" not in shown
    cairn("config", "set", "ocr_languages", f"eng+{absent}", home=cairn_home)
    shown = cairn("status", home=cairn_home).stdout
    assert "OCR languages: eng" in shown
    assert f"OCR data missing for {absent}" in shown and f"tesseract-ocr-{absent}" in shown
    status = json.loads(cairn("status", "--json", home=cairn_home).stdout)
    assert status["ocr_languages"] == ["eng"] and status["ocr_missing"] == [absent]
    refused = cairn("config", "set", "ocr_languages", "english", home=cairn_home, check=False)
    assert refused.returncode != 0 and "ocr_languages" in refused.stderr + refused.stdout


def test_by_default_ocr_reads_english_and_the_locales_language(cairn_home: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "CAIRN_HOME": str(cairn_home), "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    shown = subprocess.run([sys.executable, "-m", "engine.cli", "status"], capture_output=True, text=True, env=env,
                           timeout=120).stdout
    from engine.extract.ocr.tessdata import installed_languages

    if "fra" in installed_languages(tessdata_dir()):
        assert "OCR languages: eng+fra" in shown
    else:
        assert "OCR data missing for fra" in shown
