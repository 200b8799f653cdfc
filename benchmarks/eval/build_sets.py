#!/usr/bin/env python3
"""Build Cairn's evaluation sets, in the BEIR layout `cairn eval` reads, from text on this machine.

    .venv/bin/python benchmarks/eval/build_sets.py            # all sets into bench-data/eval/
    .venv/bin/python benchmarks/eval/build_sets.py --only faq --faq-docs 5000 --name faq-5k

Sets (see each module's docstring for how queries and targets are chosen):
  manpages  known-item: a manual page's NAME description -> that page (sections 1 and 8)
  faq       question -> answer from the Python and Perl FAQs, among documentation sections
  faq-5k    the faq set with 5,000 documents, for timing `cairn eval` at that size

Deterministic: the same machine (same installed packages) and seed give byte-identical
files; manifest.json records counts and checksums. The data is not committed
(bench-data/ is ignored); this script is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.eval import faqs, manpages  # noqa: E402
from benchmarks.eval.beir_layout import write_set  # noqa: E402

OUT = ROOT / "bench-data" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", choices=["manpages", "faq", "faq-5k"], action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--man-queries", type=int, default=500)
    parser.add_argument("--faq-docs", type=int, default=3000)
    args = parser.parse_args()
    wanted = args.only or ["manpages", "faq", "faq-5k"]
    for name in wanted:
        if name == "manpages":
            built = manpages.build(args.man_queries, args.seed)
        else:
            try:
                built = faqs.build(5000 if name == "faq-5k" else args.faq_docs, args.seed)
            except faqs.MissingSource as exc:
                print(f"{name}: skipped, {exc}", file=sys.stderr)
                continue
        docs, queries, qrels, about = built
        manifest = write_set(args.out / name, docs, queries, qrels, {**about, "name": name})
        print(f"{name}: {manifest['documents']} documents, {manifest['queries']} queries -> {args.out / name}")


if __name__ == "__main__":
    main()
