#!/usr/bin/env python3
"""The table of docs/multilingual-model.md from `cairn eval --json` outputs, MiniLM beside multilingual-e5.

    for s in de en-de en ja; do for m in english multilingual; do
      .venv/bin/python -m engine.cli eval bench-data/eval/man-$s --model $m --max-queries 60 --max-docs 80 \\
          --json > bench-data/eval-out/$s-$m.json; done; done
    .venv/bin/python -m benchmarks.eval.i18n_table bench-data/eval-out

Reads OUT/SET-english.json and OUT/SET-multilingual.json for every SET present.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MODES = ("semantic", "keyword", "hybrid")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-data/eval-out")
    print("| set | docs / queries / passages (MiniLM, e5) | " + " | ".join(
        f"{m} MiniLM | {m} e5" for m in MODES) + " | semantic e5 / MiniLM |")
    print("| --- | --- | " + " | ".join("---: | ---:" for _ in MODES) + " | ---: |")
    for english in sorted(out.glob("*-english.json")):
        name = english.name.removesuffix("-english.json")
        other = out / f"{name}-multilingual.json"
        if not other.exists() or not other.stat().st_size or not english.stat().st_size:
            continue
        a, b = json.loads(english.read_text()), json.loads(other.read_text())
        cells = [f"{a['modes'][m]['ndcg@10']:.3f} | {b['modes'][m]['ndcg@10']:.3f}" for m in MODES]
        ratio = b["modes"]["semantic"]["ndcg@10"] / max(a["modes"]["semantic"]["ndcg@10"], 1e-9)
        size = f"{a['documents']} / {a['queries']} / {a['passages']}, {b['passages']}"
        print(f"| man-{name} | {size} | " + " | ".join(cells) + f" | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
