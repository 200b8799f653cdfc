"""A hit in a presentation says which slide to open, as a PDF's says which page."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import cairn
from tests.engine.test_office_formats import pitch_deck


def test_search_names_the_slide_of_a_presentation(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pitch.pptx").write_bytes(pitch_deck())
    cairn("add", str(docs), home=cairn_home)
    assert "1 added" in cairn("index", home=cairn_home).stdout
    first = cairn("search", "dredging contract", "--mode", "keyword", home=cairn_home).stdout.splitlines()[0]
    assert first.startswith("1. ") and first.split("  ")[:2] == [f"1. {docs / 'pitch.pptx'}", "(slide 2)"]
