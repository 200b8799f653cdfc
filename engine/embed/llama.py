"""Text embeddings through llama.cpp (llama-cpp-python), with the bundled all-MiniLM-L6-v2.

The rest of the engine sees only the `Embedder` protocol. `LlamaEmbedder` runs any GGUF
embedding model llama.cpp can load; `load_embedder()` with no path gives the bundled one,
engine/models/all-MiniLM-L6-v2.Q8_0.gguf (built by packaging/build_embedding_model.py).

How it runs, chosen by measurement (benchmarks/bench_embed.py; ~240-token chunks, 2 cores):
one llama.cpp context per thread, each single-threaded, taking the texts of a batch in turn
(one sequence per llama_encode call, flash attention on). On the 2-core Xeon that beat one
context running 2 threads (47.3 vs 43.7 chunks/s with AMX, 23.7 vs 21.2 without): a
sequence of 240 tokens is too little work to share between threads without them waiting on
each other at every operation, and with no thread waiting on another, a busy machine slows
embedding down in proportion instead of collapsing it. A single text (a search query) still
gets all threads on one context. Packing several sequences into one call was no faster, and
flash attention off was about 1.8x slower. Texts are never cut: one longer than
`max_tokens` is a ValueError, so the chunker (which counts with `count_tokens`, the same
tokenizer) must split first.

`max_tokens` is what the model was trained on: the GGUF key `cairn.max_tokens` where present
(the bundled model: 256, as sentence-transformers uses it, although its position table and so
its GGUF context length say 512), else the model's own context length; capped at MAX_CONTEXT.

llama.cpp prints nothing: its log callback is replaced process-wide by one that keeps the
lines of a model load in memory (to explain a failed load) and drops everything else, so
no document text can reach a log or the terminal.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.embed.choice import ENGLISH, MULTILINGUAL
from engine.embed.protocol import Role
from engine.errors import ModelLoadError
from engine.runtime.gguf import GGUFHeader, model_fingerprint
from engine.runtime.llama import default_threads, load_llama

BUNDLED_MODEL_FILE = "all-MiniLM-L6-v2.Q8_0.gguf"
MULTILINGUAL_MODEL_FILE = "multilingual-e5-small.Q4_0.gguf"  # built by setup.sh (not in git)
BUNDLED_FILES = {ENGLISH: BUNDLED_MODEL_FILE, MULTILINGUAL: MULTILINGUAL_MODEL_FILE}
MAX_TOKENS_KEY = "cairn.max_tokens"  # written by packaging/build_embedding_model.py
# Text a model wants before queries and passages (e5: "query: ", "passage: "), written into the
# GGUF by packaging/build_multilingual_model.py; a model without the keys gets the text as it is.
PREFIX_KEYS: dict[Role, str] = {"query": "cairn.query_prefix", "passage": "cairn.passage_prefix"}
# Upper bound on the context Cairn opens for any model. Chunks are ~240 tokens; a model trained
# on 8k or 32k tokens would otherwise get compute buffers (and llama-cpp-python's per-context
# arrays) sized for that, gigabytes for nothing.
MAX_CONTEXT = 2048

# --------------------------------------------------------------------------- files


def bundled_model_path(choice: str = ENGLISH) -> Path:
    """The GGUF of a bundled choice ("english", "multilingual") in the `engine.models` package folder."""
    return Path(__file__).resolve().parents[1] / "models" / BUNDLED_FILES[choice]


# --------------------------------------------------------------------------- llama.cpp glue

def _ftype_names() -> dict[int, str]:
    import llama_cpp

    names = {int(v): k.removeprefix("LLAMA_FTYPE_MOSTLY_") for k, v in vars(llama_cpp).items()
             if k.startswith("LLAMA_FTYPE_MOSTLY_") and isinstance(v, int)}
    names[int(llama_cpp.LLAMA_FTYPE_ALL_F32)] = "F32"
    return names


def _string(header: GGUFHeader, key: str) -> str:
    value = header.values.get(key)
    return value if isinstance(value, str) else ""


class _Context:
    """One llama.cpp context with its own token batch: what one thread embeds with."""

    def __init__(self, lib: Any, ctx: Any, capacity: int, per_call: int, max_tokens: int,
                 dimensions: int, owned: bool) -> None:
        self._lib, self.ctx, self._owned = lib, ctx, owned
        self._per_call, self._dimensions = per_call, dimensions
        # Encoder-only models (BERT and kin) keep no KV memory: llama_encode, nothing to clear.
        # Decoder-based embedders (causal, last-token pooling) need their memory cleared per text.
        self._memory = lib.llama_get_memory(ctx)
        self._batch = batch = lib.llama_batch_init(capacity, 0, per_call)
        self._tokens = np.ctypeslib.as_array(batch.token, shape=(capacity,))
        self._pos = np.ctypeslib.as_array(batch.pos, shape=(capacity,))
        n_seq_id = np.ctypeslib.as_array(batch.n_seq_id, shape=(capacity,))
        outputs = np.ctypeslib.as_array(batch.logits, shape=(capacity,))
        n_seq_id[:] = 1
        outputs[:] = 1
        for i in range(capacity):
            batch.seq_id[i][0] = 0
        self._positions = np.arange(max_tokens, dtype=np.int32)

    def set_threads(self, threads: int) -> None:
        self._lib.llama_set_n_threads(self.ctx, threads, threads)

    def run(self, sequences: list[npt.NDArray[np.int32]], out: npt.NDArray[np.float32]) -> None:
        """Embed `sequences` (packed into one call) into the rows of `out`."""
        lib, batch = self._lib, self._batch
        k = 0
        for seq, tokens in enumerate(sequences):
            n = len(tokens)
            self._tokens[k:k + n] = tokens
            self._pos[k:k + n] = self._positions[:n]
            if self._per_call > 1:
                for j in range(k, k + n):
                    batch.seq_id[j][0] = seq
            k += n
        batch.n_tokens = k
        if self._memory is None:
            rc = lib.llama_encode(self.ctx, batch)
        else:
            lib.llama_memory_clear(self._memory, True)
            rc = lib.llama_decode(self.ctx, batch)
        if rc != 0:
            raise RuntimeError(f"llama.cpp failed to embed a batch (status {rc})")
        for seq in range(len(sequences)):
            pointer = lib.llama_get_embeddings_seq(self.ctx, seq)
            if not pointer:
                raise RuntimeError("llama.cpp returned no embedding")
            out[seq] = np.ctypeslib.as_array(pointer, shape=(self._dimensions,))

    def close(self) -> None:
        self._lib.llama_batch_free(self._batch)
        if self._owned:
            self._lib.llama_free(self.ctx)


class LlamaEmbedder:
    """An `Embedder` over a GGUF embedding model, through llama_cpp.Llama(embedding=True).

    Thread-safe: `count_tokens` may run on a reader thread while another thread embeds."""

    def __init__(self, model_path: Path, threads: int | None = None, *,
                 flash_attn: bool = True, sequences_per_call: int = 1, parallel: bool = True) -> None:
        """Load `model_path`; ModelLoadError (with what to do) for anything that cannot embed.

        `flash_attn`, `sequences_per_call` and `parallel` (one single-threaded context per
        thread, rather than one context running every thread) exist for
        benchmarks/bench_embed.py; the defaults are the measured fastest."""
        path = Path(model_path).expanduser()
        if not path.exists():
            raise ModelLoadError(f"Embedding model {path} does not exist. Check the path in Cairn's settings.")
        if not path.is_file():
            raise ModelLoadError(f"Embedding model {path} is not a file: give the path of a .gguf file.")
        try:
            header = GGUFHeader(path)
            self.model_id = model_fingerprint(path)
        except OSError as exc:
            raise ModelLoadError(f"Cannot read embedding model {path}: {exc.strerror or exc}.") from exc
        arch = header.values.get("general.architecture")
        if not isinstance(arch, str):
            raise ModelLoadError(f"{path} is a GGUF file without a model architecture: not a usable model.")
        if header.values.get("general.type", "model") != "model":
            raise ModelLoadError(f"{path} is a GGUF {header.values['general.type']}, not a model.")
        trained = header.get_int(f"{arch}.context_length")
        declared = header.get_int(MAX_TOKENS_KEY)
        candidates = [n for n in (trained, declared) if n]
        if not candidates:
            raise ModelLoadError(f"{path} does not say its context length; it cannot be used for embeddings.")
        self.max_tokens = min(*candidates, MAX_CONTEXT)
        self.prefixes: dict[Role, str] = {role: _string(header, key) for role, key in PREFIX_KEYS.items()}
        self.path = path
        self.threads = threads if threads and threads > 0 else default_threads()
        self._per_call = max(1, sequences_per_call)
        self._lock = threading.Lock()
        self._contexts: list[_Context] = []
        self._pool: ThreadPoolExecutor | None = None
        self._llm = self._load(path, flash_attn)

        import llama_cpp

        self._lib = llama_cpp
        model = self._llm.model
        self._vocab = llama_cpp.llama_model_get_vocab(model)
        pooling = llama_cpp.llama_pooling_type(self._llm.ctx)
        if pooling not in (llama_cpp.LLAMA_POOLING_TYPE_MEAN, llama_cpp.LLAMA_POOLING_TYPE_CLS,
                           llama_cpp.LLAMA_POOLING_TYPE_LAST):
            self.close()
            raise ModelLoadError(
                f"{path} is a GGUF model but not a text-embedding model (no sentence pooling: "
                "a chat or reranking model?). Choose an embedding model, e.g. a GGUF of "
                "all-MiniLM-L6-v2, bge, e5, gte or nomic-embed."
            )
        self.dimensions = int(llama_cpp.llama_model_n_embd_out(model))
        name = header.values.get("general.name")
        ftype = header.get_int("general.file_type")
        kind = _ftype_names().get(ftype, "?") if ftype is not None else "?"
        self.model_name = f"{name if isinstance(name, str) and name else path.stem} ({kind})"
        self._open_contexts(parallel)

    @property
    def _capacity(self) -> int:
        return self.max_tokens * self._per_call

    def _load(self, path: Path, flash_attn: bool) -> Any:
        n = self._capacity
        return load_llama(path, "embedding model", embedding=True, n_ctx=n, n_batch=n, n_ubatch=n,
                          flash_attn=flash_attn, n_threads=self.threads, n_threads_batch=self.threads)

    def _open_contexts(self, parallel: bool) -> None:
        """The Llama's own context, plus (parallel) one more per further thread, sharing the weights."""
        lib = self._lib
        shape = (self._capacity, self._per_call, self.max_tokens, self.dimensions)
        self._contexts.append(_Context(lib, self._llm.ctx, *shape, owned=False))
        if not parallel or self.threads < 2:
            return
        for _ in range(self.threads - 1):
            params = type(self._llm.context_params).from_buffer_copy(self._llm.context_params)
            params.n_threads = params.n_threads_batch = 1
            ctx = lib.llama_init_from_model(self._llm.model, params)
            if not ctx:
                break  # out of memory for another context: embed with the ones there are
            self._contexts.append(_Context(lib, ctx, *shape, owned=True))
        if len(self._contexts) > 1:
            self._contexts[0].set_threads(1)
            self._pool = ThreadPoolExecutor(len(self._contexts) - 1, thread_name_prefix="cairn-embed")

    # ----------------------------------------------------------------------- Embedder

    def _tokenize(self, text: str) -> npt.NDArray[np.int32]:
        data = text.encode("utf-8", "replace")  # lone surrogates would be invalid UTF-8 for llama.cpp
        room = len(data) + 8
        while True:
            buf = (self._lib.llama_token * room)()
            n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, room, True, False)
            if n >= 0:
                return np.frombuffer(memoryview(buf).cast("B"), dtype=np.int32, count=n).copy()
            room = -n

    def count_tokens(self, text: str, role: Role = "passage") -> int:
        return int(self._tokenize(self.prefixes[role] + text).shape[0])

    def embed_batch(self, texts: Sequence[str], role: Role = "passage") -> npt.NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("embed_batch takes a sequence of texts, not one str")
        prefix = self.prefixes[role]
        tokenized = [self._tokenize(prefix + t) for t in texts]
        for i, tokens in enumerate(tokenized):
            if len(tokens) > self.max_tokens:
                raise ValueError(
                    f"text {i} is {len(tokens)} tokens long; {self.model_name} embeds at most "
                    f"{self.max_tokens} (split it first)"
                )
            if len(tokens) == 0:
                raise ValueError(f"text {i} has no tokens to embed")
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        with self._lock:
            if not self._contexts:
                raise RuntimeError("this embedder has been closed")
            self._embed_groups(tokenized, self._groups(tokenized), out)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, np.float32(1e-12))
        return out

    def _groups(self, tokenized: list[npt.NDArray[np.int32]]) -> list[range]:
        """Consecutive texts packed per llama.cpp call: up to `sequences_per_call` that fit together."""
        groups: list[range] = []
        start = 0
        while start < len(tokenized):
            end, used = start + 1, len(tokenized[start])
            while (end - start < self._per_call and end < len(tokenized)
                   and used + len(tokenized[end]) <= self._capacity):
                used += len(tokenized[end])
                end += 1
            groups.append(range(start, end))
            start = end
        return groups

    def _embed_groups(self, tokenized: list[npt.NDArray[np.int32]], groups: list[range],
                      out: npt.NDArray[np.float32]) -> None:
        """Every context takes the next group until none is left; a lone group gets every thread."""
        contexts = self._contexts
        if len(groups) == 1 and len(contexts) > 1:
            contexts[0].set_threads(self.threads)
            try:
                contexts[0].run([tokenized[i] for i in groups[0]], out[groups[0].start:groups[0].stop])
            finally:
                contexts[0].set_threads(1)
            return
        turns = itertools.count()  # next() is atomic under the GIL: no group is taken twice

        def drain(context: _Context) -> None:
            while (i := next(turns)) < len(groups):
                group = groups[i]
                context.run([tokenized[j] for j in group], out[group.start:group.stop])

        helpers = [self._pool.submit(drain, c) for c in contexts[1:]] if self._pool else []
        try:
            drain(contexts[0])
        finally:
            for helper in helpers:
                helper.result()

    # ----------------------------------------------------------------------- lifetime

    def close(self) -> None:
        """Free the model now rather than at garbage collection."""
        with self._lock:
            pool, self._pool = getattr(self, "_pool", None), None
            if pool is not None:
                pool.shutdown(wait=True)
            contexts, self._contexts = getattr(self, "_contexts", []), []
            for context in reversed(contexts):
                context.close()
            llm, self._llm = getattr(self, "_llm", None), None
            if llm is not None:
                llm.close()

    def __enter__(self) -> "LlamaEmbedder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"LlamaEmbedder({self.model_name}, {self.dimensions} dims, max {self.max_tokens} tokens)"


def load_embedder(model_path: str | Path | None = None, threads: int | None = None) -> LlamaEmbedder:
    """The embedder for `model_path`: a bundled choice ("english", "multilingual"; None: english) or a GGUF path."""
    if model_path == MULTILINGUAL:
        path = bundled_model_path(MULTILINGUAL)
        if not path.exists():
            raise ModelLoadError(
                f"The multilingual embedding model {path} is missing: it is built by setup.sh (run it once "
                "more), or by packaging/build_multilingual_model.py.")
        return LlamaEmbedder(path, threads)
    bundled = model_path is None or model_path == ENGLISH
    path = bundled_model_path() if model_path is None or model_path == ENGLISH else Path(model_path).expanduser()
    if bundled and not path.exists():
        raise ModelLoadError(
            f"The bundled embedding model {path} is missing: this Cairn installation is incomplete. "
            "Reinstall Cairn, or rebuild the model with packaging/build_embedding_model.py."
        )
    return LlamaEmbedder(path, threads)
