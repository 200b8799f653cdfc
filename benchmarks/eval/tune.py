#!/usr/bin/env python3
"""Try retrieval settings on an evaluation set without indexing it again for each one.

    .venv/bin/python -m benchmarks.eval.tune bench-data/eval/faq bench-data/eval-work/faq-place
    .venv/bin/python -m benchmarks.eval.tune bench-data/eval/faq bench-data/eval-work/faq-plain --no-place

`cairn eval` indexes into a temporary home and throws it away; this keeps the
documents and the home in WORK_DIR, so a second run only searches. Settings that
change what is indexed (the chunk's place in the embedded text, chunk sizes) need a
WORK_DIR of their own; settings that change only search (fusion weight, coverage
power, candidate depth) are tried in one run, over the same index, and printed as
one table (also appended to WORK_DIR/results.jsonl).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import engine.indexing.chunk  # noqa: E402
import engine.indexing.indexer  # noqa: E402
import engine.search.ranking  # noqa: E402
from engine.cairn import Cairn  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.evaluate import load_dataset  # noqa: E402
from engine.evaluate.metrics import score_run  # noqa: E402
from engine.evaluate.runner import KnownQueries, materialise, run_queries  # noqa: E402
from engine.progress import run_to_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--no-place", action="store_true", help="embed chunks without their title and headings")
    parser.add_argument("--chunk-tokens", type=int, default=engine.indexing.chunk.TARGET_TOKENS, help="passage size")
    parser.add_argument("--overlap-share", type=int, default=engine.indexing.chunk.OVERLAP_SHARE,
                        help="overlap = passage size / this (0: none)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", type=Path, help="GGUF embedding model (default: the bundled one)")
    parser.add_argument("--weights", default="0.3", help="hybrid keyword weights to try, comma-separated")
    parser.add_argument("--powers", default="2", help="coverage powers to try, comma-separated")
    parser.add_argument("--keyword-powers", default="1", help="powers of the normalised bm25 to try, comma-separated")
    parser.add_argument("--file-weights", default="0.3", help="weights of the file's cosine to try, comma-separated")
    parser.add_argument("--candidates", default="300", help="passages per list to try, comma-separated")
    parser.add_argument("--modes", default="keyword,semantic,hybrid")
    args = parser.parse_args()

    data = load_dataset(args.dataset)
    variant = {"place": not args.no_place, "model": str(args.model or "bundled")}
    if (args.chunk_tokens, args.overlap_share) != (engine.indexing.chunk.TARGET_TOKENS, engine.indexing.chunk.OVERLAP_SHARE):
        variant.update(chunk_tokens=args.chunk_tokens, overlap_share=args.overlap_share)
    args.work.mkdir(parents=True, exist_ok=True)
    marker = args.work / "variant.json"
    if marker.exists() and json.loads(marker.read_text()) != variant:
        raise SystemExit(f"{args.work} was indexed as {marker.read_text().strip()}; use another folder")
    marker.write_text(json.dumps(variant))
    engine.indexing.indexer.EMBED_PLACE = bool(variant["place"])
    engine.indexing.chunk.TARGET_TOKENS, engine.indexing.chunk.OVERLAP_SHARE = args.chunk_tokens, args.overlap_share

    docs = args.work / "documents"
    docs_of = materialise(data.documents, docs) if not docs.exists() else _known_paths(data, docs)
    embedder = KnownQueries(load_embedder(args.model, args.threads))
    with Cairn(args.work / "home", embedder=embedder) as cairn:
        if not cairn.folders():
            cairn.add_folder(docs)
        report = run_to_result(cairn.index())
        chunks = cairn.store.chunk_count()
        print(f"{data.name} ({variant}): {len(data.documents)} documents, {chunks} passages; this pass "
              f"{report.added} files indexed in {report.seconds:.0f} s", flush=True)
        embedder.prepare(data.queries.values())
        modes = args.modes.split(",")
        grid = list(itertools.product(_floats(args.weights), _floats(args.powers), _ints(args.candidates),
                                      _floats(args.keyword_powers), _floats(args.file_weights)))
        for weight, power, candidates, kw_power, file_weight in grid:
            engine.search.ranking.KEYWORD_WEIGHT, engine.search.ranking.COVERAGE_POWER = weight, power
            engine.search.ranking.KEYWORD_POWER, engine.search.ranking.FILE_WEIGHT = kw_power, file_weight
            # exactly `candidates` passages from each list, whatever the number of results asked for
            engine.search.ranking.CANDIDATES, engine.search.ranking.PASSAGES_PER_RESULT = candidates, 0
            for mode in modes:
                first = grid[0]
                other_fusion = (weight, power, kw_power) != (first[0], first[1], first[3])
                if mode != "hybrid" and (other_fusion or (mode == "keyword" and file_weight != first[4])):
                    continue  # semantic search uses only the file weight, keyword search none of these
                started = time.perf_counter()
                rankings, _ = run_queries(cairn, data.queries, docs_of, mode)  # type: ignore[arg-type]
                s = score_run(rankings, data.qrels)
                found = sum(len(r) for r in rankings.values()) / len(rankings)
                row = {"set": data.name, **variant, "mode": mode, "weight": weight, "power": power, "kw_power": kw_power,
                       "file_weight": file_weight, "candidates": candidates,
                       **{k: round(v, 4) for k, v in s.as_dict().items()},
                       "mean_results": round(found, 1), "seconds": round(time.perf_counter() - started, 1)}
                print(f"{mode:<9} w={weight:<4} p={power:<3} k={kw_power:<4} f={file_weight:<4} c={candidates:<4} "
                      f"nDCG@10 {s.ndcg10:.4f}  "
                      f"R@10 {s.recall10:.4f}  R@100 {s.recall100:.4f}  MRR@10 {s.mrr10:.4f}  "
                      f"({found:.0f} results/query)", flush=True)
                with (args.work / "results.jsonl").open("a") as out:
                    out.write(json.dumps(row) + "\n")


def _known_paths(data: object, docs: Path) -> dict[str, str]:
    """The path -> id map of documents written by an earlier run (materialise numbers them in order)."""
    from engine.evaluate.runner import FILES_PER_FOLDER

    out = {}
    for n, doc in enumerate(data.documents):  # type: ignore[attr-defined]
        sub = docs.resolve() / f"{n // FILES_PER_FOLDER:04d}"
        name = f"d{n:06d}.md" if " ".join(doc.title.split()) else f"d{n:06d}.txt"
        out[str(sub / name)] = doc.id
    return out


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",")]


if __name__ == "__main__":
    main()
