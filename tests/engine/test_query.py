"""How a typed query is read: identifiers (meant exactly, boosted above any paraphrase) and slash-joined alternatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cairn import Cairn
from engine.search.query import identifiers


@pytest.mark.parametrize("query,expected", [
    ("the ruling in 2023-CV-04417", ["2023-CV-04417"]),
    ("where did I save report_v2.pdf", ["report_v2.pdf"]),
    ("why doesn't list.sort() return the list", ["list.sort"]),
    ("std::vector growth and __del__", ["std::vector", "__del__"]),
    ("SHA1 digests over IPv6", ["SHA1", "IPv6"]),
    ("Python 3.11 release notes", ["3.11"]),
])
def test_codes_numbers_and_file_names_are_identifiers(query: str, expected: list[str]) -> None:
    assert identifiers(query) == expected


@pytest.mark.parametrize("query", [
    "floating-point rounding, OS-specific",  # hyphenated words
    "catch stdout/stderr of a child",  # slash-joined words
    "methods, e.g. for lists",  # abbreviations
    "why does -22 // 10 return -3",  # small numbers
    "What are Perl 4 and Perl 5",
])
def test_ordinary_words_are_not_identifiers(query: str) -> None:
    assert identifiers(query) == []


def test_slash_joined_words_are_found_apart(tmp_path: Path) -> None:
    """"beginning/end" asks for either word; as one phrase it matched only the two side by side."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "strip.txt").write_text("To remove blank space at the end of a string, use rstrip.\n")
    (docs / "paths.txt").write_text("Mount points are listed in /etc/fstab, one per line.\n")
    (docs / "etc.txt").write_text("Odds and bits, etc. A fstab is mentioned here too.\n")
    with Cairn(tmp_path / "home", embedder=None) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
        found = [Path(r.path).name for r in cairn.search("beginning/end", mode="keyword")]
        assert found == ["strip.txt"]
        path = [Path(r.path).name for r in cairn.search("/etc/fstab", mode="keyword")]
        assert path[0] == "paths.txt"  # a leading slash makes a path: still one phrase
