#!/usr/bin/env python3
"""Try query rewrites and extra semantic signals on an index built by tune.py, in seconds per setting.

    .venv/bin/python -m benchmarks.eval.query_lab bench-data/eval/faq bench-data/eval-work/faq

fusion_lab.py scores formulas on one fixed candidate set; the ideas here change the
candidates themselves (the query vector the semantic list is fetched with, passages of
the nearest files added as a third list), so each query's candidates are gathered per
query variant, with every passage's and file's vector held in memory. Scores are
engine/search/ranking.py's (identifier boost included), so the baseline row matches tune.py.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.eval.fusion_lab import rank_docs  # noqa: E402  (the same ranking of documents)
from engine.cairn import Cairn  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.evaluate import load_dataset  # noqa: E402
from engine.evaluate.metrics import score_run  # noqa: E402
from engine.search.query import Query  # noqa: E402
from engine.search.ranking import CANDIDATES, FILE_WEIGHT, KEYWORD_WEIGHT, _keyword, _semantic  # noqa: E402
from engine.search.snippet import term_coverage  # noqa: E402
from benchmarks.eval.tune import _known_paths  # noqa: E402

_LEAD = re.compile(
    r"^(?:(?:how|where|when|why|what)\s+(?:do|does|can|could|should|would|must|might)\s+(?:i|you|we|one)\s+"
    r"|how\s+to\s+|is\s+there\s+(?:a|an|any)\s+(?:(?:easy|easier|good|better|simple|quick|portable|nice|"
    r"standard|right|best)\s+)?way\s+(?:to|of)\s+"
    r"|what(?:'s|\s+is)\s+(?:the|a)\s+(?:(?:best|easiest|fastest|right|correct|proper|preferred|"
    r"recommended|quickest|simplest|most\s+efficient)\s+)?way\s+(?:to|of)\s+"
    r"|i\s+want\s+to\s+|can\s+i\s+)", re.I)
_LANGUAGE = re.compile(r"\s+(?:in|with|using|from)\s+(?:python|perl)(?=\W*$)", re.I)


def strip_lead(q: str) -> str:
    out = _LEAD.sub("", q.strip()).rstrip("?").strip()
    return out or q


def strip_all(q: str) -> str:
    out = _LANGUAGE.sub("", strip_lead(q)).strip()
    return out or q


@dataclass
class Candidates:
    doc: list[str]
    cos: np.ndarray  # cosine to the (variant) query vector
    file_cos: np.ndarray
    n_in_file: np.ndarray  # passages in the candidate's file
    kw: np.ndarray
    cov: np.ndarray
    ident: np.ndarray  # identifier boost
    in_sem: np.ndarray  # bool: on the semantic list
    in_file_list: np.ndarray  # bool: added only as a passage of a near file
    n_terms: int


class Corpus:
    def __init__(self, cairn: Cairn) -> None:
        conn = cairn.store.conn
        rows = conn.execute("SELECT chunk_id, vector FROM embeddings").fetchall()
        self.ids = np.array([r[0] for r in rows])
        self.row = {int(c): i for i, c in enumerate(self.ids)}
        self.vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        self.file_of = {int(r[0]): int(r[1]) for r in conn.execute("SELECT id, file_id FROM chunks")}
        self.chunks_of: dict[int, list[int]] = {}
        for cid, fid in self.file_of.items():
            self.chunks_of.setdefault(fid, []).append(cid)
        frows = conn.execute("SELECT file_id, vector FROM file_vectors").fetchall()
        self.fids = np.array([r[0] for r in frows])
        self.fvecs = np.frombuffer(b"".join(r[1] for r in frows), dtype=np.float32).reshape(len(frows), -1)
        self.frow = {int(f): i for i, f in enumerate(self.fids)}


def collect(cairn: Cairn, corpus: Corpus, vectors: dict[str, np.ndarray], queries: dict[str, str],
            docs_of: dict[str, str], file_list: int) -> dict[str, Candidates]:
    store = cairn.store
    out = {}
    for qid, raw in queries.items():
        vec = vectors[qid]
        parsed = Query.parse(raw)
        keyword = _keyword(store, parsed, CANDIDATES)
        semantic = _semantic(store, vec, CANDIDATES)
        ids = list({**keyword, **semantic})
        near_files: list[int] = []
        if file_list:
            fsims = corpus.fvecs @ vec
            near_files = [int(corpus.fids[i]) for i in np.argsort(-fsims)[:file_list]]
            extra = [c for f in near_files for c in corpus.chunks_of.get(f, []) if c not in keyword and c not in semantic]
            ids += extra
        hits = store.hits(ids)
        ids = [i for i in ids if i in hits and hits[i].path in docs_of]
        wanted = [w.lower() for w in dict.fromkeys(parsed.identifiers + parsed.unspaced)]
        ident = []
        for i in ids:
            hay = hits[i].text.lower()
            ident.append(sum(1 for w in wanted if w in hay) / len(wanted) if wanted else 0.0)
        fsim = {f: max(0.0, float(corpus.fvecs[corpus.frow[f]] @ vec)) for f in {hits[i].file_id for i in ids}
                if f in corpus.frow}
        out[qid] = Candidates(
            doc=[docs_of[hits[i].path] for i in ids],
            cos=np.array([max(0.0, float(corpus.vecs[corpus.row[i]] @ vec)) for i in ids]),
            file_cos=np.array([fsim.get(hits[i].file_id, 0.0) for i in ids]),
            n_in_file=np.array([len(corpus.chunks_of[hits[i].file_id]) for i in ids]),
            kw=np.array([keyword.get(i, 0.0) for i in ids]),
            cov=np.array([term_coverage(hits[i].text, parsed) for i in ids]),
            ident=np.array(ident),
            in_sem=np.array([i in semantic for i in ids]),
            in_file_list=np.array([i not in semantic and i not in keyword for i in ids]),
            n_terms=len(parsed.terms))
    return out


Formula = Callable[[Candidates], np.ndarray]


def hybrid(c: Candidates, fw: float = FILE_WEIGHT, kw: float = KEYWORD_WEIGHT, file_cos: np.ndarray | None = None,
           cos: np.ndarray | None = None) -> np.ndarray:
    f = c.file_cos if file_cos is None else file_cos
    s = c.cos if cos is None else cos
    base = (s + fw * f + kw * c.kw * c.cov) / (1 + fw + kw)
    return base + 1.0 * c.ident


def semantic(c: Candidates, fw: float = FILE_WEIGHT, file_cos: np.ndarray | None = None) -> np.ndarray:
    f = c.file_cos if file_cos is None else file_cos
    return np.where(c.in_sem, c.cos + fw * f, -1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--only", default="", help="comma-separated experiment groups: query,file,size,length,gate")
    args = parser.parse_args()
    groups = set(args.only.split(",")) if args.only else {"query", "file", "size", "length", "gate"}
    data = load_dataset(args.dataset)
    docs_of = _known_paths(data, args.work / "documents")
    embedder = load_embedder(None, 1)

    def embed(rewrite: Callable[[str], str]) -> dict[str, np.ndarray]:
        texts = {q: rewrite(t) for q, t in data.queries.items()}
        return {q: embedder.embed_batch([t])[0] for q, t in texts.items()}

    def report(name: str, cands: dict[str, Candidates], formula: Formula) -> None:
        s = score_run({q: rank_docs(c, formula(c)) for q, c in cands.items()}, data.qrels)
        print(f"{name:<48} nDCG@10 {s.ndcg10:.4f}  R@10 {s.recall10:.4f}  MRR@10 {s.mrr10:.4f}", flush=True)

    with Cairn(args.work / "home", embedder=embedder) as cairn:
        corpus = Corpus(cairn)
        raw_vecs = embed(lambda t: t)
        base = collect(cairn, corpus, raw_vecs, data.queries, docs_of, 0)
        report("raw: semantic", base, semantic)
        report("raw: hybrid (engine)", base, hybrid)
        if "query" in groups:
            changed = sum(strip_all(t) != t for t in data.queries.values())
            print(f"rewrites change {changed} of {len(data.queries)} queries")
            for name, rewrite in (("strip lead", strip_lead), ("strip lead+language", strip_all)):
                vecs = embed(rewrite)
                cands = collect(cairn, corpus, vecs, data.queries, docs_of, 0)
                report(f"{name}: semantic", cands, semantic)
                report(f"{name}: hybrid", cands, hybrid)
                for share in (0.5,):
                    mixed = {q: _unit(share * raw_vecs[q] + (1 - share) * vecs[q]) for q in vecs}
                    cands = collect(cairn, corpus, mixed, data.queries, docs_of, 0)
                    report(f"mean(raw, {name}): semantic", cands, semantic)
                    report(f"mean(raw, {name}): hybrid", cands, hybrid)
        if "file" in groups:
            for k in (5, 10, 20):
                cands = collect(cairn, corpus, raw_vecs, data.queries, docs_of, k)
                report(f"+ passages of {k} nearest files: hybrid", cands, hybrid)
                report(f"+ passages of {k} nearest files: semantic", cands,
                       lambda c: np.where(c.in_sem | c.in_file_list, c.cos + FILE_WEIGHT * c.file_cos, -1.0))
        if "size" in groups:
            for a in (-0.5, -0.3, -0.2, -0.1, 0.1, 0.2):
                report(f"file cos x n^{a}: hybrid", base, lambda c, a=a: hybrid(c, file_cos=c.file_cos * c.n_in_file ** a))
                report(f"file cos x n^{a}: semantic", base,
                       lambda c, a=a: semantic(c, file_cos=c.file_cos * c.n_in_file ** a))
        if "gate" in groups:
            for g in (1, 2, 4, 8):
                for w in (0.2, 0.3, 0.45):
                    report(f"kw bonus x (cos/best cos)^{g}, w {w}: hybrid", base,
                           lambda c, g=g, w=w: _gated(c, g, w))
        if "length" in groups:
            mean = float(np.mean([c.n_terms for c in base.values()]))
            print(f"mean content words per query {mean:.2f}")
            for b in (-0.5, -0.25, 0.25, 0.5, 1.0):
                report(f"kw weight x (n/mean)^{b}: hybrid", base,
                       lambda c, b=b: hybrid(c, kw=KEYWORD_WEIGHT * (c.n_terms / mean) ** b))


def _gated(c: Candidates, g: float, w: float) -> np.ndarray:
    """The keyword bonus counts in proportion to how close the passage is in meaning to the best one."""
    top = c.cos.max() if len(c.cos) else 1.0
    gate = (c.cos / top) ** g if top > 0 else np.zeros_like(c.cos)
    return (c.cos + FILE_WEIGHT * c.file_cos + w * c.kw * c.cov * gate) / (1 + FILE_WEIGHT + w) + c.ident


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


if __name__ == "__main__":
    main()
