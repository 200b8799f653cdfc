"""Where the real-world benchmark keeps its data (all under bench-data/, which git ignores)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "bench-data" / "realworld"
DOWNLOADS = DATA / "downloads"
CORPUS = DATA / "corpus"
MANIFEST = DATA / "manifest.json"
CAIRN = DATA / "cairn"
RECOLL = DATA / "recoll"
RESULTS = DATA / "results"


def format_of(name: str) -> str:
    """The format a file is counted under: its extension, lower-cased, or "(none)"."""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if suffix and len(suffix) <= 10 and suffix.isalnum() else "noext"
