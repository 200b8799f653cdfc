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
from pathlib import Path

from engine.errors import ModelLoadError

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelInfo:
    path: str | None  # None: the bundled embedding model
    name: str
    model_id: str | None = None
    dimensions: int | None = None


def check_embedding_model(path: str | None, threads: int = 1) -> ModelInfo:
    """Load the model as the engine would; ModelLoadError with the engine's reason if it cannot embed."""
    from engine.embed import load_embedder

    embedder = load_embedder(path, threads=threads)
    try:
        return ModelInfo(path, embedder.model_name, embedder.model_id, embedder.dimensions)
    finally:
        embedder.close()


def check_chat_model(path: str) -> ModelInfo:
    """Use the answer engine's own check when it has one; otherwise check that this is a GGUF file.

    A full load of a chat model can take many seconds and gigabytes; the answer engine
    (engine.answer) decides how to validate cheaply, so its check wins when present."""
    try:
        from engine import answer
    except ImportError:
        answer = None  # type: ignore[assignment]
    engine_check = getattr(answer, "check_chat_model", None) if answer is not None else None
    if callable(engine_check):
        result = engine_check(path)
        name = getattr(result, "name", None) or getattr(result, "model_name", None) or Path(path).stem
        return ModelInfo(path, str(name))
    return _check_gguf(Path(path), "Chat model")


def _check_gguf(path: Path, what: str) -> ModelInfo:
    if not path.exists():
        raise ModelLoadError(f"{what} {path} does not exist.")
    if not path.is_file():
        raise ModelLoadError(f"{what} {path} is not a file: choose a .gguf file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ModelLoadError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head[:4] != GGUF_MAGIC:
        raise ModelLoadError(f"{path} is not a GGUF model file. Cairn runs models in llama.cpp's GGUF format.")
    version = int.from_bytes(head[4:8], "little")
    if version not in (2, 3):
        raise ModelLoadError(f"{path} is GGUF version {version}; this Cairn reads versions 2 and 3.")
    return ModelInfo(str(path), path.stem)
