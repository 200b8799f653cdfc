"""Reading and splitting large or unusual files: time per file, and what came out.

    .venv/bin/python benchmarks/bench_extract.py [--scale 1.0]

Files that once made a reader or the splitter crawl, written into a temporary folder
and read with `engine.extract.extract` (in this process, without the sandbox's time
limit), then split with the bundled model's tokenizer:
1. a note holding 1 MB of base64 (a pasted attachment) and 1 MB of hex, split;
   1 MB of ordinary words without sentence ends for comparison;
2. an HTML form whose drop-down list holds 50,000 options;
3. a Word document of 100,000 one-line paragraphs.
`--scale` multiplies the sizes. Before the fixes these took about 2.6 s, 3.6 s, 27 s and
41 s; run it from an older checkout to compare.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.chunk import ChunkSizes, chunk_document  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.extract import Document, extract  # noqa: E402

LIMIT = 1 << 30


def notes(folder: Path, scale: float) -> list[Path]:
    rnd = random.Random(1)
    size = int(1_000_000 * scale)
    blob = base64.b64encode(rnd.randbytes(size * 3 // 4)).decode()
    words = " ".join(rnd.choice(("orchard", "tide", "ledger", "harbour", "zebra")) for _ in range(size // 7))
    files = {"base64.txt": f"Before the attachment.\n\n{blob}\n\nAfter it.", "hex.txt": rnd.randbytes(size // 2).hex(),
             "words.txt": words}
    for name, text in files.items():
        (folder / name).write_text(text)
    return [folder / name for name in files]


def form_page(folder: Path, scale: float) -> Path:
    options = "".join(f'<option value="{i}">Town {i}</option>' for i in range(int(50_000 * scale)))
    path = folder / "form.html"
    path.write_text(f"<html><head><title>Delivery</title></head><body><h1>Where to deliver</h1><form>"
                    f"<select name=town>{options}</select></form><p>Parcels go out on Thursdays.</p></body></html>")
    return path


def long_document(folder: Path, scale: float) -> Path:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_heading("Shipping log", 1)
    lines = "".join(f"<w:p><w:r><w:t>Crate {i} loaded on the barge.</w:t></w:r></w:p>"
                    for i in range(int(100_000 * scale)))
    for paragraph in parse_xml(f'<w:body {nsdecls("w")}>{lines}</w:body>'):  # add_paragraph is quadratic
        document.element.body[-1].addprevious(paragraph)
    path = folder / "log.docx"
    document.save(str(path))
    return path


def timed(what: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = what()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    args = parser.parse_args()
    embedder = load_embedder()
    sizes = ChunkSizes.for_model(embedder.max_tokens)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in notes(folder, args.scale):
            doc = extract(path, LIMIT)
            counted = 0

            def count(text: str) -> int:
                nonlocal counted
                counted += len(text)
                return embedder.count_tokens(text)

            seconds, chunks = timed(lambda doc=doc: chunk_document(doc, count, sizes))
            assert isinstance(chunks, list)
            print(f"split {path.name:12} {len(doc.text) / 1e6:5.2f} MB  {seconds:6.2f} s  {len(chunks):5} passages  "
                  f"{counted / len(doc.text):4.1f}x its characters counted")
        for path in (form_page(folder, args.scale), long_document(folder, args.scale)):
            seconds, doc = timed(lambda path=path: extract(path, LIMIT))
            assert isinstance(doc, Document)
            print(f"read  {path.name:12} {path.stat().st_size / 1e6:5.2f} MB  {seconds:6.2f} s  "
                  f"{len(doc.text):,} characters, {len(doc.headings)} headings")
    embedder.close()


if __name__ == "__main__":
    main()
