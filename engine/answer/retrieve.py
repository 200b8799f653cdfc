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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.answer.records import Source
from engine.answer.sentences import Scored
from engine.answer.text import looks_like_instruction
from engine.embed import Embedder
from engine.search.query import Query
from engine.search import SearchResult, search
from engine.store import Store

PER_FILE = 2  # passages from one file among the candidates
CANDIDATE_FACTOR = 3  # candidates fetched per source wanted
PASSAGE_FLOOR = 0.12  # a passage less similar than this is not worth reading for an answer
# A question is answerable when one sentence is this similar to it ...
SENTENCE_RELEVANT = 0.47
# ... or has most of its words (file name included) and is not far off in meaning ...
OVERLAP_RELEVANT = 0.6
OVERLAP_SIMILARITY = 0.28
# ... or a whole passage is this similar (its gist matches, no single sentence does).
PASSAGE_RELEVANT = 0.5


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
    vector = embedder.embed_batch([question])[0]
    results = search(store, embedder, question, mode="hybrid", limit=limit * CANDIDATE_FACTOR, per_file=PER_FILE)
    similarity = _similarities(store, vector, results)
    wanted = strong_identifiers(question)
    kept = [r for r in results if similarity[r.chunk_id] >= PASSAGE_FLOOR or _has_identifier(r.text, wanted)]
    ranked = sorted(kept, key=lambda r: -(similarity[r.chunk_id] + r.score) / 2)
    clean = [r for r in ranked if not looks_like_instruction(r.text)][:limit]
    withheld = sum(1 for r in ranked[: limit] if looks_like_instruction(r.text))
    sources = tuple(
        Source(n, r.path, r.page, r.start, r.end, r.text, r.chunk_id, round(similarity[r.chunk_id], 4),
               r.ocr_confidence)
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


def is_answerable(question: str, sources: Sequence[Source], scored: Sequence[Scored]) -> bool:
    """Whether the sources say something about the question (else: refuse, call no model)."""
    if not sources:
        return False
    wanted = strong_identifiers(question)
    if wanted and any(_has_identifier(s.text, wanted) for s in sources):
        return True
    usable = [s for s in scored if s.usable]
    if any(s.similarity >= SENTENCE_RELEVANT for s in usable):
        return True
    if any(s.overlap >= OVERLAP_RELEVANT and s.similarity >= OVERLAP_SIMILARITY for s in usable):
        return True
    return max(s.score for s in sources) >= PASSAGE_RELEVANT
