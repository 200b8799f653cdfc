"""The one interface the indexer, search and answers need from an embedding model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt


# What a text is to the model: some (e5) are trained with "query: " before a search and
# "passage: " before what is searched, and rank worse without; others (MiniLM) treat both alike.
Role = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    """What the indexer and search need from an embedding model."""

    model_id: str  # fingerprint of the model file; changes when the file changes
    model_name: str  # for people, e.g. "all-MiniLM-L6-v2 (Q8_0)"
    dimensions: int
    max_tokens: int  # longest input embedded without being cut, special tokens included

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        """Tokens `embed_batch` would see for `text`, special tokens and the role's prefix included."""
        ...

    def embed_batch(self, texts: Sequence[str], role: Role = "passage") -> npt.NDArray[np.float32]:
        """float32 (len(texts), dimensions), rows L2-normalized, in order.

        `role` "query" for what a person searches or asks with, "passage" for what is indexed
        or compared with it (the model's own prefix for that role goes first, if it has one).

        Raises ValueError for a text longer than `max_tokens` (never truncates)."""
        ...
