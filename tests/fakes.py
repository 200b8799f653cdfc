"""A deterministic stand-in embedder for pure unit tests of plumbing (never of search quality)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from keyring.backend import KeyringBackend

_TOKEN = re.compile(r"\w+|[^\w\s]")


class FakeEmbedder:
    """Bag-of-words hashed into a few dimensions: same words, similar vectors."""

    model_id = "fake-embedder-v1"
    model_name = "fake embedder"
    dimensions = 32
    max_tokens = 64

    def __init__(self) -> None:
        self.calls: list[int] = []

    def count_tokens(self, text: str, role: str = "passage") -> int:
        return len(_TOKEN.findall(text)) + 2

    def embed_batch(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            if self.count_tokens(text) > self.max_tokens:
                raise ValueError("text longer than max_tokens")
            for word in _TOKEN.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
                out[row, h % self.dimensions] += 1.0 if (h >> 8) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else 1.0 / np.sqrt(self.dimensions)
        return out


class MemoryKeyring(KeyringBackend):
    """An OS keyring that lives in this process only: no test reads or writes the person's real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)
