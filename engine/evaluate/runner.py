"""Index a labelled set through Cairn's normal pipeline and run its queries in each search mode.

Every document becomes a file in a temporary folder (Markdown with the title as
its heading when it has a title, plain text otherwise) and is indexed by
`Cairn.index()` into a temporary home: extraction, chunking, embedding, the
store and search are the ones a person's files go through, so the figures
measure the product and not a copy of it. Results are one per file, so a
ranking is a ranking of documents.

Query embeddings are computed once per query (timed on their own) and reused by
the semantic and hybrid runs, so latency is reported for search alone and for
the query embedding separately.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.cairn import Cairn
from engine.config import Settings, resolve_paths
from engine.embed import Embedder, Role, load_embedder
from engine.evaluate.beir import Dataset, Document, EvaluationError, load_dataset, with_at_most
from engine.evaluate.metrics import Percentiles, Scores, score_run
from engine.indexing.indexer import IndexProgress, IndexReport
from engine.progress import run_to_result
from engine.search import MODES, Mode

DEPTH = 100  # results per query: enough for Recall@100
FILES_PER_FOLDER = 1000

# A body line that the Markdown extractor would read as a heading or a fence: indented
# four spaces (a code line to Markdown) so the document keeps the one title it has.
_MARKDOWN_SYNTAX = re.compile(r"^ {0,3}(#|=|-|`|~|\+|\*)")

Progress = Callable[[IndexProgress], None]


@dataclass(frozen=True)
class ModeResult:
    mode: Mode
    scores: Scores
    latency: Percentiles  # search alone, query embedding excluded


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    model: str
    documents: int
    queries: int
    passages: int
    failed_files: int
    index_seconds: float
    query_embedding: Percentiles | None  # None when only keyword search ran
    modes: tuple[ModeResult, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset, "model": self.model, "documents": self.documents, "queries": self.queries,
            "passages": self.passages, "failed_files": self.failed_files,
            "index_seconds": round(self.index_seconds, 1),
            "query_embedding_ms": self.query_embedding.as_dict() if self.query_embedding else None,
            "modes": {m.mode: {**{k: round(v, 4) for k, v in m.scores.as_dict().items()},
                               "latency_ms": m.latency.as_dict()} for m in self.modes},
        }


def run_eval(dataset: str, *, home: str | os.PathLike[str] | None = None, split: str = "test",
             modes: Sequence[Mode] = MODES, model: str | None = None, max_queries: int | None = None,
             max_docs: int | None = None, progress: Progress | None = None) -> EvalReport:
    """`cairn eval`: the set in folder `dataset`, with the embedding model of `home`'s settings (or `model`)."""
    data = load_dataset(dataset, split, max_queries)
    if max_docs is not None:
        data = with_at_most(data, max_docs)
    settings = Settings.load(resolve_paths(home))
    embedder = load_embedder(model or settings.embedding_model, settings.thread_count())
    return evaluate(data, embedder, modes, progress=progress)


def evaluate(dataset: Dataset, embedder: Embedder, modes: Sequence[Mode] = MODES, *,
             workdir: str | os.PathLike[str] | None = None, progress: Progress | None = None) -> EvalReport:
    """Index `dataset` into a temporary home with `embedder`, run its queries, score the rankings."""
    for mode in modes:
        if mode not in MODES:
            raise EvaluationError(f"Unknown search mode {mode!r}: choose from {', '.join(MODES)}.")
    with tempfile.TemporaryDirectory(prefix="cairn-eval-", dir=workdir) as tmp:
        docs_of = materialise(dataset.documents, Path(tmp) / "documents")
        queries = KnownQueries(embedder)
        with Cairn(Path(tmp) / "home", embedder=queries) as cairn:
            report = index_all(cairn, Path(tmp) / "documents", progress)
            embed_ms = queries.prepare(dataset.queries.values()) if any(m != "keyword" for m in modes) else None
            results = []
            for mode in modes:
                rankings, millis = run_queries(cairn, dataset.queries, docs_of, mode)
                results.append(ModeResult(mode, score_run(rankings, dataset.qrels), Percentiles.of(millis)))
    return EvalReport(
        dataset=dataset.name, model=embedder.model_name, documents=len(dataset.documents),
        queries=len(dataset.queries), passages=report.chunks, failed_files=report.failed,
        index_seconds=report.seconds, query_embedding=Percentiles.of(embed_ms) if embed_ms is not None else None,
        modes=tuple(results),
    )


def materialise(documents: Iterable[Document], folder: Path) -> dict[str, str]:
    """Write one file per document; returns {resolved path: document id}.

    File names are neutral numbers: a name carrying the document id would give
    keyword search (which reads file names) a clue no real file has."""
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    docs_of: dict[str, str] = {}
    for n, doc in enumerate(documents):
        sub = folder / f"{n // FILES_PER_FOLDER:04d}"
        sub.mkdir(exist_ok=True)
        title = " ".join(doc.title.split())
        path = sub / (f"d{n:06d}.md" if title else f"d{n:06d}.txt")
        path.write_text(as_file_text(title, doc.text), encoding="utf-8")
        docs_of[str(path)] = doc.id
    return docs_of


def as_file_text(title: str, text: str) -> str:
    if not title:
        return text
    body = "\n".join("    " + line if _MARKDOWN_SYNTAX.match(line) else line for line in text.split("\n"))
    return f"# {title}\n\n{body}\n"


def index_all(cairn: Cairn, folder: Path, progress: Progress | None) -> IndexReport:
    cairn.add_folder(folder)
    return run_to_result(cairn.index(), progress)


def run_queries(cairn: Cairn, queries: dict[str, str], docs_of: dict[str, str], mode: Mode
                ) -> tuple[dict[str, list[str]], list[float]]:
    """Rankings of document ids per query, and each search's time in milliseconds."""
    rankings: dict[str, list[str]] = {}
    millis: list[float] = []
    for qid, text in queries.items():
        started = time.perf_counter()
        results = cairn.search(text, mode=mode, limit=DEPTH)
        millis.append((time.perf_counter() - started) * 1000)
        rankings[qid] = [docs_of[r.path] for r in results if r.path in docs_of]
    return rankings, millis


class KnownQueries:
    """The embedder, with the queries' vectors computed (and timed) beforehand.

    Passes everything else through, so indexing embeds as usual and the index is
    bound to the real model's identity."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.model_name = inner.model_name
        self.dimensions = inner.dimensions
        self.max_tokens = inner.max_tokens
        self._known: dict[str, npt.NDArray[np.float32]] = {}

    def prepare(self, texts: Iterable[str]) -> list[float]:
        """Embed each query on its own, as search does; returns the milliseconds each took."""
        millis = []
        for text in texts:
            text = text.strip()
            if not text or text in self._known:
                continue
            if self.inner.count_tokens(text, "query") > self.max_tokens:
                raise EvaluationError(f"A query is longer than {self.model_name} reads ({self.max_tokens} "
                                      "tokens); shorten it or leave it out.")
            started = time.perf_counter()
            self._known[text] = self.inner.embed_batch([text], role="query")[0]
            millis.append((time.perf_counter() - started) * 1000)
        return millis

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        return self.inner.count_tokens(text, role)

    def embed_batch(self, texts: Sequence[str], role: Role = "passage") -> npt.NDArray[np.float32]:
        if role == "query" and texts and all(t in self._known for t in texts):
            return np.vstack([self._known[t] for t in texts])
        return self.inner.embed_batch(texts, role)
