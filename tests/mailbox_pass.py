"""One indexing pass of the Cairn home in CAIRN_HOME with a slowed fake embedder: a process to kill -9
half way through a mailbox (tests/engine/test_mailbox_live.py)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from engine.cairn import Cairn
from engine.progress import run_to_result
from tests.fakes import FakeEmbedder


class SlowEmbedder(FakeEmbedder):
    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        time.sleep(0.3)
        return super().embed_batch(texts, role)


if __name__ == "__main__":
    with Cairn(embedder=SlowEmbedder()) as cairn:
        run_to_result(cairn.index())
