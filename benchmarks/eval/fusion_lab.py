#!/usr/bin/env python3
"""Compare ways of fusing the keyword and semantic lists on an index built by tune.py, in seconds.

    .venv/bin/python -m benchmarks.eval.fusion_lab bench-data/eval/faq bench-data/eval-work/faq-place

Each query's candidates (passage, file, cosine, normalised bm25, share of query
words) are fetched once through engine.search's own helpers; every fusion formula
below is then scored on the same candidates. What wins here is tried for real
with tune.py (and `cairn eval`) before engine/search/ranking.py changes.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.cairn import Cairn  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.evaluate import load_dataset  # noqa: E402
from engine.evaluate.metrics import score_run  # noqa: E402
from engine.search.ranking import (CANDIDATES, COVERAGE_POWER, FILE_WEIGHT, KEYWORD_POWER, KEYWORD_WEIGHT,  # noqa: E402
                           _file_cosines, _keyword, _semantic)
from engine.search.query import Query  # noqa: E402
from engine.search.snippet import term_coverage  # noqa: E402
from benchmarks.eval.tune import _known_paths  # noqa: E402

DEPTH = CANDIDATES  # passages from each list, as search takes them


@dataclass
class Candidates:
    doc: list[str]  # document id of each candidate passage
    cos: np.ndarray
    file_cos: np.ndarray  # cosine to the passage's file vector
    kw: np.ndarray  # bm25 / best bm25, 0 when not a keyword candidate
    cov: np.ndarray
    kw_rank: np.ndarray  # 1-based, inf when absent
    sem_rank: np.ndarray


def collect(cairn: Cairn, embedder: object, queries: dict[str, str], docs_of: dict[str, str]) -> dict[str, Candidates]:
    out = {}
    store = cairn.store
    for qid, text in queries.items():
        vector = embedder.embed_batch([text])[0]  # type: ignore[attr-defined]
        parsed = Query.parse(text)
        keyword = _keyword(store, parsed, DEPTH)
        semantic = _semantic(store, vector, DEPTH)
        ids = list({**keyword, **semantic})
        hits = store.hits(ids)
        ids = [i for i in ids if i in hits and hits[i].path in docs_of]
        files = _file_cosines(store, vector, {i: hits[i] for i in ids})
        got, matrix = store.exact_vectors(ids)
        cos = dict(zip(got, (matrix @ vector).tolist()))
        kw_order = {cid: r for r, cid in enumerate(keyword, start=1)}
        sem_order = {cid: r for r, cid in enumerate(semantic, start=1)}
        out[qid] = Candidates(
            doc=[docs_of[hits[i].path] for i in ids],
            cos=np.array([cos.get(i, 0.0) for i in ids]),
            file_cos=np.array([files[i] for i in ids]),
            kw=np.array([keyword.get(i, 0.0) for i in ids]),
            cov=np.array([term_coverage(hits[i].text, parsed) for i in ids]),
            kw_rank=np.array([kw_order.get(i, math.inf) for i in ids]),
            sem_rank=np.array([sem_order.get(i, math.inf) for i in ids]))
    return out


Formula = Callable[[Candidates], np.ndarray]


def formulas() -> dict[str, Formula]:
    f: dict[str, Formula] = {
        "semantic only": lambda c: np.where(np.isfinite(c.sem_rank), c.cos + FILE_WEIGHT * c.file_cos, -1),
        "keyword only": lambda c: np.where(np.isfinite(c.kw_rank), c.kw, -1),
    }
    for w in (0.1, 0.15, 0.2, 0.3):
        for p in (1, 2):
            f[f"cos + {w}*kw*cov^{p}"] = lambda c, w=w, p=p: c.cos + w * c.kw * c.cov ** p
    for fw in (FILE_WEIGHT, 2 * FILE_WEIGHT):  # the first is engine/search/ranking.py's hybrid, identifier boost aside
        f[f"cos + {fw:g}*file + {KEYWORD_WEIGHT}*kw^{KEYWORD_POWER:g}*cov^{COVERAGE_POWER}"] = (
            lambda c, fw=fw: np.maximum(c.cos, 0) + fw * c.file_cos
            + KEYWORD_WEIGHT * c.kw ** KEYWORD_POWER * c.cov ** COVERAGE_POWER)
    for k in (10, 60):
        f[f"rrf k={k}"] = lambda c, k=k: 1 / (k + c.kw_rank) + 1 / (k + c.sem_rank)
    for a in (0.6, 0.7, 0.8):
        f[f"minmax {a}*cos + {1 - a:.1f}*kw"] = lambda c, a=a: a * _minmax(c.cos) + (1 - a) * c.kw
        f[f"minmax {a}*cos + {1 - a:.1f}*kw*cov"] = lambda c, a=a: a * _minmax(c.cos) + (1 - a) * c.kw * c.cov
    return f


def _minmax(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def rank_docs(c: Candidates, scores: np.ndarray) -> list[str]:
    order = np.argsort(-scores, kind="stable")
    return list(dict.fromkeys(c.doc[i] for i in order if scores[i] > -1))[:100]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    docs_of = _known_paths(data, args.work / "documents")
    embedder = load_embedder(args.model, 1)
    with Cairn(args.work / "home", embedder=embedder) as cairn:
        cands = collect(cairn, embedder, data.queries, docs_of)
    for name, formula in formulas().items():
        s = score_run({q: rank_docs(c, formula(c)) for q, c in cands.items()}, data.qrels)
        print(f"{name:<32} nDCG@10 {s.ndcg10:.4f}  R@10 {s.recall10:.4f}  R@100 {s.recall100:.4f}  "
              f"MRR@10 {s.mrr10:.4f}", flush=True)


if __name__ == "__main__":
    main()
