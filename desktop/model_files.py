"""Checking a model file before the settings accept it (always on a worker thread).

Why check first: a wrong file picked in a dialog should be refused there, with the
reason, not discovered later when indexing or answering fails. The embedding model is
checked the strongest way there is — the engine loads it (`engine.embed.load_embedder`)
and the load is thrown away — which also yields its fingerprint, so the dialog can tell
whether the index would have to be re-embedded. These functions block for as long as a
load takes: callers run them through `desktop.operation.Operation`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    path: str | None  # None: the bundled embedding model
    name: str
    model_id: str | None = None
    dimensions: int | None = None
    summary: str = ""  # what it will cost and give, said before it is loaded (chat models)


def check_embedding_model(path: str | None, threads: int = 1) -> ModelInfo:
    """Load the model as the engine would; ModelLoadError with the engine's reason if it cannot embed."""
    from engine import load_embedder

    embedder = load_embedder(path, threads=threads)
    try:
        return ModelInfo(path, embedder.model_name, embedder.model_id, embedder.dimensions)
    finally:
        embedder.close()


def check_chat_model(path: str) -> ModelInfo:
    """The answer engine's own check: header and vocabulary only, no weights, so it takes a moment."""
    from engine import check_chat_model as engine_check

    info = engine_check(path)
    return ModelInfo(info.path, info.name, summary=info.summary())
