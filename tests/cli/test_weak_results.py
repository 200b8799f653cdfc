"""`cairn search` shows matches, not the nearest of nothing: weak results are cut, counted and shown on --all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.test_cli import cairn
from tests.corpus import DOCS, write_corpus

RESULT = re.compile(r"\d+\. ")  # a numbered result line


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("weak-cli")
    cairn("add", str(write_corpus(root / "docs")), home=root / "home")
    cairn("index", home=root / "home")
    return root / "home"


def test_strong_results_are_shown_and_weak_ones_counted(home: Path) -> None:
    lines = cairn("search", "recovering from an operation on a torn knee tendon", "--limit", "30",
                  home=home).stdout.splitlines()
    assert lines[0].startswith("1. ") and "ortho-notes.txt" in lines[0]
    shown = [line for line in lines if RESULT.match(line)]
    cut = len(DOCS) - len(shown)
    assert cut > 0
    assert lines[-1] == f"{cut} weakly related files not shown (--all to show them)"


def test_all_shows_the_weak_ones_after_a_separator(home: Path) -> None:
    query = ("recovering from an operation on a torn knee tendon", "--limit", "30")
    strong = [line for line in cairn("search", *query, home=home).stdout.splitlines() if RESULT.match(line)]
    lines = cairn("search", *query, "--all", home=home).stdout.splitlines()
    numbered = [line for line in lines if RESULT.match(line)]
    assert len(numbered) == len(DOCS) and numbered[:len(strong)] == strong
    separator = next(i for i, line in enumerate(lines) if "weakly related" in line)
    assert lines.index(strong[-1]) < separator < lines.index(numbered[len(strong)])
    assert "not shown" not in lines[-1]


def test_an_unrelated_query_says_nothing_matches(home: Path) -> None:
    out = cairn("search", "quantum gravity and black hole entropy", home=home).stdout
    first = out.splitlines()[0]
    assert first == "Nothing in your files closely matches “quantum gravity and black hole entropy”; the nearest are:"
    assert "1. " in out  # the nearest are still there to look at


def test_json_carries_weak_and_every_result(home: Path) -> None:
    results = json.loads(cairn("search", "recovering from an operation on a torn knee tendon", "--limit", "30",
                               "--json", home=home).stdout)
    assert len(results) == len(DOCS)
    assert results[0]["weak"] is False and Path(results[0]["path"]).name == "ortho-notes.txt"
    assert any(r["weak"] for r in results)


def test_keyword_mode_has_no_weak_results(home: Path) -> None:
    out = cairn("search", "wool", "--mode", "keyword", home=home).stdout
    assert "knitting.txt" in out and "weakly" not in out and "Nothing in your files" not in out
