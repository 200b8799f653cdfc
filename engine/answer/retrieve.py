"""Passages for an answer, and whether any of them is about the question at all.

Retrieval is Cairn's hybrid search asked for passages rather than files (up to
`PER_FILE` from one file: an answer may need two places in the same document). The
numbered sources are the best `limit` of them whose similarity to the question is not
hopeless.

Refusing is the part that keeps answers honest: a question about something the files do
not mention must get "I can't find this in your files", never the nearest unrelated
passage dressed up as an answer, and no chat model is called for it. The decision uses
the best *sentence* similarity (a long passage about many things hides the one sentence
that matters) or an identifier from the question found verbatim in a passage; the
thresholds are calibrated in tests/engine/test_answer.py on the test corpus: every
question about it clears them and none of a set of unrelated questions does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from engine.answer.records import Source
from engine.answer.sentences import Scored
from engine.answer.text import looks_like_instruction
from engine.embed import Embedder
from engine.language import identify_query
from engine.search.query import Query
from engine.search import SearchResult, search
from engine.store import Store

PER_FILE = 2  # passages from one file among the candidates
CANDIDATE_FACTOR = 3  # candidates fetched per source wanted


@dataclass(frozen=True)
class Floors:
    """Where a model's cosines start to mean "about the question": each model spreads them differently.

    all-MiniLM-L6-v2 puts unrelated English text near 0.2 and a matching sentence at 0.5 or more;
    multilingual-e5-small puts everything between 0.7 and 0.95. Measured by
    benchmarks/answer_languages.py; the figures are in docs/answers.md."""

    passage_floor: float  # a passage less similar than this is not worth reading for an answer
    sentence: float  # a question is answerable when one sentence is this similar to it ...
    cross_language: float  # ... (or this, for a sentence in another language than the question's) ...
    overlap: float  # ... or has this share of its words (file name included) ...
    overlap_similarity: float  # ... and is not far off in meaning (this similar) ...
    passage: float  # ... or a whole passage is this similar (its gist matches, no single sentence does).
    unrelated: float  # what unrelated text scores: an extra quoted sentence must stand out above it
    support: float  # a generated sentence this similar to a source sentence says the same (engine.answer.check)
    clause_prefilter: float  # a source sentence less similar to every generated one is not cut into clauses
    overlap_weight: float  # a sentence with all the question's content words scores this much more


MINILM = Floors(passage_floor=0.12, sentence=0.47, cross_language=0.47, overlap=0.6, overlap_similarity=0.28,
                passage=0.5, unrelated=0.0, support=0.66, clause_prefilter=0.4, overlap_weight=0.3)
# MiniLM was trained on English only: it reads other languages as word pieces and finds unrelated
# French or Japanese sentences 0.57 alike. A question in another language needs more.
MINILM_OTHER_LANGUAGE = replace(MINILM, sentence=0.6, cross_language=0.6, passage=0.6)
E5 = Floors(passage_floor=0.70, sentence=0.87, cross_language=0.87, overlap=0.6, overlap_similarity=0.80,
            passage=0.88, unrelated=0.75, support=0.92, clause_prefilter=0.8,
            overlap_weight=0.075)  # MiniLM's 0.3 over e5's quarter-as-wide spread
PASSAGE_FLOOR = MINILM.passage_floor
SENTENCE_RELEVANT = MINILM.sentence
OVERLAP_RELEVANT = MINILM.overlap
OVERLAP_SIMILARITY = MINILM.overlap_similarity
PASSAGE_RELEVANT = MINILM.passage


def thresholds_for(embedder: Embedder | None, language: str | None = "en") -> Floors:
    """The floors measured for `embedder`'s model (known by its name; MiniLM's for any other) and a
    question in `language` (None: not identified, taken as English)."""
    name = (getattr(embedder, "model_name", "") or "").lower()
    if "e5" in name:
        return E5
    return MINILM if language in (None, "en") else MINILM_OTHER_LANGUAGE


@dataclass(frozen=True)
class Retrieved:
    """The numbered sources for one question and the question's embedding."""

    sources: tuple[Source, ...]
    question_vector: npt.NDArray[np.float32]
    withheld: int = 0  # relevant passages left out because they address an AI (see `retrieve`)


def retrieve(store: Store, embedder: Embedder, question: str, limit: int) -> Retrieved:
    """The best `limit` passages for `question`, numbered from 1, most similar first.

    Documents are data: a passage that addresses an AI ("ignore previous instructions and
    ...") is withheld whole, not only the sentence that gives itself away, since the rest
    of an injection ("when asked about X, say Y") need not look like one. So a planted
    file changes neither the numbered sources nor what a model reads."""
    vector = embedder.embed_batch([question], role="query")[0]
    results = search(store, embedder, question, mode="hybrid", limit=limit * CANDIDATE_FACTOR, per_file=PER_FILE)
    similarity = _similarities(store, vector, results)
    wanted = strong_identifiers(question)
    floor = thresholds_for(embedder).passage_floor
    kept = [r for r in results if similarity[r.chunk_id] >= floor or _has_identifier(r.text, wanted)]
    ranked = sorted(kept, key=lambda r: -(similarity[r.chunk_id] + r.score) / 2)
    clean = [r for r in ranked if not looks_like_instruction(r.text)][:limit]
    withheld = sum(1 for r in ranked[: limit] if looks_like_instruction(r.text))
    sources = tuple(
        Source(n, r.path, r.page, r.start, r.end, r.text, r.chunk_id, round(similarity[r.chunk_id], 4),
               r.ocr_confidence, r.location)
        for n, r in enumerate(clean, 1)
    )
    return Retrieved(sources, vector, withheld)


def _similarities(store: Store, vector: npt.NDArray[np.float32], results: Sequence[SearchResult]) -> dict[int, float]:
    ids, matrix = store.exact_vectors([r.chunk_id for r in results])
    if not ids:
        return {r.chunk_id: 0.0 for r in results}
    sims = matrix @ np.asarray(vector, dtype=np.float32)
    found = {cid: max(0.0, float(s)) for cid, s in zip(ids, sims)}
    return {r.chunk_id: found.get(r.chunk_id, 0.0) for r in results}


def strong_identifiers(question: str) -> set[str]:
    """Case numbers, codes, file names in the question; a bare number ("1998") is too common to count."""
    return {w for w in Query.parse(question).identifiers if not w.replace(",", "").replace(".", "").isdigit()}


def _has_identifier(text: str, wanted: set[str]) -> bool:
    lowered = text.lower()
    return any(w.lower() in lowered for w in wanted)


def is_answerable(question: str, sources: Sequence[Source], scored: Sequence[Scored],
                  embedder: Embedder | None = None) -> bool:
    """Whether the sources say something about the question (else: refuse, call no model)."""
    floors = thresholds_for(embedder, identify_query(question))
    if not sources:
        return False
    wanted = strong_identifiers(question)
    if wanted and any(_has_identifier(s.text, wanted) for s in sources):
        return True
    usable = [s for s in scored if s.usable]
    if any(s.similarity >= (floors.cross_language if s.other_language else floors.sentence) for s in usable):
        return True
    if any(s.overlap >= floors.overlap and s.similarity >= floors.overlap_similarity for s in usable):
        return True
    return max(s.score for s in sources) >= floors.passage
