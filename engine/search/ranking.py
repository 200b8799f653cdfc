"""Find passages by meaning, by words, or both.

Semantic search is a two-step nearest-neighbour query: the 8-bit codes of the
vectors in the partitions nearest the query (engine.store.partitions) pick a few
hundred candidates cheaply, then exact cosine on the stored float vectors orders them, with a little of the cosine to the passage's whole
file (the mean of its passages' vectors) added, so a file about the query beats
one that touches it in one paragraph. Hybrid search scores the union of both
candidate lists by cosine plus a keyword bonus (bm25, scaled by the share of the
query's words the passage contains, so one incidental shared word counts for
little), and lifts passages that contain an identifier the person
typed (a case number means that case, not a similar one; a word of Chinese,
Japanese or Thai, which the index cannot split out of its run, the same). Rank fusion (RRF) was
tried first: it ignores how far apart the cosines are and let single-word
keyword matches outrank clear semantic winners.

Every passage has some cosine to every query, so search by meaning lists nearly every
file for anything typed. A result is marked `weak` when nothing of the query is in it (no
word in the passage or its file's name) and its cosine is below `WEAK_SIMILARITY`, or when
fewer than half the query's words are (one common word such as "final" of five) and its
cosine is below `PARTIAL_SIMILARITY` (each model has its own floors: `weak_floors`), unless it holds an identifier the person typed: still
listed, in the same place (the ranking and the evaluation are untouched), but not
presented as a match. The floors are measured, not guessed: benchmarks/weak_floor.py and
benchmarks/eval/weak_cost.py (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

import numpy as np

from engine.embed import Embedder
from engine.errors import CairnError
from engine.search.query import Query
from engine.search.snippet import make_snippet, term_coverage
from engine.store import ChunkHit, Store

Mode = Literal["hybrid", "semantic", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "semantic", "keyword")

# Tuned on the evaluation sets (docs/evaluation.md): 0.2 and a linear coverage beat 0.3 and a
# squared one on both; heavier keyword weights and rank fusion (RRF) did worse on both.
KEYWORD_WEIGHT = 0.2  # bonus for a passage with every query word and the best bm25
KEYWORD_POWER = 1.0  # the bonus grows with (bm25 / the best bm25) ** this; 0.5 measured within noise
COVERAGE_POWER = 1  # the keyword bonus is scaled by (share of the query's words present) ** this
CANDIDATES = 100  # from each list before fusion and filtering
PASSAGES_PER_RESULT = 3  # candidates per result asked for, when that is more than CANDIDATES
CODE_OVERSAMPLE = 2  # candidates by 8-bit codes per exact candidate
IDENTIFIER_BOOST = 1.0  # in units of a first-place fused score
FILE_WEIGHT = 0.3  # share of the cosine to the passage's file added to the passage's own (semantic and hybrid)
MATCH_SHARE = 0.5  # half counts: "ferry timetable" with "ferry" found stays a match (docs/search.md)


@dataclass(frozen=True)
class WeakFloors:
    """Where one model's cosines stop meaning "about the query"; each model spreads them differently."""

    similarity: float  # below this a passage sharing no word with the query is only weakly related
    partial: float  # below this a passage with fewer than MATCH_SHARE of the query's words is weak too


# all-MiniLM-L6-v2, measured with benchmarks/weak_floor.py: the nearest passage to a query about nothing in
# the files has a median of 0.18 (p90 0.28); a passage about the query in other words has a median of
# 0.49-0.53 (p10 0.39). The partial floor: one shared common word ("final" of "football world cup final
# score") is not a match. benchmarks/weak_floor.py and benchmarks/eval/weak_cost.py: right answers in the
# evaluation sets' first ten with under half the words found are at 0.27 and above; 0.30 folded one of them
# (manpages), 0.25 none, and 0.25 still makes most unrelated queries' one-word results weak (faq: 85 shown as
# matches to 20; 0.20 would leave 35).
MINILM_WEAK = WeakFloors(similarity=0.30, partial=0.25)
# multilingual-e5-small puts every text between 0.7 and 0.95 of every other, so MiniLM's floors never marked
# one of its results weak. Its own, measured the same way (`python -m benchmarks.weak_floor small multilingual`,
# the test corpora in six languages; docs/multilingual-model.md): unrelated questions' nearest passages sharing
# no word have a median of 0.775 (p90 0.807); related ones in other words a median of 0.862 (p10 0.817, min
# 0.784). At 0.80 / 0.78, 26 of 27 related questions keep their file as a match and 47 of 280 unrelated
# nearest passages are still shown (0.82 / 0.80: 24 of 27, 22): as with MiniLM, folding a right answer costs
# more than showing a near miss. A small set: the man-page runs (`300 multilingual en|de`) are to confirm it.
E5_WEAK = WeakFloors(similarity=0.80, partial=0.78)
WEAK_SIMILARITY = MINILM_WEAK.similarity
PARTIAL_SIMILARITY = MINILM_WEAK.partial


def weak_floors(embedder: Embedder | None) -> WeakFloors:
    """The floors measured for `embedder`'s model (known by its name; MiniLM's for any other)."""
    name = (getattr(embedder, "model_name", "") or "").lower()
    return E5_WEAK if "e5" in name else MINILM_WEAK


@dataclass(frozen=True)
class SearchFilters:
    folder: str | None = None  # only files under this folder
    types: tuple[str, ...] = ()  # extensions such as ".pdf"; empty: all
    modified_after: float | None = None  # seconds since the epoch

    def accept(self, hit: ChunkHit) -> bool:
        if self.folder and not (hit.path == self.folder or hit.path.startswith(self.folder.rstrip("/") + "/")):
            return False
        if self.types and not any(hit.path.lower().endswith(t) for t in self.types):
            return False
        if self.modified_after is not None and hit.mtime_ns / 1e9 < self.modified_after:
            return False
        return True

    @property
    def active(self) -> bool:
        return bool(self.folder or self.types or self.modified_after is not None)


@dataclass(frozen=True)
class SearchResult:
    path: str
    score: float  # 0..1, higher is better; comparable within one result list
    text: str  # the whole passage
    page: int | None
    start: int  # character span of the passage in the file's extracted text
    end: int
    heading: str | None
    title: str | None
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # spans of `snippet` that match the query
    chunk_id: int
    file_id: int
    weak: bool = False  # no word of the query in it and far in meaning: the nearest, not a match
    ocr_confidence: float | None = None  # read from a scan by OCR, this sure (0-100); None: typed text
    # in an attachment or an archive member (path "<container>//<path inside>"): where, in words
    location: str | None = None


def search(store: Store, embedder: Embedder | None, query: str, *, mode: Mode = "hybrid", limit: int = 10,
           filters: SearchFilters | None = None, per_file: int = 1) -> list[SearchResult]:
    if mode not in MODES:
        raise CairnError(f"Unknown search mode {mode!r}: choose one of {', '.join(MODES)}.")
    parsed = Query.parse(query, store.languages())
    if not parsed.text:
        return []
    filters = filters or SearchFilters()
    # one result per file: a file has several passages, so a long list needs more of them
    depth = max(CANDIDATES, PASSAGES_PER_RESULT * limit) * (4 if filters.active else 1)
    keyword = _keyword(store, parsed, depth) if mode != "semantic" else {}
    vector = _need(embedder).embed_batch([parsed.text], role="query")[0] if mode != "keyword" else None
    semantic = _semantic(store, vector, depth) if vector is not None else {}
    candidates = list({**keyword, **semantic})
    hits = store.hits(candidates)
    cosine = _cosines(store, vector, semantic, keyword) if vector is not None and mode == "hybrid" else semantic
    if vector is None:
        scores = keyword
    elif mode == "hybrid":
        scores = _fuse(store, vector, keyword, cosine, hits, parsed)
    else:
        files = _file_cosines(store, vector, hits)
        scores = {cid: (cos + FILE_WEIGHT * files.get(cid, 0.0)) / (1.0 + FILE_WEIGHT) for cid, cos in semantic.items()}
    if mode != "semantic":
        _boost_identifiers(scores, hits, parsed)
    ranked = sorted((cid for cid in scores if cid in hits and filters.accept(hits[cid])),
                    key=lambda cid: -scores[cid])
    floors = weak_floors(embedder)
    weak = ((lambda cid: False) if vector is None
            else (lambda cid: _weak(hits[cid], cosine.get(cid, 0.0), parsed, floors)))
    return _one_per_file(ranked, hits, scores, parsed, limit, per_file, weak)


def _need(embedder: Embedder | None) -> Embedder:
    if embedder is None:
        raise CairnError("Semantic search needs the embedding model; it is not loaded.")
    return embedder


def _keyword(store: Store, query: Query, depth: int) -> dict[int, float]:
    if query.fts is None:
        return {}
    rows = store.keyword_candidates(query.fts, depth, query.languages)
    best = -rows[0][1] if rows and rows[0][1] else 1.0
    scores = {cid: max(0.0, -bm25) / best for cid, bm25 in rows}
    single = [term for term in query.unspaced if len(term) == 1]
    if single:  # the index holds pairs of Chinese, Japanese, Thai ... characters: one alone is looked for as written
        share = 1.0 / len(query.terms)
        found: dict[int, float] = {}
        for term in dict.fromkeys(single):
            for cid in store.passages_containing(term, depth):
                found[cid] = found.get(cid, 0.0) + share
        for cid, score in found.items():
            scores[cid] = max(scores.get(cid, 0.0), min(1.0, score))
    return scores


def _semantic(store: Store, vector: np.ndarray, depth: int) -> dict[int, float]:
    candidates = store.nearest_candidates(vector, depth * CODE_OVERSAMPLE)
    ids, matrix = store.exact_vectors(candidates)
    if not ids:
        return {}
    sims = matrix @ np.asarray(vector, dtype=np.float32)
    order = np.argsort(-sims)[:depth]
    return {ids[i]: float(max(0.0, sims[i])) for i in order}


def _cosines(store: Store, vector: np.ndarray, semantic: dict[int, float],
             keyword: dict[int, float]) -> dict[int, float]:
    """The query's cosine to every candidate: the keyword-only ones were not among the nearest."""
    cosine = dict(semantic)
    missing = [cid for cid in keyword if cid not in cosine]
    ids, matrix = store.exact_vectors(missing)
    if ids:
        cosine.update(zip(ids, (matrix @ np.asarray(vector, dtype=np.float32)).tolist()))
    return cosine


def _weak(hit: ChunkHit, cosine: float, query: Query, floors: WeakFloors = MINILM_WEAK) -> bool:
    """Far in meaning and with little of the query: what a person would not call a match."""
    if cosine >= floors.similarity:
        return False
    found = term_coverage(hit.text + "\n" + PurePath(hit.path).name, query)
    if found == 0:
        return True
    if cosine >= floors.partial or found >= MATCH_SHARE:
        return False
    text = hit.text.lower()
    return not any(word.lower() in text for word in query.identifiers)


def _fuse(store: Store, vector: np.ndarray, keyword: dict[int, float], cosine: dict[int, float],
          hits: dict[int, ChunkHit], query: Query) -> dict[int, float]:
    """Cosine for every candidate, plus its file's and the keyword bonus; scaled to 0..1."""
    files = _file_cosines(store, vector, hits)
    fused = {}
    for cid, hit in hits.items():
        match = keyword.get(cid, 0.0)
        bonus = match ** KEYWORD_POWER * term_coverage(hit.text, query) ** COVERAGE_POWER if match else 0.0
        fused[cid] = ((max(0.0, cosine.get(cid, 0.0)) + FILE_WEIGHT * files.get(cid, 0.0) + KEYWORD_WEIGHT * bonus)
                      / (1.0 + FILE_WEIGHT + KEYWORD_WEIGHT))
    return fused


def _file_cosines(store: Store, vector: np.ndarray, hits: dict[int, ChunkHit]) -> dict[int, float]:
    """For each candidate passage, the cosine between the query and its file's vector (0 if negative)."""
    query = np.asarray(vector, dtype=np.float32)
    vectors = store.file_vectors(hit.file_id for hit in hits.values())
    by_file = {file_id: max(0.0, float(v @ query)) for file_id, v in vectors.items()}
    return {cid: by_file.get(hit.file_id, 0.0) for cid, hit in hits.items()}


def _boost_identifiers(scores: dict[int, float], hits: dict[int, ChunkHit], query: Query) -> None:
    """Passages holding what the person typed exactly go first: identifiers, and the words of unspaced
    scripts (the embedding model does not read Chinese or Thai: "故宫" was nearest to a Thai passage)."""
    wanted = [w.lower() for w in dict.fromkeys(query.identifiers + query.unspaced)]
    if not wanted:
        return
    for cid, hit in hits.items():
        haystack = hit.text.lower()
        found = sum(1 for w in wanted if w in haystack)
        if found:
            scores[cid] += IDENTIFIER_BOOST * found / len(wanted)
    top = max(scores.values(), default=1.0)
    if top > 1.0:
        for cid in scores:
            scores[cid] /= top


def _one_per_file(ranked: Sequence[int], hits: dict[int, ChunkHit], scores: dict[int, float], query: Query,
                  limit: int, per_file: int, weak: Callable[[int], bool]) -> list[SearchResult]:
    """The best passage of each file: a person looks for files, then for the place in them.

    Answers want passages rather than files, so they ask for up to `per_file` from each."""
    seen: dict[int, int] = {}
    results: list[SearchResult] = []
    for cid in ranked:
        hit = hits[cid]
        if seen.get(hit.file_id, 0) >= per_file:
            continue
        seen[hit.file_id] = seen.get(hit.file_id, 0) + 1
        snippet = make_snippet(hit.text, query)
        results.append(SearchResult(
            path=hit.path, score=round(scores[cid], 4), text=hit.text, page=hit.page, start=hit.start, end=hit.end,
            heading=hit.heading, title=hit.title, snippet=snippet.text, highlights=snippet.highlights,
            chunk_id=cid, file_id=hit.file_id, weak=weak(cid), ocr_confidence=hit.ocr_confidence,
            location=hit.location,
        ))
        if len(results) >= limit:
            break
    return results
