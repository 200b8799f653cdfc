"""Reading and splitting large or unusual files: time per file, and what came out.

    .venv/bin/python benchmarks/bench_extract.py [--scale 1.0] [--books [--deadline 1 | --limit 4]]

Files that once made a reader or the splitter crawl, written into a temporary folder
and read with `engine.extract.extract` (in this process, without the sandbox's time
limit), then split with the bundled model's tokenizer:
1. a note holding 1 MB of base64 (a pasted attachment) and 1 MB of hex, split;
   1 MB of ordinary words without sentence ends for comparison;
2. an HTML form whose drop-down list holds 50,000 options;
3. a Word document of 100,000 one-line paragraphs;
4. (alone with `--books`, which needs no model) an OpenDocument text of 200,000 paragraphs,
   a sheet of 200,000 rows, an e-book of 100 chapters of 2,000 paragraphs and one of a
   single chapter of 200,000, and a 13.7 MB RTF document: each read in full, then with a
   deadline `--deadline` seconds away (what the reader process gives a file), printing what
   was kept and the gap; with `--limit`, read instead by the reader process with that time
   limit, as indexing reads them (before the deadline reached these readers, a file over the
   limit was refused).
`--scale` multiplies the sizes. Before the fixes 1-3 took about 2.6 s, 3.6 s, 27 s and
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

from engine.indexing.chunk import ChunkSizes, chunk_document  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from engine.extract import Document, extract  # noqa: E402
from tests.books import epub, odf  # noqa: E402

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


def books(folder: Path, scale: float) -> list[Path]:
    """Long files of the formats read in pieces against a deadline (OpenDocument, EPUB, RTF)."""
    many = int(200_000 * scale)
    rows = "".join(f"<table:table-row><table:table-cell><text:p>station {i}</text:p></table:table-cell>"
                   f"<table:table-cell><text:p>{i}</text:p></table:table-cell><table:table-cell><text:p>calm sea"
                   f"</text:p></table:table-cell></table:table-row>" for i in range(many))
    paragraphs = "".join(f"<text:p>Crate {i} loaded on the <text:span>barge</text:span>.</text:p>" for i in range(many))
    chapters = [(f"c{n}.xhtml", f"<h1>Chapter {n}</h1>" + "".join(
        f"<p>Paragraph {n}.{i}: the caravan crossed the dunes.</p>" for i in range(many // 100))) for n in range(100)]
    files = {
        "log.odt": odf("text", f'<text:h text:outline-level="1">Shipping log</text:h>{paragraphs}'),
        "readings.ods": odf("spreadsheet", f'<table:table table:name="Readings">{rows}</table:table>'),
        "road.epub": epub("The Salt Road", chapters),
        "night.epub": epub("One long night", [("c1.xhtml", "<h1>Night</h1>" + "".join(
            f"<p>Paragraph {i}: a star rose.</p>" for i in range(many)))]),
        "statement.rtf": b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Times;}}" + b"".join(
            b"\\pard Paragraph %d about the caf\\'e9 and the \\b harbour\\b0 .\\par\n" % i
            for i in range(many)) + b"}",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def timed(what: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = what()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    parser.add_argument("--books", action="store_true", help="only the OpenDocument, EPUB and RTF files (no model)")
    parser.add_argument("--deadline", type=float, default=1.0, help="seconds the books are given in the second read")
    parser.add_argument("--limit", type=float, help="read the books in the reader process with this time limit")
    args = parser.parse_args()
    if args.books:
        with tempfile.TemporaryDirectory() as tmp:
            paths = books(Path(tmp), args.scale)
            if args.limit:
                read_in_reader_process(paths, args.limit)
            else:
                for path in paths:
                    read_against_deadline(path, args.deadline)
        return
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


def read_against_deadline(path: Path, seconds: float) -> None:
    """Read in full, then with a deadline (a reader that ignores it reads in full again)."""
    for deadline in (None, seconds):
        due = None if deadline is None else time.monotonic() + deadline
        took, doc = timed(lambda due=due: extract(path, LIMIT, deadline=due))
        assert isinstance(doc, Document)
        what = "in full      " if deadline is None else f"deadline {deadline:4.1f} s"
        print(f"read  {path.name:14} {path.stat().st_size / 1e6:5.2f} MB  {what} {took:6.2f} s  "
              f"{len(doc.text):>11,} characters  gap: {doc.gap}")


def read_in_reader_process(paths: list[Path], seconds: float) -> None:
    from engine.errors import ExtractionError
    from engine.runtime.sandbox import Limits, SandboxedExtractor

    reader = SandboxedExtractor(Limits(seconds=seconds))
    try:
        for path in paths:
            started = time.perf_counter()
            try:
                doc = reader(path, LIMIT)
                what = f"{len(doc.text):>11,} characters  gap: {doc.gap}"
            except ExtractionError as exc:
                what = f"refused: {exc}"
            print(f"read  {path.name:14} {path.stat().st_size / 1e6:5.2f} MB  limit {seconds:4.1f} s  "
                  f"{time.perf_counter() - started:6.2f} s  {what}")
    finally:
        reader.close()


if __name__ == "__main__":
    main()
