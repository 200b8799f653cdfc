"""Text embeddings: the `Embedder` interface and the llama.cpp embedder that runs GGUF models.

The rest of the engine sees only `Embedder`; `load_embedder()` with no path gives the
bundled model in `engine/models/`.
"""

from engine.embed.choice import BUNDLED_CHOICES, ENGLISH, MULTILINGUAL, ModelChoice, choose, suggestion, system_language
from engine.embed.llama import (BUNDLED_MODEL_FILE, MULTILINGUAL_MODEL_FILE, LlamaEmbedder, bundled_model_path,
                                load_embedder)
from engine.embed.protocol import Embedder, Role

__all__ = ["BUNDLED_CHOICES", "BUNDLED_MODEL_FILE", "ENGLISH", "MULTILINGUAL", "MULTILINGUAL_MODEL_FILE", "Embedder",
           "LlamaEmbedder", "ModelChoice", "Role", "bundled_model_path", "choose", "load_embedder", "suggestion",
           "system_language"]
