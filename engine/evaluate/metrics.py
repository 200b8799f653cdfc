"""Ranking metrics, computed as BEIR computes them (through pytrec_eval), without that dependency.

A ranking is a list of document ids, best first; judgements map document ids to
graded relevance (0 = judged not relevant). Gains are linear (the grade itself)
and discounted by log2(rank + 1), as in pytrec_eval's ndcg_cut; a query with no
relevant document has no defined score and is left out by the callers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """DCG of the first k results over the DCG of the best possible first k."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([max(0, judged.get(doc, 0)) for doc in _unique(ranking)[:k]]) / ideal


def recall_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the first k results."""
    relevant = {doc for doc, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_unique(ranking)[:k])) / len(relevant)


def mrr_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    """1 / rank of the first relevant result within the first k, else 0."""
    for rank, doc in enumerate(_unique(ranking)[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def _unique(ranking: Sequence[str]) -> list[str]:
    """A document listed twice counts once, at its best rank (pytrec_eval does the same)."""
    return list(dict.fromkeys(ranking))


@dataclass(frozen=True)
class Scores:
    """Mean metrics over the judged queries of one run."""

    ndcg10: float
    recall10: float
    recall100: float
    mrr10: float
    queries: int

    def as_dict(self) -> dict[str, float]:
        return {"ndcg@10": self.ndcg10, "recall@10": self.recall10, "recall@100": self.recall100,
                "mrr@10": self.mrr10}


def score_run(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> Scores:
    """Means over every query that has a relevant document; a query with no ranking scores 0."""
    judged = [q for q, rels in qrels.items() if any(g > 0 for g in rels.values())]
    if not judged:
        return Scores(0.0, 0.0, 0.0, 0.0, 0)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    runs = [(rankings.get(q, []), qrels[q]) for q in judged]
    return Scores(
        ndcg10=mean([ndcg_at_k(r, j, 10) for r, j in runs]),
        recall10=mean([recall_at_k(r, j, 10) for r, j in runs]),
        recall100=mean([recall_at_k(r, j, 100) for r, j in runs]),
        mrr10=mean([mrr_at_k(r, j, 10) for r, j in runs]),
        queries=len(judged),
    )


@dataclass(frozen=True)
class Percentiles:
    """Latency summary in milliseconds."""

    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, millis: Sequence[float]) -> "Percentiles":
        if not millis:
            return cls(0.0, 0.0, 0.0, 0.0)
        values = np.asarray(millis, dtype=np.float64)
        p50, p95, p99 = (float(v) for v in np.percentile(values, [50, 95, 99]))
        return cls(p50, p95, p99, float(values.mean()))

    def as_dict(self) -> dict[str, float]:
        return {"p50": round(self.p50, 2), "p95": round(self.p95, 2), "p99": round(self.p99, 2),
                "mean": round(self.mean, 2)}
