"""Real-world corpus: build it, index it with Cairn and with Recoll, compare.

    .venv/bin/python -m benchmarks.realworld all        # everything below, in order
    .venv/bin/python -m benchmarks.realworld fetch      # download the pinned sources, lay out the corpus
    .venv/bin/python -m benchmarks.realworld cairn      # one `cairn index` per format, fresh homes
    .venv/bin/python -m benchmarks.realworld recoll     # recollindex on the whole corpus, private config
    .venv/bin/python -m benchmarks.realworld pure       # the bundled model's pure embedding rate on these passages
    .venv/bin/python -m benchmarks.realworld rate       # one pass over the whole corpus against pure embedding
    .venv/bin/python -m benchmarks.realworld compare    # per-format table, Recoll comparison, disagreements

Needs: the registries (PyPI, Debian) for `fetch`; `apt-get install recollcmd python3-recoll
python3-xapian` and the helpers named in benchmarks/realworld/recoll.py for `recoll`.
Everything is written under bench-data/realworld/ (ignored by git); results/ holds the tables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realworld", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("fetch", "cairn", "recoll", "pure", "rate", "compare", "all"))
    parser.add_argument("--collect", action="store_true", help="recoll: read the last index again, do not rebuild it")
    parser.add_argument("--only", nargs="*", help="fetch: these sources; cairn: these formats")
    args = parser.parse_args()
    only = set(args.only) if args.only else None
    if args.command in ("fetch", "all"):
        from benchmarks.realworld.fetch import fetch
        fetch(only if args.command == "fetch" else None)
    if args.command in ("cairn", "all"):
        from benchmarks.realworld.cairn import run_all
        run_all(only if args.command == "cairn" else None)
    if args.command in ("recoll", "all"):
        from benchmarks.realworld.recoll import collect, run
        collect() if args.collect else run()
    if args.command in ("pure", "all"):
        from benchmarks.realworld.pure import run as pure
        pure()
    if args.command == "rate":
        from benchmarks.realworld.rate import run as rate
        rate()
    if args.command in ("compare", "all"):
        from benchmarks.realworld.compare import compare
        compare()


if __name__ == "__main__":
    main()
