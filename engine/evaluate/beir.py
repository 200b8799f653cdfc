"""Read a labelled retrieval set in the BEIR layout.

    corpus.jsonl     {"_id": ..., "title": ..., "text": ...} one document a line
    queries.jsonl    {"_id": ..., "text": ...}
    qrels/test.tsv   query-id <TAB> corpus-id <TAB> score (a header line is allowed)

This is the format of the public BEIR collections, so a person can evaluate
Cairn on those or on their own data written the same way. Errors name the file
and line, never the content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine.errors import EvaluationError

__all__ = ["Dataset", "Document", "EvaluationError", "load_dataset", "with_at_most"]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Dataset:
    name: str
    documents: tuple[Document, ...]
    queries: dict[str, str]  # only queries with at least one relevant document
    qrels: dict[str, dict[str, int]]


def load_dataset(folder: str | Path, split: str = "test", max_queries: int | None = None) -> Dataset:
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise EvaluationError(f"{root} is not a folder. Give the folder that holds corpus.jsonl, "
                              "queries.jsonl and qrels/.")
    documents = tuple(Document(str(row["_id"]), str(row.get("title") or ""), str(row.get("text") or ""))
                      for row in _jsonl(root / "corpus.jsonl", ("_id",)))
    if not documents:
        raise EvaluationError(f"{root / 'corpus.jsonl'} holds no documents.")
    ids = [d.id for d in documents]
    if len(set(ids)) != len(ids):
        raise EvaluationError(f"{root / 'corpus.jsonl'} uses the same _id for two documents.")
    texts = {str(row["_id"]): str(row.get("text") or "") for row in _jsonl(root / "queries.jsonl", ("_id",))}
    qrels = _qrels(root / "qrels" / f"{split}.tsv")
    queries = {q: texts[q] for q, rels in qrels.items()
               if q in texts and texts[q].strip() and any(g > 0 for g in rels.values())}
    if max_queries is not None:
        queries = dict(list(queries.items())[:max_queries])
    if not queries:
        raise EvaluationError(f"No query in {root / 'queries.jsonl'} has a relevant document in "
                              f"{root / 'qrels' / (split + '.tsv')}.")
    known = set(ids)
    if not any(doc in known for q in queries for doc, grade in qrels[q].items() if grade > 0):
        raise EvaluationError(f"No relevant document named in {root / 'qrels' / (split + '.tsv')} is in "
                              f"{root / 'corpus.jsonl'}: do the corpus ids in the two files match?")
    return Dataset(root.resolve().name, documents, queries, {q: qrels[q] for q in queries})


def with_at_most(data: Dataset, max_docs: int) -> Dataset:
    """The set cut to `max_docs` documents: every judged document of its queries, then the others in order.

    For timing and quick checks on part of a large set; the judged documents are
    all kept, so every query still has its answers (and the figures run higher
    than on the whole set: fewer distractors)."""
    judged = {doc for rels in data.qrels.values() for doc, grade in rels.items() if grade > 0}
    judged &= {doc.id for doc in data.documents}
    if len(judged) > max_docs:
        raise EvaluationError(f"The chosen queries have {len(judged)} relevant documents, more than "
                              f"{max_docs}: raise the document limit or lower the query limit.")
    room = max_docs - len(judged)
    kept = []
    for doc in data.documents:
        if doc.id in judged:
            kept.append(doc)
        elif room > 0:
            kept.append(doc)
            room -= 1
    return Dataset(data.name, tuple(kept), data.queries, data.qrels)


def _jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, object]]:
    if not path.is_file():
        raise EvaluationError(f"{path} is missing: a BEIR-layout set has corpus.jsonl, queries.jsonl "
                              "and qrels/test.tsv.")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise EvaluationError(f"{path} line {number} is not valid JSON.") from None
            if not isinstance(row, dict) or any(key not in row for key in required):
                raise EvaluationError(f"{path} line {number} has no {' or '.join(required)} field.")
            rows.append(row)
    return rows


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        raise EvaluationError(f"{path} is missing: relevance judgements go in qrels/<split>.tsv.")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if not line.strip():
                continue
            if len(fields) < 3:
                raise EvaluationError(f"{path} line {number}: expected query-id, corpus-id and score "
                                      "separated by tabs.")
            try:
                grade = int(float(fields[-1]))
            except ValueError:
                if number == 1:
                    continue  # the header line
                raise EvaluationError(f"{path} line {number}: the score is not a number.") from None
            qrels.setdefault(fields[0], {})[fields[-2]] = grade
    return qrels
