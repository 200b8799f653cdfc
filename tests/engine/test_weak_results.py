"""Weakly related results: marked, never reordered, so a person can tell a match from the nearest of nothing.

Real bundled GGUF model, real store, the test corpus on disk (tests/corpus.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cairn import Cairn
from engine.search import Mode
from tests.corpus import DOCS, write_corpus

# About something in the files, in other words than theirs (no shared word: only meaning can tell).
ABOUT_THE_FILES = [
    ("how do I make homemade loaves of leavened bread", "sourdough.txt"),
    ("recovering from an operation on a torn knee tendon", "ortho-notes.txt"),
    ("shots for babies to prevent childhood diseases", "vaccination.txt"),
    ("can't sleep at night, what helps", "insomnia.txt"),
]
# About nothing in the files, and without a word of theirs.
UNRELATED = ["quantum gravity and black hole entropy", "how tall is the Eiffel tower", "zxqv blorp fnord"]


@pytest.fixture(scope="module")
def cairn(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Iterator[Cairn]:
    root = tmp_path_factory.mktemp("weak")
    with Cairn(root / "home", embedder=real_embedder) as opened:  # type: ignore[arg-type]
        opened.add_folder(write_corpus(root / "docs"))
        for _ in opened.index():
            pass
        yield opened


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
@pytest.mark.parametrize(("query", "target"), ABOUT_THE_FILES)
def test_a_query_about_the_files_finds_a_strong_match(cairn: Cairn, mode: Mode, query: str, target: str) -> None:
    results = cairn.search(query, mode=mode, limit=30)
    assert Path(results[0].path).name == target
    assert not results[0].weak
    assert any(r.weak for r in results)  # the other 29 files are not about it


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
@pytest.mark.parametrize("query", UNRELATED)
def test_an_unrelated_query_gives_only_weak_results(cairn: Cairn, mode: Mode, query: str) -> None:
    results = cairn.search(query, mode=mode, limit=30)
    assert len(results) == len(DOCS)  # still listed (the nearest), in the same order as ever ...
    assert all(r.weak for r in results)  # ... but none presented as a match
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_one_common_word_of_many_does_not_make_a_match(cairn: Cairn, mode: Mode) -> None:
    """A lawyer's "final settlement" is not about a football final: one word of five, far in meaning."""
    results = {Path(r.path).name: r for r in cairn.search("football world cup final score", mode=mode, limit=30)}
    assert "final" in results["marathon-training.txt"].text  # "the final three weeks before the race"
    assert all(r.weak for r in results.values())


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
@pytest.mark.parametrize(("query", "target"), [
    ("Sunday", "marathon-training.txt"),  # the one word typed, however far the passage is in meaning
    ("thousands kilometres south", "car-maintenance.txt"),  # two of three words: "ten thousand kilometres"
    ("end of April", "lease-agreement.txt"),  # one of two: the end of the tenancy; half the words count
    ("2023-CV-04417 football world cup final score", "court-ruling.txt"),  # the case number typed
])
def test_most_of_the_query_or_what_was_typed_exactly_stays_a_match(cairn: Cairn, mode: Mode, query: str,
                                                                    target: str) -> None:
    results = {Path(r.path).name: r for r in cairn.search(query, mode=mode, limit=30)}
    assert not results[target].weak
    assert results["password-policy.txt"].weak  # none of the words, nothing alike


def test_a_word_in_the_file_name_counts_as_in_the_text(cairn: Cairn) -> None:
    results = {Path(r.path).name: r for r in cairn.search("ruling wool", mode="hybrid", limit=30)}
    assert not results["court-ruling.txt"].weak  # "ruling" only in the file's name
    assert not results["knitting.txt"].weak  # "wool" in the text
    assert results["volcano.txt"].weak


def test_keyword_results_are_never_weak(cairn: Cairn) -> None:
    results = cairn.search("wool", mode="keyword")
    assert [Path(r.path).name for r in results] == ["knitting.txt"]
    assert not results[0].weak


def test_each_model_is_held_to_its_own_floors() -> None:
    """e5's cosines sit near 0.8 for unrelated text: MiniLM's floors (0.30) would never fold one of its results."""
    from engine.search.ranking import E5_WEAK, MINILM_WEAK, weak_floors
    from tests.fakes import FakeEmbedder

    class E5Named(FakeEmbedder):
        model_name = "multilingual-e5-small (Q4_0)"

    assert weak_floors(E5Named()) == E5_WEAK and weak_floors(FakeEmbedder()) == MINILM_WEAK
    assert E5_WEAK.similarity > 0.7 > MINILM_WEAK.similarity  # above what unrelated text scores with e5
