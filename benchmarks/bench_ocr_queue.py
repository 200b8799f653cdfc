"""Text first, scans after: a folder of text files plus scanned pages, indexed in one `cairn index` pass.

    .venv/bin/python benchmarks/bench_ocr_queue.py [--texts 1000] [--scans 100]

Prints when the last text file became searchable and when the first scan did (scans must come
after every text file), OCR's measured seconds per page, the whole pass, and a second pass over
copies of the scans (the pages are kept by content hash: it should read no page). Real parts:
the bundled embedding model, the sandboxed reader, Tesseract; a fresh temporary Cairn home.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.cairn import Cairn  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from tests.scans import page  # noqa: E402

TOPICS = ("boiler service", "school trip", "garden fence", "car insurance", "tax return", "dentist", "lease")


def write_folder(root: Path, texts: int, scans: int) -> None:
    root.mkdir(parents=True)
    for n in range(scans):  # named to come first in walk order: the index pass must put them last anyway
        lines = [f"Scanned letter {n}", f"Reference SCN-{n:04d}-{n * 7 % 10000:04d}",
                 f"Regarding the {TOPICS[n % len(TOPICS)]} booked for week {n % 52 + 1}.",
                 "Please keep this letter for your records.", "Yours faithfully, The Office"]
        page(lines).convert("1").save(root / f"a-scan-{n:04d}.png", optimize=True)
    for n in range(texts):
        (root / f"note-{n:04d}.txt").write_text(
            f"Note {n}. The {TOPICS[n % len(TOPICS)]} was discussed on day {n % 28 + 1}; "
            f"code TXT-{n:05d}. Nothing else to add.\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--scans", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home, docs = Path(tmp) / "home", Path(tmp) / "docs"
        write_folder(docs, args.texts, args.scans)
        embedder = load_embedder(threads=2)
        with Cairn(home, embedder=embedder) as cairn:
            cairn.add_folder(docs)
            start = time.monotonic()
            last_text = first_scan = None
            cpu0 = os.times()
            for p in cairn.index():
                if p.current and p.current.endswith(".txt"):
                    last_text = time.monotonic() - start
                if first_scan is None and p.current and p.current.endswith(".png"):
                    first_scan = time.monotonic() - start
                final = p
            total = time.monotonic() - start
            cpu = os.times()
            print(f"{args.texts} text files + {args.scans} scanned A4 pages (300 dpi PNG), one pass:")
            print(f"  last text file searchable at  {last_text:8.1f} s")
            print(f"  first scan searchable at      {first_scan:8.1f} s")
            print(f"  whole pass                    {total:8.1f} s")
            print(f"  pages read by OCR             {final.ocr_pages_read:8d}")
            print(f"  OCR per page (wall, measured) {final.ocr_seconds_per_page or 0:8.2f} s")
            scans_time = total - (last_text or 0)
            print(f"  scans' share of the pass      {scans_time:8.1f} s"
                  f"  (target: per-page time x {args.scans} + 10% = {(final.ocr_seconds_per_page or 0) * args.scans * 1.1:.1f} s)")
            print(f"  main process CPU              {cpu.user - cpu0.user + cpu.system - cpu0.system:8.1f} s")
            copies = docs / "copies"
            copies.mkdir()
            for scan in sorted(docs.glob("a-scan-*.png"))[:10]:
                shutil.copy(scan, copies / scan.name.replace("a-scan", "copy"))
            start = time.monotonic()
            for p in cairn.index():
                final = p
            print(f"  10 copied scans re-indexed in {time.monotonic() - start:8.1f} s, "
                  f"pages read by OCR: {final.ocr_pages_read}")
            hits = cairn.search(f"SCN-{args.scans - 1:04d}", mode="keyword")
            print(f"  last scan found by its reference: {bool(hits) and hits[0].path.endswith(f'{args.scans - 1:04d}.png')}")


if __name__ == "__main__":
    main()
