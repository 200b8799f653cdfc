"""Search finds the right file: by meaning when no word is shared, by exact identifier when one is typed.

Real bundled GGUF model, real SQLite + sqlite-vec + FTS5, real files on disk.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from engine.cairn import Cairn
from engine.search.query import STOPWORDS, Query
from engine.search import Mode, SearchFilters, SearchResult
from engine.search.snippet import make_snippet
from tests.corpus import DOCS, IDENTIFIER_QUERY, PARAPHRASES, write_corpus


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Cairn:
    root = tmp_path_factory.mktemp("quality")
    folder = write_corpus(root / "docs")
    cairn = Cairn(root / "home", embedder=real_embedder)
    cairn.add_folder(folder)
    for _ in cairn.index():
        pass
    yield cairn
    cairn.close()


def names(results) -> list[str]:
    return [Path(r.path).name for r in results]


@pytest.mark.parametrize("query,target", PARAPHRASES)
def test_paraphrase_finds_its_document_in_the_top_three(indexed: Cairn, query: str, target: str) -> None:
    assert not _words(query) & (_words(DOCS[target]) | _words(target)), "the query must share no word"
    assert target in names(indexed.search(query, mode="semantic", limit=3))


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_exact_identifier_comes_first(indexed: Cairn, mode: str) -> None:
    query, target = IDENTIFIER_QUERY
    results = indexed.search(query, mode=mode, limit=5)
    assert names(results)[0] == target
    assert results[0].snippet[slice(*results[0].highlights[0])].startswith("2023")


def test_hybrid_is_at_least_as_good_as_semantic_on_paraphrases(indexed: Cairn) -> None:
    hits = sum(t in names(indexed.search(q, mode="hybrid", limit=3)) for q, t in PARAPHRASES)
    assert hits >= len(PARAPHRASES) - 1


def test_filters_restrict_results(indexed: Cairn) -> None:
    only_md = indexed.search("publishing a library", filters=SearchFilters(types=(".md",)))
    assert names(only_md) == ["python-packaging.md"]
    elsewhere = indexed.search("bread", filters=SearchFilters(folder="/nonexistent"))
    assert elsewhere == []


def test_results_carry_exact_spans(indexed: Cairn) -> None:
    result = indexed.search("ligament reconstruction physiotherapy", mode="keyword")[0]
    source = Path(result.path).read_text()
    assert source[result.start:result.end] == result.text


# Words whose letters carry combining marks: Devanagari vowel signs and virama, Arabic vowel
# marks, a Latin accent typed as its own character (as macOS file names and some PDFs keep it).
MARKED = {
    "hindi.txt": "भारत की राजधानी नई दिल्ली है। हिन्दी भारत की राजभाषा है।\n",
    "arabic.txt": "ذَهَبَ الوَلَدُ إِلَى المَدْرَسَةِ فِي الصَّبَاحِ. المدرسة كبيرة.\n",
    "menu.txt": "The cafe\u0301 on the corner serves cre\u0300me bru\u0302le\u0301e on Sundays.\n",
}


def searched(tmp_path: Path, files: dict[str, str], queries: list[str], mode: Mode = "keyword",
             embedder: Any = None) -> list[list[SearchResult]]:
    """`files` written to a folder and indexed (without a model for keyword search); each query's results."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for file, text in files.items():
        (docs / file).write_text(text, encoding="utf-8")
    with Cairn(tmp_path / "home", embedder=embedder) as cairn:
        cairn.add_folder(docs)
        for _ in cairn.index():
            pass
        return [cairn.search(query, mode=mode) for query in queries]


@pytest.mark.parametrize(("query", "name", "marked"), [
    ("हिन्दी", "hindi.txt", ["हिन्दी"]),
    ("दिल्ली", "hindi.txt", ["दिल्ली"]),
    ("المدرسة", "arabic.txt", ["المَدْرَسَةِ", "المدرسة"]),
    ("café", "menu.txt", ["cafe\u0301"]),
    ("brûlée", "menu.txt", ["bru\u0302le\u0301e"]),
], ids=["hindi", "hindi-2", "arabic-vowel-marks", "latin-decomposed", "latin-decomposed-2"])
def test_highlights_mark_whole_words_with_their_combining_marks(tmp_path: Path, query: str, name: str,
                                                                 marked: list[str]) -> None:
    [results] = searched(tmp_path, MARKED, [query])
    assert [Path(r.path).name for r in results] == [name]
    assert [results[0].snippet[a:b] for a, b in results[0].highlights] == marked


# Scripts written without spaces between words: FTS5's unicode61 tokenizer takes a whole run
# ("北京是中国的首都") for one word, so a word inside it was never found by keyword.
UNSPACED = {
    "beijing.txt": "北京是中国的首都。故宫位于北京市中心。\n",
    "tokyo.txt": "東京は日本の首都です。浅草寺は東京で最も古い寺です。\n",
    "bangkok.txt": "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย\n",
    "notes.txt": "A note in English about the capital of France, Paris.\n",
}


@pytest.mark.parametrize(("query", "name"), [
    ("故宫", "beijing.txt"), ("浅草寺", "tokyo.txt"), ("เมืองหลวง", "bangkok.txt"), ("故宫 中心", "beijing.txt"),
], ids=["chinese", "japanese", "thai", "two-words"])
def test_a_word_inside_unspaced_text_is_found_by_keyword_and_marked(tmp_path: Path, query: str, name: str) -> None:
    [results] = searched(tmp_path, UNSPACED, [query])
    assert [Path(r.path).name for r in results] == [name]
    assert [results[0].snippet[a:b] for a, b in results[0].highlights] == [
        w for w in sorted(query.split(), key=results[0].snippet.find)]


def test_a_word_inside_unspaced_text_comes_first_in_hybrid_search(tmp_path: Path, real_embedder: Any) -> None:
    tokyo, beijing = searched(tmp_path, UNSPACED, ["浅草寺", "故宫"], "hybrid", real_embedder)
    assert names(tokyo)[0] == "tokyo.txt" and names(beijing)[0] == "beijing.txt"


def test_a_snippet_cut_where_no_space_is_near_keeps_whole_characters() -> None:
    """Thai (no spaces between words, vowels written as combining marks) and emoji joined by
    ZWJ: a window cut 30 characters from any space must not start on a mark or half an emoji."""
    thai = "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย" * 30
    family = "👨\u200d👩\u200d👧" * 200
    for shift in range(60):
        for before, after, word in ((thai[shift:], thai, "คำค้นหา"), (family[shift:], family, "needle")):
            text = before + word + after
            snippet = make_snippet(text, Query.parse(word))
            shown = snippet.text.removeprefix("…").removesuffix("…")
            start = text.index(shown)
            for edge in (start, start + len(shown)):
                if 0 < edge < len(text):
                    assert not unicodedata.category(text[edge]).startswith("M"), (shift, shown[:5])
                    assert "\u200d" not in (text[edge - 1], text[edge]), (shift, shown[:5])
            assert [snippet.text[a:b] for a, b in snippet.highlights] == [word]
