"""Re-embed every passage with a new model while search goes on with the old one's vectors.

A model switch (engine/store/switch.py holds the index's side) does not read files again: the
passages stay as they are, only their vectors change, so it costs the embedding alone (no
reading, no OCR) and keyword search is untouched throughout. Each batch of new vectors is its
own commit: stopped, cancelled or killed, the next pass embeds only what is left. When the
last passage has its new vector, one transaction swaps the models.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

from engine.embed import Embedder
from engine.errors import Cancelled
from engine.indexing.indexer import EMBED_BATCH, IndexProgress
from engine.indexing.passage import embedding_text, fitting
from engine.store import Store
from engine.store.switch import Target

PHASE = "re-embedding"  # IndexProgress.phase; its files_total / files_done count passages here


def reembed(store: Store, embedder: Embedder, target: Target, cancel: threading.Event | None = None
            ) -> Generator[IndexProgress, None, bool]:
    """Give every passage its vector from `embedder` (the `target` model), then swap; True once swapped.

    Passages indexed meanwhile (by the same writer, between passes) are picked up by the
    same loop: the swap happens only when none is left without its new vector."""
    store.begin_switch(target)
    started, embedded, after = time.monotonic(), 0, 0
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Re-embedding was stopped; it goes on from here next time.")
        batch = store.switch_todo(EMBED_BATCH, after)
        if not batch and after:
            after = 0  # once more from the start: a passage written meanwhile may sit below
            continue
        if not batch:
            return store.finish_switch(target)
        after = batch[-1].chunk_id
        texts = [fitting(embedder, embedding_text(embedder, p.text, p.title, p.heading)) for p in batch]
        store.keep_switched([p.chunk_id for p in batch], embedder.embed_batch(texts))
        embedded += len(batch)
        yield progress(store, embedded, time.monotonic() - started, target.model_name)


def progress(store: Store, embedded: int, seconds: float, model_name: str) -> IndexProgress:
    """How far the switch is: passages with their new vector of all passages, this pass's rate and the time left."""
    pending = store.switch_pending()
    done, total = (pending.done, pending.total) if pending else (0, 0)
    rate = embedded / seconds if seconds > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else None
    return IndexProgress(PHASE, total, done, embedded, rate, eta, model_name)
