"""Write an evaluation set in the BEIR layout that `cairn eval` reads.

corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
qrels/test.tsv ("query-id<TAB>corpus-id<TAB>score" with a header line). Rows are
written in the order given, so a builder that sorts its input writes the same
bytes on every run (checked by the manifest's sha256).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


def write_set(folder: Path, docs: Iterable[Doc], queries: Mapping[str, str],
              qrels: Mapping[str, Mapping[str, int]], about: Mapping[str, object]) -> dict[str, object]:
    """Write the three files and a manifest (counts, checksums, how it was made); returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qrels").mkdir(exist_ok=True)
    n_docs = 0
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps({"_id": doc.id, "title": doc.title, "text": doc.text}, ensure_ascii=False) + "\n")
            n_docs += 1
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as out:
        for qid, text in queries.items():
            out.write(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for qid, rels in qrels.items():
            for doc_id, score in rels.items():
                out.write(f"{qid}\t{doc_id}\t{score}\n")
    manifest = {
        **about,
        "documents": n_docs,
        "queries": len(queries),
        "sha256": {name: _sha256(folder / name) for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv")},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
