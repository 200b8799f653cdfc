"""Indexing throughput against pure embedding throughput, and peak memory, on a mixed corpus.

    .venv/bin/python benchmarks/bench_index.py [--files 1200]

Writes a mixed folder (plain text, Markdown, HTML, PDF, DOCX, e-mail, source
code) from the installed manual pages into a temporary folder, then:
1. pure embedding: the exact passages the indexer will make, embedded in batches,
   nothing else (the ceiling);
2. `cairn index` in a fresh home as a separate process: scan, extract, chunk,
   embed and write, timed end to end; its peak resident memory is read from the
   kernel's accounting of the child process.
The figure that matters is (2) in passages/s divided by (1).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import man_pages  # noqa: E402
from engine.indexing.chunk import ChunkSizes, chunk_document  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.extract import extract  # noqa: E402

KINDS = ("txt", "md", "html", "pdf", "docx", "eml", "py")


def write_corpus(folder: Path, count: int) -> None:
    from docx import Document as Docx
    from fpdf import FPDF

    pages = list(man_pages())
    for i in range(count):
        stem, name, body = pages[i % len(pages)]
        body = body[:6000]
        kind = KINDS[i % len(KINDS)]
        path = folder / kind / f"{i:05}-{stem}.{kind}"
        path.parent.mkdir(parents=True, exist_ok=True)
        paragraphs = body.split("\n\n")
        if kind == "txt":
            path.write_text(body)
        elif kind == "md":
            path.write_text(f"# {name}\n\n" + "\n\n".join(paragraphs))
        elif kind == "html":
            items = "".join(f"<p>{p}</p>" for p in paragraphs).replace("&", "&amp;")
            path.write_text(f"<html><head><title>{name}</title></head><body><h1>{name}</h1>{items}</body></html>")
        elif kind == "py":
            path.write_text(f'"""{name}"""\n\n' + "\n".join(f"# {p}" for p in paragraphs) + "\n\ndef main():\n    pass\n")
        elif kind == "eml":
            msg = EmailMessage()
            msg["Subject"], msg["From"], msg["To"] = name[:70], "a@example.org", "b@example.org"
            msg.set_content(body)
            path.write_bytes(bytes(msg))
        elif kind == "docx":
            doc = Docx()
            doc.add_heading(name[:80], 1)
            for p in paragraphs:
                doc.add_paragraph(p)
            doc.save(path)
        else:
            pdf = FPDF()
            pdf.set_font("Helvetica", size=10)
            for start in range(0, len(paragraphs), 6):
                pdf.add_page()
                text = "\n\n".join(paragraphs[start:start + 6]).encode("latin-1", "replace").decode("latin-1")
                pdf.multi_cell(0, 5, text)
            pdf.output(str(path))


def pure_embedding(folder: Path, embedder) -> tuple[int, float, float]:
    sizes = ChunkSizes.for_model(embedder.max_tokens)
    texts: list[str] = []
    t = time.perf_counter()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        doc = extract(path, 50 * 1024 * 1024)
        texts.extend(c.text for c in chunk_document(doc, embedder.count_tokens, sizes))
    prep = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_batch(texts[i:i + 32])
    return len(texts), time.perf_counter() - t, prep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, home = Path(tmp) / "corpus", Path(tmp) / "home"
        t = time.perf_counter()
        write_corpus(folder, args.files)
        print(f"wrote {args.files} files ({', '.join(KINDS)}) in {time.perf_counter() - t:.0f} s")

        embedder = load_embedder()
        chunks, seconds, prep = pure_embedding(folder, embedder)
        pure = chunks / seconds
        print(f"pure embedding:  {chunks} passages in {seconds:.1f} s = {pure:.1f} passages/s"
              f"  (extraction + chunking alone took {prep:.1f} s)")
        del embedder

        env = {**os.environ, "CAIRN_HOME": str(home)}
        cairn = str(ROOT / ".venv" / "bin" / "cairn")
        subprocess.run([cairn, "add", str(folder)], env=env, check=True, capture_output=True)
        t = time.perf_counter()
        out = subprocess.run([cairn, "index"], env=env, check=True, capture_output=True, text=True).stdout
        wall = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rate = chunks / wall
        print(f"cairn index:     {wall:.1f} s = {rate:.1f} passages/s  ({out.strip()})")
        print(f"indexing / pure embedding = {rate / pure:.2f}  (target >= 0.80)")
        print(f"peak resident memory of `cairn index`: {peak_mb:.0f} MB  (target <= 500 MB)")


if __name__ == "__main__":
    main()
