#!/usr/bin/env python3
"""Smoke test of the built bundle, as a user would use it, with no network.

    python3 packaging/smoke_test.py [dist/Cairn]

On a clean temporary home: prints the version, indexes a small folder, finds a file,
answers a question from it (extractive and with the bundled chat model), reads a scan by
OCR with the bundle's own Tesseract data, starts the desktop app offscreen and lets it
quit by itself. Every command runs inside an empty
network namespace (`unshare -n`) when this machine allows it. Needs only the standard
library: it runs the bundle, not the source tree. Prints the bundle's size and the
start-up times it saw; exit status 0 when everything worked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCS = {
    "garden/compost.md": "# Compost\n\nA compost heap needs air: turn it every two weeks so the middle "
                         "does not rot. Brown leaves and green kitchen scraps in equal parts make it work.\n",
    "travel/ferry.txt": "The ferry to the island leaves at 7:40 from pier 3. Tickets are sold on board.\n",
    "work/lease.html": "<html><body><h1>Lease</h1><p>The tenant may end the lease with three months "
                       "notice, given in writing.</p></body></html>",
}


def no_network_prefix() -> list[str]:
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    print("note: `unshare -n` is not permitted here; running with the network present")
    return []


class Bundle:
    def __init__(self, folder: Path, home: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "CAIRN_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
        self.env.pop("PYTHONPATH", None)
        self.prefix = no_network_prefix()

    def run(self, program: str, *args: str, timeout: float = 600) -> tuple[str, float]:
        started = time.perf_counter()
        proc = subprocess.run([*self.prefix, str(self.folder / program), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        took = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"FAILED: {program} {' '.join(args)} (exit {proc.returncode})\n{proc.stderr[-2000:]}")
        return proc.stdout, took


def check(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        raise SystemExit(1)


def check_ocr(app: Bundle, folder: Path, docs: Path) -> None:
    """The bundle reads scans with its own Tesseract data: a typed letter scanned at 300 dpi
    (packaging/smoke/letter-scan.png, rendered by tests/scans.py), its invoice number found by keyword."""
    shipped = [p.name for p in folder.rglob("tessdata/*.traineddata")]
    check({"eng.traineddata", "osd.traineddata"} <= set(shipped), f"Tesseract data shipped: {', '.join(sorted(shipped))}")
    (docs / "scans").mkdir()
    shutil.copy(Path(__file__).parent / "smoke" / "letter-scan.png", docs / "scans" / "letter-scan.png")
    out, took = app.run("cairn", "index")
    check("1 added" in out and " 0 failed" in out and "read by OCR" in out, f"OCR: indexed the scan ({took:.1f} s)")
    out, _ = app.run("cairn", "search", "INV-58213", "--mode", "keyword", "--json")
    hits = json.loads(out)
    check(bool(hits) and hits[0]["path"].endswith("letter-scan.png") and hits[0]["from_scan"],
          "OCR: the scan's invoice number found, marked as read from a scan")


def main(folder: Path) -> int:
    if not (folder / "cairn").exists():
        raise SystemExit(f"{folder} holds no built bundle: run packaging/build_bundle.sh first")
    with tempfile.TemporaryDirectory(prefix="cairn-smoke-") as tmp:
        docs = Path(tmp) / "docs"
        for name, text in DOCS.items():
            (docs / name).parent.mkdir(parents=True, exist_ok=True)
            (docs / name).write_text(text)
        app = Bundle(folder, Path(tmp) / "home")

        version, _ = app.run("cairn", "--version")
        check(version.startswith("cairn"), f"version: {version.strip()}")
        app.run("cairn", "add", str(docs))
        out, took = app.run("cairn", "index")
        check("3 added" in out and " 0 failed" in out, f"indexed 3 files, none failed ({took:.1f} s)")

        out, search_s = app.run("cairn", "search", "how often should I aerate the rubbish pile", "--json")
        hits = json.loads(out)
        check(bool(hits) and hits[0]["path"].endswith("compost.md"), f"semantic search found compost.md ({search_s:.2f} s)")

        for mode in ("--extractive", "--generate"):
            out, took = app.run("cairn", "ask", "When does the ferry leave?", mode, "--json")
            answer = json.loads(out)
            cited = {s["path"] for s in answer["sources"] if any(s["n"] in x["citations"] for x in answer["sentences"])}
            check(any(p.endswith("ferry.txt") for p in cited),
                  f"ask {mode[2:]}: {answer['kind']} answer citing ferry.txt ({took:.1f} s)")

        check_ocr(app, folder, docs)

        _, window_s = app.run("cairn-desktop", "--exit-when-ready", timeout=180)
        check(True, f"desktop app started offscreen, became ready and quit cleanly ({window_s:.2f} s)")

    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"\nbundle: {size / 1e6:.0f} MB in {folder}")
    print(f"start-up: `cairn search` {search_s:.2f} s as a whole process (model load included); "
          f"window to ready {window_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/Cairn").resolve()))
