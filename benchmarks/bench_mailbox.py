"""A large generated mailbox: indexing rate against pure embedding, peak memory, and resume after kill -9.

    .venv/bin/python benchmarks/bench_mailbox.py [--messages 2000] [--attachments 300] [--kill-at 0.5]

Writes an .mbox of `--messages` messages (bodies from the installed manual pages), `--attachments` of them
with a PDF or a Word attachment (another manual page), then:
1. `cairn index` in a fresh home, as a separate process, timed end to end; its peak resident memory (the
   largest of it and its reader process) from the kernel's accounting of children;
2. pure embedding: the passages that pass wrote, embedded in batches of 32 by the same model, nothing else;
3. another fresh home: `cairn index` killed with SIGKILL at `--kill-at` of (1)'s time, then `cairn index`
   again: how many passages written before the kill were embedded again (none should be: their rows and
   vectors are kept, a message is not read again), and the time the second pass took.
The issue's target: a 2 GB mailbox of 20,000 messages and 3,000 attachments at >= 0.8 of the embed rate,
peak memory < 500 MB; scale --messages and --attachments to the time you have.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import man_pages  # noqa: E402
from engine.embed import load_embedder  # noqa: E402

CAIRN = str(ROOT / ".venv" / "bin" / "cairn")


def attachment(kind: str, name: str, body: str) -> bytes:
    import io

    if kind == "pdf":
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_font("Helvetica", size=10)
        pdf.add_page()
        pdf.multi_cell(0, 5, body.encode("latin-1", "replace").decode("latin-1"))
        return bytes(pdf.output())
    from docx import Document as Docx

    doc = Docx()
    doc.add_heading(name[:80], 1)
    for paragraph in body.split("\n\n"):
        doc.add_paragraph(paragraph)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_mailbox(path: Path, messages: int, attachments: int) -> None:
    pages = list(man_pages())
    every = max(1, messages // max(1, attachments)) if attachments else 0
    box = mailbox.mbox(str(path))
    try:
        for i in range(messages):
            stem, name, body = pages[i % len(pages)]
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = name[:70], "A. Ortiz <a@example.org>", "b@example.org"
            message["Date"] = formatdate(1700000000 + 3600 * i)
            message.set_content(body[:3000])
            if every and i % every == 0 and i // every < attachments:
                _, other, text = pages[(i * 7 + 3) % len(pages)]
                kind = "pdf" if (i // every) % 2 == 0 else "docx"
                subtype = "pdf" if kind == "pdf" else "vnd.openxmlformats-officedocument.wordprocessingml.document"
                message.add_attachment(attachment(kind, other, text[:4000]), maintype="application", subtype=subtype,
                                       filename=f"{stem}-{i}.{kind}")
            box.add(message)
        box.flush()
    finally:
        box.close()


def index(home: Path, folder: Path) -> tuple[float, str]:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    subprocess.run([CAIRN, "add", str(folder)], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    out = subprocess.run([CAIRN, "index"], env=env, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - started, out.strip()


def chunk_ids(home: Path) -> dict[int, int]:
    """chunk id -> file id, read from the index (a plain one: the benchmark sets no passphrase)."""
    with sqlite3.connect(home / "data" / "index.db") as db:
        return dict(db.execute("SELECT id, file_id FROM chunks").fetchall())


def pure_embedding(home: Path) -> tuple[int, float]:
    with sqlite3.connect(home / "data" / "index.db") as db:
        texts = [r[0] for r in db.execute("SELECT text FROM chunks ORDER BY id")]
    embedder = load_embedder()
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_batch(texts[i:i + 32])
    return len(texts), time.perf_counter() - started


def killed_then_resumed(folder: Path, home: Path, after: float) -> None:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    subprocess.run([CAIRN, "add", str(folder)], env=env, check=True, capture_output=True)
    process = subprocess.Popen([CAIRN, "index"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = chunk_ids(home)
    started = time.perf_counter()
    out = subprocess.run([CAIRN, "index"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    seconds = time.perf_counter() - started
    after_ids = chunk_ids(home)
    kept = sum(1 for chunk in before if chunk in after_ids)
    print(f"kill -9 after {after:.0f} s: {len(before)} passages written; the next pass kept {kept} of them "
          f"(the rest belonged to a message being written at the kill, rewritten with their vectors kept), "
          f"wrote {len(after_ids) - kept} in {seconds:.1f} s  ({out})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--attachments", type=int, default=300)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the full pass's time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mail"
        folder.mkdir()
        box = folder / "takeout.mbox"
        started = time.perf_counter()
        write_mailbox(box, args.messages, args.attachments)
        print(f"wrote {box.name}: {args.messages} messages, {args.attachments} PDF/Word attachments, "
              f"{box.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s")
        wall, out = index(Path(tmp) / "home", folder)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        passages, seconds = pure_embedding(Path(tmp) / "home")
        pure, rate = passages / seconds, passages / wall
        print(f"cairn index:     {wall:.1f} s = {rate:.1f} passages/s  ({out})")
        print(f"pure embedding:  {passages} passages in {seconds:.1f} s = {pure:.1f} passages/s")
        print(f"indexing / pure embedding = {rate / pure:.2f}  (target >= 0.80)")
        print(f"peak resident memory of `cairn index` and its reader: {peak_mb:.0f} MB  (target < 500 MB)")
        killed_then_resumed(folder, Path(tmp) / "home-killed", wall * args.kill_at)


if __name__ == "__main__":
    main()
