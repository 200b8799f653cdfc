#!/usr/bin/env python3
"""Real passages and their real vectors for the 1,000,000-passage benchmark, embedded once and cached.

    nice -n 15 .venv/bin/python -m benchmarks.realcorpus [--passages 200000] [--shard 2048]

Text nobody here wrote, in a stable order: the installed manual pages (every section, English),
then the text files under /usr/share/doc (READMEs, change logs, HTML stripped of its tags), then
the documents of the evaluation sets under bench-data/eval if they were built. Each is cut into
passages by Cairn's own chunker and embedded by the bundled model; every `--shard` passages are
written to bench-data/realcorpus/ (texts as JSON lines, vectors as .npy), so a run that is
stopped keeps what it embedded and the next one goes on from there. `load()` returns what is
there: benchmarks/bench_search.py uses as many real vectors as have been embedded.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench-data" / "realcorpus"
DOC_DIR = Path("/usr/share/doc")
MAN_ROOT = Path("/usr/share/man")
TEXT_SUFFIXES = (".txt", ".md", ".rst", ".html", ".htm", ".gz")
_TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.S | re.I)


def documents() -> Iterator[tuple[str, str]]:
    """(title, text) of every source document, in a stable order."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.textsource import SKIP, read_roff, roff_to_text

    for section in sorted(MAN_ROOT.glob("man[1-8]")):
        for path in sorted(section.glob("*.gz")):
            raw = None if path.name.startswith(SKIP) else read_roff(path)
            if raw:
                name, body = roff_to_text(raw)
                if len(body) >= 200:
                    yield name or path.stem, body
    for path in sorted(DOC_DIR.rglob("*")):
        text = _doc_text(path)
        if text and len(text) >= 200:
            yield path.name, text
    for corpus in sorted((ROOT / "bench-data" / "eval").glob("*/corpus.jsonl")):
        with corpus.open() as handle:
            for line in handle:
                row = json.loads(line)
                yield row.get("title") or "", row["text"]


def _doc_text(path: Path) -> str | None:
    if not path.is_file() or path.is_symlink() or not path.name.lower().endswith(TEXT_SUFFIXES) \
            and not path.name.upper().startswith(("README", "NEWS", "CHANGES")):
        return None
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError):
        return None
    if b"\x00" in raw[:4096]:
        return None
    text = raw.decode("utf-8", "replace")
    if path.name.lower().removesuffix(".gz").endswith((".html", ".htm")):
        text = html.unescape(_TAG.sub(" ", text))
        text = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
    return text


def passages(count_tokens, max_tokens: int) -> Iterator[str]:
    from engine.extract import Document
    from engine.indexing.chunk import ChunkSizes, chunk_document

    sizes = ChunkSizes.for_model(max_tokens)
    for title, text in documents():
        for chunk in chunk_document(Document(text=text, kind="text", title=title), count_tokens, sizes):
            yield chunk.text


def shards() -> list[Path]:
    return sorted(CACHE.glob("shard-*.npy"))


def load(limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """The texts and vectors embedded so far (up to `limit`), in order."""
    texts: list[str] = []
    parts: list[np.ndarray] = []
    for path in shards():
        parts.append(np.load(path))
        texts.extend(json.loads(line) for line in path.with_suffix(".jsonl").read_text().splitlines())
        if limit is not None and len(texts) >= limit:
            break
    if not parts:
        return [], np.zeros((0, 0), dtype=np.float32)
    vectors = np.vstack(parts)
    return texts[:limit], vectors[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--shard", type=int, default=2048)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from engine.embed import load_embedder

    embedder = load_embedder()
    CACHE.mkdir(parents=True, exist_ok=True)
    done = len(shards()) * args.shard
    batch: list[str] = []
    start, embedded = time.perf_counter(), 0
    for index, text in enumerate(passages(embedder.count_tokens, embedder.max_tokens)):
        if index >= args.passages:
            break
        if index < done:
            continue
        batch.append(text)
        if len(batch) == args.shard:
            path = CACHE / f"shard-{index // args.shard:05}.npy"
            vectors = embedder.embed_batch(batch)  # the texts first: a shard counts once its vectors are there
            path.with_suffix(".jsonl").write_text("".join(json.dumps(t) + "\n" for t in batch))
            np.save(path, vectors)
            embedded += len(batch)
            batch = []
            rate = embedded / (time.perf_counter() - start)
            print(f"{index + 1:,} passages embedded ({rate:.1f}/s)", flush=True)


if __name__ == "__main__":
    main()
