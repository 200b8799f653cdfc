"""The extractive answer: the sentences of the user's own files that best answer the question.

Grounded by construction (every word is quoted from a cited passage) and needs no chat
model, so it is the default and the fallback of a generative answer that fails its check.

Selection: the best-scoring sentence always; others only while they score close to it
(`RELATIVE_FLOOR`) and are not near-duplicates of one already chosen (the same sentence
often sits in the overlap of two passages, or in two copies of a file). Order: sources in
the order of their best chosen sentence, sentences of one source in reading order, so a
two-sentence explanation reads as written.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.answer.records import AnswerSentence
from engine.answer.sentences import Scored
from engine.answer.text import content_words

MAX_SENTENCES = 3
RELATIVE_FLOOR = 0.8  # a further sentence must score at least this share of the best one
ABSOLUTE_FLOOR = 0.25  # ... and at least this much
DUPLICATE_COSINE = 0.9  # two sentences this similar say the same thing
DUPLICATE_WORDS = 0.8  # or share this share of their content words


def select(scored: Sequence[Scored], max_sentences: int = MAX_SENTENCES, unrelated: float = 0.0) -> list[Scored]:
    """The sentences to quote, in the order they are shown.

    `unrelated`: what the model's cosine is for unrelated text (0 for MiniLM, 0.75 for
    multilingual-e5-small): the floors count from there, so they mean the same for every model."""
    usable = [s for s in scored if s.usable]
    if not usable:
        return []
    best = max(usable, key=lambda s: s.score)
    chosen = [best]
    for candidate in sorted(usable, key=lambda s: -s.score):
        if len(chosen) >= max_sentences:
            break
        floor = unrelated + max(ABSOLUTE_FLOOR * (1 - unrelated), RELATIVE_FLOOR * (best.score - unrelated))
        if candidate is best or candidate.score < floor:
            continue
        if not any(_duplicates(candidate, c, unrelated) for c in chosen):
            chosen.append(candidate)
    rank: dict[int, int] = {}
    for position, sentence in enumerate(chosen):
        rank.setdefault(sentence.source, position)
    return sorted(chosen, key=lambda s: (rank[s.source], s.index))


def _duplicates(a: Scored, b: Scored, unrelated: float = 0.0) -> bool:
    if float(np.dot(a.vector, b.vector)) >= unrelated + DUPLICATE_COSINE * (1 - unrelated):
        return True
    wa, wb = set(content_words(a.text)), set(content_words(b.text))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= DUPLICATE_WORDS


def as_sentences(chosen: Sequence[Scored]) -> tuple[AnswerSentence, ...]:
    """Quoted sentences, each citing the one source it was taken from and its exact span."""
    return tuple(AnswerSentence(s.text, (s.source,), True, ((s.start, s.end),)) for s in chosen)
