"""Answers in the question's language, with the real models over real files in several languages.

The multilingual model (multilingual-e5-small, built by setup.sh) is loaded directly here; the
floors it is held to are engine.answer.retrieve.E5 (docs/answers.md). The English model keeps
its own floors and tests (tests/engine/test_answer.py); the reported failure, a German question
about a German lease refused, is checked with both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.answer import REFUSAL, Answer
from engine.answer.text import sentence_spans
from engine.cairn import Cairn
from engine.progress import run_to_result
from tests.corpus import write_corpus
from tests.multilingual_corpus import ANSWERED, FILES, UNANSWERED

MODEL = Path(__file__).resolve().parents[2] / "engine" / "models" / "multilingual-e5-small.Q4_0.gguf"
GERMAN = ("mietvertrag.txt", "arztbrief.txt")
DEPOSIT = "Die Kaution beträgt 2.550 Euro und ist in drei Raten zu zahlen."
AT_THE_FLOOR = {"Was hat die MRT bei Herrn Weber gezeigt?"}  # "MRT" for "Magnetresonanztomographie": 0.83-0.86
IN_ITS_LANGUAGE = [
    pytest.param(q, f, marks=pytest.mark.xfail(reason="at the floor: docs/answers.md")) if q in AT_THE_FLOOR else (q, f)
    for q, f in ANSWERED if not q.isascii() or q.startswith(("Wie", "Was", "Wann"))
]


def home_with(root: Path, embedder: Any, english: bool = True) -> Cairn:
    """The English corpus and FILES; or (english=False) the German files alone."""
    folder = write_corpus(root / "docs") if english else root / "docs"
    folder.mkdir(exist_ok=True)
    for name, text in FILES.items() if english else [(n, FILES[n]) for n in GERMAN]:
        (folder / name).write_text(text, encoding="utf-8")
    cairn = Cairn(root / "home", embedder=embedder)
    cairn.add_folder(folder)
    for _ in cairn.index():
        pass
    return cairn


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, e5: Any) -> Iterator[Cairn]:
    cairn = home_with(tmp_path_factory.mktemp("mixed"), e5)
    yield cairn
    cairn.close()


def ask(cairn: Cairn, question: str) -> Answer:
    return run_to_result(cairn.ask(question, generative=False), lambda token: None)


def quoted_from(answer: Answer) -> list[tuple[str, str]]:
    """(file name, the file's text at the cited span) for each quoted sentence."""
    out = []
    for sentence in answer.sentences:
        source = answer.sources[sentence.citations[0] - 1]
        start, end = sentence.spans[0]
        out.append((Path(source.path).name, Path(source.path).read_text("utf-8")[start:end]))
    return out


def test_a_german_question_quotes_the_leases_deposit_sentence(mixed: Cairn) -> None:
    answer = ask(mixed, "Wie hoch ist die Kaution für die Wohnung?")
    assert answer.kind == "extractive", answer.text
    assert ("mietvertrag.txt", DEPOSIT) in quoted_from(answer), answer.text


@pytest.mark.parametrize(("question", "expected"), IN_ITS_LANGUAGE)
def test_questions_in_their_files_language_are_answered_from_that_file(mixed: Cairn, question: str,
                                                                      expected: str) -> None:
    answer = ask(mixed, question)
    assert answer.kind == "extractive", answer.text
    assert quoted_from(answer)[0][0] == expected


@pytest.mark.parametrize("question", UNANSWERED)
def test_questions_no_file_answers_are_refused_in_every_language(mixed: Cairn, question: str) -> None:
    answer = ask(mixed, question)
    assert answer.kind == "refusal" and answer.text == REFUSAL, answer.text


@pytest.mark.xfail(reason="no floor of multilingual-e5-small separates them: the English question is 0.78-0.81 from "
                          "the German sentences that answer it, unrelated cooking questions up to 0.83 from the "
                          "French recipe's; per-model floors cannot fix an overlap within one model, so it is "
                          "refused rather than risk quoting an unrelated passage (docs/answers.md, "
                          "docs/multilingual-model.md)", strict=True)
def test_an_english_question_quotes_the_german_passage_as_it_is(german: Cairn) -> None:
    answer = ask(german, "When do I get my deposit back after moving out?")
    assert answer.kind == "extractive", answer.text
    name, text = quoted_from(answer)[0]
    assert name == "mietvertrag.txt" and "Kaution" in text
    assert answer.sentences[0].text == text  # quoted in German, word for word


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory, e5: Any) -> Iterator[Cairn]:
    cairn = home_with(tmp_path_factory.mktemp("german"), e5, english=False)
    yield cairn
    cairn.close()


def test_the_reported_german_question_is_answered_with_the_english_model_too(tmp_path: Path,
                                                                             real_embedder: Any) -> None:
    cairn = home_with(tmp_path, real_embedder)
    try:
        answer = ask(cairn, "Wie hoch ist die Kaution für die Wohnung?")
        assert answer.kind == "extractive", answer.text  # it was refused: English stop words, English floors
        assert {name for name, _ in quoted_from(answer)} == {"mietvertrag.txt"}
    finally:
        cairn.close()


@pytest.mark.parametrize(("text", "sentences"), [
    ("燃えるごみは月曜日に出してください。ペットボトルは資源ごみの日に出します！分からないことは管理人に聞いてください？",
     ["燃えるごみは月曜日に出してください。", "ペットボトルは資源ごみの日に出します！", "分からないことは管理人に聞いてください？"]),
    ("押金为两个月的房租。租期结束后，房东应退还押金！租客不得转租吗？好的。",
     ["押金为两个月的房租。", "租期结束后，房东应退还押金！", "租客不得转租吗？", "好的。"]),
    ("The office moved to Osaka. 新しい事務所は大阪です。Meetings stay on Monday.",
     ["The office moved to Osaka.", "新しい事務所は大阪です。", "Meetings stay on Monday."]),
    ("Das Mietverhältnis beginnt am 1. März 2024. Die Kaution beträgt 2.550 Euro.",
     ["Das Mietverhältnis beginnt am 1. März 2024.", "Die Kaution beträgt 2.550 Euro."]),
])
def test_sentences_end_at_every_scripts_full_stops_and_not_in_a_german_date(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences
