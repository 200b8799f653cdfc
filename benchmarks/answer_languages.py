"""Answer thresholds across languages: the figures behind engine.answer.retrieve's per-model floors.

Indexes a small folder of real everyday text in German, French, Spanish, Japanese and English (the
English test corpus, tests/corpus.py), asks questions each file answers (in its own language, and
in English about the German and French files) and questions none answers, and prints for each the
best sentence similarity, its word overlap, the best passage score and whether Cairn answers.
One command: `.venv/bin/python benchmarks/answer_languages.py [model.gguf ...]`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.answer.retrieve import is_answerable, retrieve, thresholds_for  # noqa: E402
from engine.answer.sentences import score_sentences  # noqa: E402
from engine.cairn import Cairn  # noqa: E402
from engine.embed import load_embedder  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.engine.test_answer import DIRECT, UNRELATED  # noqa: E402
from tests.multilingual_corpus import ANSWERED, FILES, UNANSWERED  # noqa: E402


class Prefixed:
    """multilingual-e5's "query: " / "passage: " prefixes, added the way the engine's embedder will
    (the question and a search query as queries, everything else as passages): measured both ways."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.query = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> Any:
        # the engine's embedder adds the model's own prefixes by role now: this only passes the role on
        return self.inner.embed_batch(texts, role=role)

    def count_tokens(self, text: str, role: str = "passage") -> int:
        return int(self.inner.count_tokens(text, role=role))


def measure(model: Path, prefixed: bool) -> None:
    embedder: Any = load_embedder(model)
    if prefixed:
        embedder = Prefixed(embedder)
        print("\nwith query:/passage: prefixes")
    print(f"\n{embedder.model_name}: floors {thresholds_for(embedder)}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = write_corpus(root / "docs")
        for name, text in FILES.items():
            (folder / name).write_text(text, encoding="utf-8")
        cairn = Cairn(root / "home", embedder=embedder)
        cairn.add_folder(folder)
        for _ in cairn.index():
            pass
        for label, questions in (("answered", ANSWERED), ("unrelated", [(q, None) for q in UNANSWERED]),
                                   ("English answered", DIRECT), ("English unrelated", [(q, None) for q in UNRELATED])):
            print(f"  {label}: sentence-sim  overlap  passage  answers  file  question")
            for question, expected in questions:
                if prefixed:
                    embedder.query = question
                got = retrieve(cairn.store, embedder, question, 5)
                scored = score_sentences(got.sources, question, got.question_vector, embedder)
                usable = [s for s in scored if s.usable]
                best = max(usable, key=lambda s: s.similarity) if usable else None
                top = max((s.overlap for s in usable), default=0.0)
                passage = max((s.score for s in got.sources), default=0.0)
                ok = is_answerable(question, got.sources, scored, embedder) and bool(usable)
                first = Path(got.sources[usable[0].source - 1].path).name if usable else "-"
                mark = "" if expected is None else (" OK" if first == expected else f" want {expected}")
                sim = best.similarity if best else 0.0
                print(f"    {sim:5.3f}  {top:4.2f}  {passage:5.3f}  {'yes' if ok else 'no ':3}  {first}{mark}  {question}")
        cairn.close()
    embedder.close()


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1] / "engine" / "models"
    prefixed = "--prefixed" in sys.argv
    paths = [Path(p) for p in sys.argv[1:] if p != "--prefixed"] or [root / "all-MiniLM-L6-v2.Q8_0.gguf",
                                                                     root / "multilingual-e5-small.Q4_0.gguf"]
    for path in paths:
        measure(path, prefixed and "e5" in path.name)
