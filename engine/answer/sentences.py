"""The sentences of the retrieved passages, each scored against the question.

Both kinds of answer stand on this: the extractive answer quotes the best of them, the
prompt of a generative answer is made of them, and the checker compares what a model
wrote with them. A score is the sentence's embedding similarity to the question plus a
bonus for sharing the question's words (the embedding alone blurs names and numbers).

Sentences are embedded with the same model as the index, in one batch per question; the
number embedded is bounded (`MAX_SENTENCES`) so an answer takes the same time whatever
the passages hold. Sentences that address an AI ("ignore previous instructions ...") are
kept but flagged: they are never quoted, given to a model or taken as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.answer.records import Source
from engine.answer.text import (clean, content_words, coverage, is_heading, looks_like_instruction, sentence_spans,
                                word_count)
from engine.embed import Embedder
from engine.language import identify, identify_query

OVERLAP_WEIGHT = 0.3  # a sentence with every content word of the question gains this much
MAX_SENTENCES = 40  # embedded per question at most; the rest, lowest word overlap first, are dropped
# Word pieces embedded per question at most: about 1.8 per ms on 2 cores, so the answer stays
# within 300 ms of retrieval (benchmarks/bench_answer.py) whatever the passages hold.
EMBED_TOKENS = 420
MIN_WORDS = 3  # shorter pieces ("Page 2 ends here.", list bullets) are not statements worth quoting


@dataclass(frozen=True)
class Scored:
    """One sentence of one source, with where it is and how well it answers the question."""

    source: int  # Source.n
    index: int  # position of the sentence within its source
    start: int  # character span in the file's extracted text
    end: int
    text: str  # one line, as shown and embedded
    similarity: float  # cosine to the question
    overlap: float  # share of the question's content words it contains
    instruction: bool  # addresses an AI rather than a reader: never used
    vector: npt.NDArray[np.float32] = field(compare=False, repr=False)
    other_language: bool = False  # its passage is in another language than the question
    overlap_weight: float = OVERLAP_WEIGHT  # the model's (engine.answer.retrieve.Floors)

    @property
    def score(self) -> float:
        return self.similarity + self.overlap_weight * self.overlap

    @property
    def usable(self) -> bool:
        return not self.instruction


@dataclass(frozen=True)
class _Piece:
    source: int
    index: int
    start: int
    end: int
    text: str
    overlap: float
    other_language: bool = False


def split_sources(sources: Sequence[Source], question: str) -> list[_Piece]:
    """Every statement-like sentence of the sources, with its word overlap with the question.

    A file's name counts as words of each of its sentences: "job-interview.txt" is about
    job interviews even where its text only says "the meeting".

    The question's words are read by its language, a passage's by its own (identified once for
    the whole passage: a single sentence is too short to tell reliably)."""
    asked_in = identify_query(question)
    asked = content_words(question, asked_in)
    pieces = []
    for source in sources:
        language = identify(source.text)
        named = set(words_of(re.sub(r"[-_.]+", " ", Path(source.path).stem), language, asked_in))
        index = 0
        for a, b in sentence_spans(source.text):
            text = clean(source.text[a:b])
            if word_count(text) < MIN_WORDS or is_heading(text):
                continue
            overlap = coverage(asked, words_of(text, language, asked_in) | named)
            pieces.append(_Piece(source.n, index, source.start + a, source.start + b, text, overlap,
                                 (language or "en") != (asked_in or "en")))
            index += 1
    return pieces


def words_of(text: str, language: str | None, asked_in: str | None) -> set[str]:
    """A sentence's words stemmed by its own language and, when the question's differs, by the question's too:
    "Weber" of an English question is the "Weber" of a German letter whatever the two stemmers make of it."""
    words = set(content_words(text, language))
    if (asked_in or "en") != (language or "en"):
        words |= set(content_words(text, asked_in))
    return words


def score_sentences(sources: Sequence[Source], question: str, question_vector: npt.NDArray[np.float32],
                    embedder: Embedder) -> list[Scored]:
    """The sources' sentences with their scores, best first."""
    pieces = _within_budget(split_sources(sources, question), embedder)
    if not pieces:
        return []
    vectors = embedder.embed_batch([fit(embedder, p.text) for p in pieces])
    weight = _overlap_weight(embedder)
    sims = vectors @ np.asarray(question_vector, dtype=np.float32)
    scored = [
        Scored(p.source, p.index, p.start, p.end, p.text, float(sim), p.overlap, looks_like_instruction(p.text), vec,
               p.other_language, weight)
        for p, sim, vec in zip(pieces, sims, vectors)
    ]
    return sorted(scored, key=lambda s: -s.score)


def _overlap_weight(embedder: Embedder) -> float:
    from engine.answer.retrieve import thresholds_for  # retrieve reads Scored: imported here, not at the top
    return thresholds_for(embedder).overlap_weight


def _within_budget(pieces: list[_Piece], embedder: Embedder) -> list[_Piece]:
    """The sentences worth embedding within `EMBED_TOKENS`: most overlapping first, then by source rank."""
    kept: list[_Piece] = []
    used = 0
    for piece in sorted(pieces, key=lambda p: (-p.overlap, p.source, p.index))[:MAX_SENTENCES]:
        tokens = embedder.count_tokens(piece.text) if len(piece.text) > 60 else len(piece.text) // 3 + 2
        if kept and used + tokens > EMBED_TOKENS:
            continue
        kept.append(piece)
        used += tokens
    return sorted(kept, key=lambda p: (p.source, p.index))


def fit(embedder: Embedder, text: str) -> str:
    """`text`, shortened at a word border if the embedding model cannot read it whole."""
    if len(text) < 200:  # fewer characters than the model reads word pieces: no need to count
        return text
    while embedder.count_tokens(text) > embedder.max_tokens:
        text = text[: int(len(text) * 0.8)].rsplit(" ", 1)[0]
    return text
