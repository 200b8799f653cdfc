#!/usr/bin/env python3
"""Build Cairn's evaluation sets, in the BEIR layout `cairn eval` reads, from text on this machine.

    .venv/bin/python -m benchmarks.eval.build_sets [OUT_DIR]     # all sets, default bench-data/eval/
    .venv/bin/python -m benchmarks.eval.build_sets OUT_DIR --only faq-5k

Sets (see each module's docstring for how queries and targets are chosen):
  manpages  known-item: a manual page's NAME description -> that page without it (sections 1, 8)
  faq       question -> answer from the Python and Perl FAQs, among documentation sections
  faq-5k    the faq questions among 5,000 documents of abstract size, for timing `cairn eval`
  man-LANG  known-item in LANG (de fr es it nl pl ja zh): Debian's translated pages (manpages_i18n.py)
  man-en-de cross-language: an English NAME description -> the German page

The faq sets need the Debian packages python3.11-doc and perl-doc; without them they are
skipped with a message. Deterministic: the same installed packages and seed give
byte-identical files; manifest.json records counts and checksums. The data is not
committed (bench-data/ is ignored); this script is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.eval import faqs, manpages, manpages_i18n  # noqa: E402
from benchmarks.eval.beir_layout import write_set  # noqa: E402

OUT = ROOT / "bench-data" / "eval"
I18N = tuple(f"man-{lang}" for lang in manpages_i18n.LANGS)
SETS = ("manpages", "faq", "faq-5k", *I18N, "man-en-de")
DEFAULT_SETS = ("manpages", "faq", "faq-5k")  # the translated sets: with --only, or --i18n for all of them
# faq-5k's distractors are cut to about an abstract's size (as in BEIR's SciFact, 5,183 abstracts),
# so the set measures evaluation time at 5,000 documents of ordinary length, not at 5,000 chapters.
FIVE_K_PIECE = 1_200


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT, help=f"folder for the sets (default {OUT})")
    parser.add_argument("--only", choices=SETS, action="append", help="build only this set (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--man-queries", type=int, default=300)
    parser.add_argument("--faq-docs", type=int, default=1500)
    parser.add_argument("--i18n", action="store_true", help="build every translated and cross-language set")
    parser.add_argument("--i18n-pages", type=int, default=200, help="pages per translated set (default 200)")
    args = parser.parse_args()
    for name in args.only or ((*I18N, "man-en-de") if args.i18n else DEFAULT_SETS):
        if name == "manpages":
            built = manpages.build(args.man_queries, args.seed)
        elif name == "man-en-de":
            built = manpages_i18n.build_cross("de", args.i18n_pages, args.seed)
        elif name in I18N:
            built = manpages_i18n.build(name.removeprefix("man-"), args.i18n_pages, args.seed)
        else:
            try:
                built = (faqs.build(5000, args.seed, max_piece=FIVE_K_PIECE) if name == "faq-5k"
                         else faqs.build(args.faq_docs, args.seed))
            except faqs.MissingSource as exc:
                print(f"{name}: skipped, {exc}", file=sys.stderr)
                continue
        docs, queries, qrels, about = built
        manifest = write_set(args.out / name, docs, queries, qrels, {"name": name, **about})
        print(f"{name}: {manifest['documents']} documents, {manifest['queries']} queries -> {args.out / name}")


if __name__ == "__main__":
    main()
