"""Where a semantic match stops meaning anything: the data behind `engine.search.WEAK_SIMILARITY`.

Every passage has some cosine to every query, so search by meaning always finds "something".
This measures, with the bundled model and Cairn's own chunking, the best passage cosine of
queries that are about something in the files (related) against queries that nothing in the
files is about (unrelated), on two corpora of real text:

* the manual pages installed here (a seeded sample): related = a page's one-line NAME
  description against that page (NAME line removed, as in benchmarks/eval/manpages.py);
  unrelated = everyday questions (the test corpus' paraphrases and its topics) and nonsense;
* the test corpus (tests/corpus.py): related = its paraphrase queries (no shared word) against
  their target; unrelated = man-page descriptions against it.

Only the pairs that share no query word matter for `WEAK_SIMILARITY`, so related figures
are given for those as well. The last lines count what the whole rule (`engine.search._weak`,
which also folds a passage with under half the query's words below `PARTIAL_SIMILARITY`)
marks, against the older rule (weak only without a shared word): unrelated queries' nearest
passages still shown as matches, and related queries' right passages folded away.
Run: .venv/bin/python -m benchmarks.weak_floor [pages] [model] [lang] (default: 300, the bundled English
model, the English pages; model "multilingual" for multilingual-e5-small, lang "de" for Debian's German
pages, whose NAME lines are the related queries; the unrelated ones stay English). Queries are embedded
as queries (e5's "query: " prefix). `-m benchmarks.weak_floor small [model]`: the test corpora only.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.eval.manpages import good_query, pages
from benchmarks.eval.manpages_i18n import pages as translated_pages
from engine.cairn import Cairn
from engine.embed import load_embedder
from engine.search.ranking import WeakFloors, _weak, weak_floors
from engine.store import ChunkHit
from engine.search.query import Query
from engine.search.snippet import term_coverage
from tests.corpus import DOCS, PARAPHRASES, write_corpus

UNRELATED = [q for q, _ in PARAPHRASES] + [
    "recipe for chocolate cake with strawberries", "best beaches in Portugal for a summer holiday",
    "how tall is the Eiffel tower", "my grandmother's birthday party", "symptoms of the flu in children",
    "history of the French revolution", "training a puppy to walk on a leash", "wedding dress alterations",
    "football world cup final score", "knitting a wool scarf", "purple elephant dancing tango",
    "zxqv blorp fnord", "quantum gravity and black hole entropy", "the stock market crashed yesterday",
    "planting tomatoes in spring", "a poem about the sea at night",
]


def _index(folder: Path, home: Path, embedder: object) -> Cairn:
    cairn = Cairn(home, embedder=embedder)  # type: ignore[arg-type]
    cairn.add_folder(folder)
    for _ in cairn.index():
        pass
    return cairn


def _passages(cairn: Cairn) -> tuple[list[int], np.ndarray, dict[int, tuple[str, str]]]:
    ids, matrix = cairn.store.exact_vectors([int(r[0]) for r in cairn.store.conn.execute("SELECT id FROM chunks")])
    hits = cairn.store.hits(ids)
    return ids, matrix, {cid: (Path(hits[cid].path).name, hits[cid].text) for cid in ids}


def _best(vector: np.ndarray, ids: list[int], matrix: np.ndarray, keep: set[int] | None = None) -> tuple[float, int]:
    sims = matrix @ vector
    order = [i for i in np.argsort(-sims) if keep is None or ids[i] in keep]
    return float(sims[order[0]]), ids[order[0]]


def _shares_word(query: str, name: str, text: str) -> bool:
    parsed = Query.parse(query)
    return term_coverage(text, parsed) > 0 or term_coverage(name, parsed) > 0


def _compare(label: str, pairs: list[tuple[str, ChunkHit, float]], floors: WeakFloors) -> None:
    """(query, passage, cosine): how many the older rule and the whole rule leave strong."""
    older = sum(c >= floors.similarity or _shares_word(q, Path(h.path).name, h.text) for q, h, c in pairs)
    now = sum(not _weak(h, c, Query.parse(q), floors) for q, h, c in pairs)
    print(f"{label:<58} n={len(pairs):>4}  shown as matches: rule without a shared word {older}, now {now}")


def _summary(label: str, values: list[float]) -> None:
    if not values:
        print(f"{label:<58} n=   0")
        return
    v = np.array(sorted(values))
    q = np.percentile(v, [1, 5, 10, 50, 90, 95, 99])
    print(f"{label:<58} n={len(v):>4}  min {v.min():.3f}  p1 {q[0]:.3f}  p5 {q[1]:.3f}  p10 {q[2]:.3f}  "
          f"median {q[3]:.3f}  p90 {q[4]:.3f}  p95 {q[5]:.3f}  p99 {q[6]:.3f}  max {v.max():.3f}")


def main(sample: int = 300, seed: int = 7, model: str | None = None, lang: str = "en") -> None:
    embedder = load_embedder(model, threads=2)
    floors = weak_floors(embedder)
    print(embedder.model_name, lang, floors)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        every = list(pages() if lang == "en" else translated_pages(lang))
        chosen = random.Random(seed).sample(every, min(sample, len(every)))
        man = root / "man"
        man.mkdir()
        for p in chosen:
            (man / f"{p.stem}.txt").write_text(p.body, encoding="utf-8")
        life = write_corpus(root / "life")
        with _index(man, root / "home-man", embedder) as mc, _index(life, root / "home-life", embedder) as lc:
            m_ids, m_matrix, m_hit = _passages(mc)
            l_ids, l_matrix, l_hit = _passages(lc)
            print(f"man pages: {len(chosen)} files, {len(m_ids)} passages; test corpus: {len(DOCS)} files, "
                  f"{len(l_ids)} passages")
            by_file: dict[str, set[int]] = {}
            for cid, (name, _) in m_hit.items():
                by_file.setdefault(name, set()).add(cid)

            queries = [p for p in chosen if good_query(p.description)]
            q_vectors = embedder.embed_batch([p.description for p in queries], role="query")
            related, related_no_word = [], []
            for p, vec in zip(queries, q_vectors):
                cos, cid = _best(vec, m_ids, m_matrix, by_file[f"{p.stem}.txt"])
                related.append(cos)
                if not _shares_word(p.description, *m_hit[cid]):
                    related_no_word.append(cos)
            _summary("man: description -> its page (best passage)", related)
            _summary("man: ... of those, the best passage shares no query word", related_no_word)

            u_vectors = embedder.embed_batch(UNRELATED, role="query")
            nearest, nearest_no_word = [], []
            for query, vec in zip(UNRELATED, u_vectors):
                sims = m_matrix @ vec
                for i in np.argsort(-sims)[:10]:
                    if not _shares_word(query, *m_hit[m_ids[i]]):
                        nearest_no_word.append(float(sims[i]))
                nearest.append(float(sims.max()))
            _summary("man: unrelated query -> nearest passage", nearest)
            _summary("man: unrelated query -> its 10 nearest, sharing no word", nearest_no_word)

            para = embedder.embed_batch([q for q, _ in PARAPHRASES], role="query")
            life_files: dict[str, set[int]] = {}
            for cid, (name, _) in l_hit.items():
                life_files.setdefault(name, set()).add(cid)
            _summary("test corpus: paraphrase -> its target (no shared word)",
                     [_best(vec, l_ids, l_matrix, life_files[target])[0] for (_, target), vec in zip(PARAPHRASES, para)])
            _summary("test corpus: man-page description -> nearest passage",
                     [_best(vec, l_ids, l_matrix)[0] for vec in q_vectors])

            m_hits, l_hits = mc.store.hits(m_ids), lc.store.hits(l_ids)
            _compare("man: description -> its page's best passage", [
                (p.description, m_hits[cid], cos) for p, vec in zip(queries, q_vectors)
                for cos, cid in [_best(vec, m_ids, m_matrix, by_file[f"{p.stem}.txt"])]], floors)
            _compare("man: unrelated query -> its 10 nearest", [
                (query, m_hits[m_ids[i]], float(sims[i])) for query, vec in zip(UNRELATED, u_vectors)
                for sims in [m_matrix @ vec] for i in np.argsort(-sims)[:10]], floors)
            _compare("test corpus: paraphrase -> its target", [
                (query, l_hits[cid], cos) for (query, target), vec in zip(PARAPHRASES, para)
                for cos, cid in [_best(vec, l_ids, l_matrix, life_files[target])]], floors)
            _compare("test corpus: man-page description -> its 10 nearest", [
                (p.description, l_hits[l_ids[i]], float(sims[i])) for p, vec in zip(queries, q_vectors)
                for sims in [l_matrix @ vec] for i in np.argsort(-sims)[:10]], floors)


def small(model: str | None = None) -> None:
    """The test corpus and tests/multilingual_corpus.py only (a few minutes on a loaded machine, no man pages):
    related = paraphrases (no shared word) and questions in the files' languages (and English questions
    over German/French files) against their file; unrelated = everyday and nonsense questions, in English and
    in the other languages, against their nearest passage. Then what each candidate floor pair shows."""
    from tests.multilingual_corpus import ANSWERED, FILES, UNANSWERED

    embedder = load_embedder(model, threads=2)
    print(embedder.model_name, "small")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(Path(tmp) / "docs")
        for name, text in FILES.items():
            (folder / name).write_text(text, encoding="utf-8")
        with _index(folder, Path(tmp) / "home", embedder) as cairn:
            ids, matrix, hit = _passages(cairn)
            hits = cairn.store.hits(ids)
            of_file: dict[str, set[int]] = {}
            for cid, (name, _) in hit.items():
                of_file.setdefault(name, set()).add(cid)
            related = [(q, t) for q, t in [*PARAPHRASES, *ANSWERED] if t in of_file]  # read in time
            print(f"{len(ids)} passages; {len(related)} related questions whose file was read")
            asked = {q for q, _ in PARAPHRASES}  # UNRELATED holds them: unrelated to man pages, not to this corpus
            unrelated = [*(q for q in UNRELATED if q not in asked), *UNANSWERED]
            r_vec = embedder.embed_batch([q for q, _ in related], role="query")
            u_vec = embedder.embed_batch(unrelated, role="query")
            r_pairs = [(q, hits[cid], cos) for (q, target), vec in zip(related, r_vec)
                       for cos, cid in [_best(vec, ids, matrix, of_file[target])]]
            u_pairs = [(q, hits[ids[i]], float(sims[i])) for q, vec in zip(unrelated, u_vec)
                       for sims in [matrix @ vec] for i in np.argsort(-sims)[:10]]
            _summary("related: question -> its file's best passage", [c for _, _, c in r_pairs])
            _summary("  ... sharing no query word", [c for q, h, c in r_pairs
                                                    if not _shares_word(q, Path(h.path).name, h.text)])
            _summary("unrelated: question -> its 10 nearest passages", [c for _, _, c in u_pairs])
            _summary("  ... sharing no query word", [c for q, h, c in u_pairs
                                                    if not _shares_word(q, Path(h.path).name, h.text)])
            for similarity in (0.80, 0.82, 0.83, 0.84, 0.85, 0.86):
                for partial in (similarity - 0.02, similarity - 0.01):
                    floors = WeakFloors(similarity, round(partial, 2))
                    kept = sum(not _weak(h, c, Query.parse(q), floors) for q, h, c in r_pairs)
                    shown = sum(not _weak(h, c, Query.parse(q), floors) for q, h, c in u_pairs)
                    print(f"floors {floors.similarity:.2f}/{floors.partial:.2f}: related kept as matches "
                          f"{kept}/{len(r_pairs)}, unrelated shown as matches {shown}/{len(u_pairs)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["small"]:
        small(sys.argv[2] if len(sys.argv) > 2 else None)
        sys.exit()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, model=sys.argv[2] if len(sys.argv) > 2 else None,
         lang=sys.argv[3] if len(sys.argv) > 3 else "en")
