"""Text embeddings: the `Embedder` interface and the llama.cpp embedder that runs GGUF models.

The rest of the engine sees only `Embedder`; `load_embedder()` with no path gives the
bundled model in `engine/models/`.
"""

from engine.embed.llama import BUNDLED_MODEL_FILE, LlamaEmbedder, bundled_model_path, load_embedder
from engine.embed.protocol import Embedder

__all__ = ["BUNDLED_MODEL_FILE", "Embedder", "LlamaEmbedder", "bundled_model_path", "load_embedder"]
