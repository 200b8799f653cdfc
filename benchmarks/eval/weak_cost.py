#!/usr/bin/env python3
"""What the weak-result floor costs on a labelled set: right answers that a person would find folded away.

    .venv/bin/python -m benchmarks.eval.tune bench-data/eval/faq bench-data/eval-work/faq --modes hybrid
    .venv/bin/python -m benchmarks.eval.weak_cost bench-data/eval/faq bench-data/eval-work/faq

`cairn search` and the app show results marked weak (engine.search.WEAK_SIMILARITY) only
on request. benchmarks/weak_floor.py chose the floor from related and unrelated pairs; this
counts, on an index tune.py built, how often a query's right document is among the first
ten results but marked weak (hidden behind "N weakly related files"), and how many files a
query shows as matches; and, as the gain, how many files everyday and nonsense questions that
nothing in the set is about (benchmarks/weak_floor.py's UNRELATED) still show as matches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.eval.tune import _known_paths  # noqa: E402
from benchmarks.weak_floor import UNRELATED  # noqa: E402
from engine.cairn import Cairn  # noqa: E402
from engine.embed import Embedder, load_embedder  # noqa: E402
from engine.evaluate import load_dataset  # noqa: E402

TOP = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work", type=Path, help="a folder tune.py indexed the dataset into")
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "semantic"))
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    docs_of = _known_paths(data, args.work / "documents")
    found = hidden = hidden_first = first = 0
    strong_counts = []
    embedder = _embedded_ahead(load_embedder(None), list(data.queries.values()) + UNRELATED)
    with Cairn(args.work / "home", embedder=embedder) as cairn:
        unrelated = [sum(not r.weak for r in cairn.search(q, mode=args.mode, limit=TOP))  # type: ignore[arg-type]
                     for q in UNRELATED]
        for qid, text in data.queries.items():
            relevant = {doc for doc, grade in data.qrels.get(qid, {}).items() if grade > 0}
            results = cairn.search(text, mode=args.mode, limit=TOP)  # type: ignore[arg-type]
            strong_counts.append(sum(not r.weak for r in results))
            for rank, result in enumerate(results):
                if docs_of.get(result.path) in relevant:
                    found += 1
                    hidden += result.weak
                    first += rank == 0
                    hidden_first += rank == 0 and result.weak
    queries = len(data.queries)
    print(f"{data.name}, {args.mode}, {queries} queries: right document in the first {TOP} for {found}; "
          f"of those marked weak (folded away) {hidden} ({hidden / max(found, 1):.1%}); "
          f"ranked first {first}, of those weak {hidden_first}")
    print(f"files shown as matches per query: median {statistics.median(strong_counts):.0f}, "
          f"none for {sum(c == 0 for c in strong_counts)} queries ({sum(c == 0 for c in strong_counts) / queries:.1%})")
    print(f"{len(UNRELATED)} unrelated questions: {sum(c > 0 for c in unrelated)} show a match; "
          f"{sum(unrelated)} files shown as matches in all")


def _embedded_ahead(embedder: Embedder, queries: list[str], batch: int = 32) -> Embedder:
    """The queries embedded in batches first: one at a time took seconds each on a busy machine."""
    done: dict[str, np.ndarray] = {}
    embed = embedder.embed_batch
    for i in range(0, len(queries), batch):
        done.update(zip(queries[i:i + batch], embed(queries[i:i + batch])))
    embedder.embed_batch = lambda texts: (  # type: ignore[method-assign]
        np.stack([done[t] for t in texts]) if all(t in done for t in texts) else embed(texts))
    return embedder


if __name__ == "__main__":
    main()
