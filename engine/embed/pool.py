"""The embedding models one process has loaded, shared by every `Cairn` it opens.

During a model switch a process needs two models (the old one embeds queries, the new one
re-embeds passages), and the app opens several `Cairn`s (search, answers, the writer): one
pool loads each model once for all of them (multilingual-e5-small holds 0.7 GiB) and lets a
model go once no index of this process uses it."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from engine.embed.llama import load_embedder
from engine.embed.protocol import Embedder


class ModelPool:
    def __init__(self) -> None:
        self._models: dict[tuple[str, int], Embedder] = {}
        self._lock = threading.Lock()

    def get(self, model: str, threads: int) -> Embedder:
        """The loaded model ("english", "multilingual" or a GGUF path), loading it the first time."""
        with self._lock:
            key = (model, threads)
            if key not in self._models:
                self._models[key] = load_embedder(model, threads)
            return self._models[key]

    def keep_only(self, models: Iterable[str]) -> None:
        """Let go of every model but these: a switch is over. A caller still embedding with one keeps it alive."""
        wanted = set(models)
        with self._lock:
            self._models = {k: v for k, v in self._models.items() if k[0] in wanted}
