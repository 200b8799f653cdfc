"""What counts as an identifier: a piece the person means exactly, boosted above any paraphrase."""

from __future__ import annotations

import pytest

from engine.query import identifiers


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
