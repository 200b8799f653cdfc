"""The local chat model: which file, loading it with a clear error, and streaming its answer.

Resolution order, so that generation works offline without any setting: the file named in
settings (`chat_model`), else the default SmolLM2-135M-Instruct installed into the package
folder by packaging/fetch_chat_model.py, else none (answers are extractive).

Any GGUF instruct model can be chosen (`chat_model`); `check_chat_model` reads its header and
vocabulary only, and says what it will cost before it is loaded (memory for its weights and
KV cache, expected speed). Its context is the trained length, at most `MAX_CONTEXT`; threads
are one per physical core unless set.

The prompt is rendered here with the chat template stored in the GGUF file itself, so the
exact text the model reads can be shown to the person (`Answer.prompt`), and it is
tokenized once with that model's tokenizer (also what fits the prompt to the context).
Decoding is greedy: the same question over the same files gives the same answer.
Cancellation is checked by llama.cpp itself while the prompt is processed (an abort
callback) and between generated tokens, so Stop is prompt even for a large model.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import Paths, Settings
from engine.errors import CairnError, Cancelled, ModelLoadError

BUNDLED_CHAT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_CONTEXT = 4096  # tokens; enough for the prompt budget and an answer, bounded KV-cache memory
_GGUF_MAGIC = b"GGUF"
STILL_WORKS = "Answers quoted from your files still work."


def bundled_chat_model_path() -> Path:
    """Where packaging/fetch_chat_model.py installs the default chat model (next to the embedding model)."""
    import engine.models

    return Path(engine.models.__file__).resolve().parent / BUNDLED_CHAT_MODEL_FILE


def resolve_chat_model(settings: Settings, paths: Paths) -> Path | None:
    """The chat model to use: the configured file, else the installed default, else None.

    A relative `chat_model` is looked up in Cairn's models folder first (where people are
    told to put models), then relative to the working directory."""
    if settings.chat_model:
        given = Path(settings.chat_model).expanduser()
        if not given.is_absolute() and (paths.models / given).exists():
            return paths.models / given
        return given
    bundled = bundled_chat_model_path()
    return bundled if bundled.exists() else None


# Generation reads every weight once per token, so its speed follows the file's size: the bundled
# SmolLM2-135M (98 MB) writes 87 tokens/s on the 2-core reference machine (docs/benchmarks.md). A
# larger model's speed is estimated from that (about 9 tokens/s for a 1 GB file): an estimate, shown as one.
REFERENCE_BYTES_PER_SECOND = 87 * 98_362_432
RUNTIME_OVERHEAD = 64 * 2**20  # llama.cpp's compute buffers and the rest, beyond weights and KV cache


@dataclass(frozen=True)
class ChatModelInfo:
    """What `check_chat_model` learned without loading the weights: enough to say, before a load,
    what the model will cost (memory) and give (speed)."""

    path: str
    name: str
    context_length: int | None  # what the model was trained for
    has_template: bool
    file_bytes: int = 0
    context: int = MAX_CONTEXT  # what Cairn will use: the trained length, at most MAX_CONTEXT
    memory_bytes: int = 0  # weights + KV cache for `context` + runtime buffers
    tokens_per_second: float = 0.0  # expected generation speed here (see REFERENCE_BYTES_PER_SECOND)

    def summary(self) -> str:
        """"Qwen2.5 1.5B Instruct: about 1.3 GB of memory, about 9 tokens/s (estimated), context 4096 tokens."""
        memory = self.memory_bytes / 2**30
        text = (f"{self.name}: needs about {memory:.1f} GB of memory and writes about "
                f"{self.tokens_per_second:.0f} tokens/s here (estimated); context {self.context} tokens.")
        total = _machine_memory()
        if total and self.memory_bytes > 0.8 * total:
            text += f" This machine has {total / 2**30:.1f} GB: the model may not fit."
        return text


def _machine_memory() -> int:
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def _kv_bytes(metadata: dict[str, str], context: int) -> int:
    """The f16 KV cache for `context` tokens: keys and values of every layer's KV heads."""
    arch = metadata.get("general.architecture", "")

    def number(key: str) -> int:
        value = metadata.get(f"{arch}.{key}", "")
        return int(value) if value.isdigit() else 0

    layers, heads, width = number("block_count"), number("attention.head_count"), number("embedding_length")
    kv_heads = number("attention.head_count_kv") or heads
    head_dim = number("attention.key_length") or (width // heads if heads else 0)
    return 2 * layers * context * kv_heads * head_dim * 2


def _precheck(path: Path) -> None:
    """Refuse what is plainly not a GGUF model before llama.cpp sees it (clearer messages)."""
    if not path.exists():
        raise ModelLoadError(
            f"Chat model {path} does not exist. Choose another file in the settings, clear the "
            f"chat model setting to use the default, or run packaging/fetch_chat_model.py to install it. {STILL_WORKS}"
        )
    if not path.is_file():
        raise ModelLoadError(f"Chat model {path} is not a file: choose a .gguf file. {STILL_WORKS}")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ModelLoadError(f"Cannot read chat model {path}: {exc.strerror or exc}. {STILL_WORKS}") from exc
    if head[:4] != _GGUF_MAGIC:
        raise ModelLoadError(
            f"Chat model {path} is not a GGUF model file (damaged, or another format). "
            f"Cairn runs chat models in llama.cpp's GGUF format. {STILL_WORKS}"
        )
    version = int.from_bytes(head[4:8], "little")
    if version not in (2, 3):
        raise ModelLoadError(f"Chat model {path} is GGUF version {version}; this Cairn reads versions 2 and 3. "
                             f"{STILL_WORKS}")


def _llama(path: Path, **options: Any) -> Any:
    """llama_cpp.Llama through the engine's one loader (silent logs, AMX only where proven, clear errors)."""
    from engine.runtime.llama import load_llama

    try:
        return load_llama(path, "chat model", **options)
    except ModelLoadError as exc:
        raise ModelLoadError(f"{exc} For the default model, run packaging/fetch_chat_model.py again. "
                             f"{STILL_WORKS}") from exc


def _template_of(metadata: dict[str, str], path: Path) -> str:
    template = metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelLoadError(
            f"{path} has no chat template: it is not an instruction-tuned chat model (a base or "
            "embedding model?). Choose a GGUF of an instruct/chat model, e.g. Qwen2.5-1.5B-Instruct."
        )
    return template


def check_chat_model(path: str | Path) -> ChatModelInfo:
    """Validate a chat model cheaply (header and vocabulary only, no weights): for settings dialogs."""
    path = Path(path).expanduser()
    _precheck(path)
    llm = _llama(path, vocab_only=True)
    try:
        metadata = dict(llm.metadata)
        _template_of(metadata, path)
        arch = metadata.get("general.architecture", "")
        trained = metadata.get(f"{arch}.context_length")
        name = metadata.get("general.name") or path.stem
        trained_length = int(trained) if trained and trained.isdigit() else None
        context = min(MAX_CONTEXT, trained_length or MAX_CONTEXT)
        size = path.stat().st_size
        return ChatModelInfo(str(path), name, trained_length, True, size, context,
                             size + _kv_bytes(metadata, context) + RUNTIME_OVERHEAD,
                             REFERENCE_BYTES_PER_SECOND / max(size, 1))
    finally:
        llm.close()


class ChatModel:
    """A loaded GGUF chat model that renders prompts with its own template and streams answers.

    `calls` counts generations, so tests (and the curious) can tell whether the model was used."""

    def __init__(self, path: str | Path, threads: int | None = None, *, context: int = MAX_CONTEXT) -> None:
        from engine.runtime.llama import default_threads

        self.path = Path(path).expanduser()
        _precheck(self.path)
        threads = threads if threads and threads > 0 else default_threads()
        self._llm = _llama(self.path, n_ctx=context, n_batch=512, n_threads=threads,
                           n_threads_batch=threads, flash_attn=True)
        metadata: dict[str, str] = dict(self._llm.metadata)
        template = _template_of(metadata, self.path)
        trained = metadata.get(f"{metadata.get('general.architecture', '')}.context_length", "")
        self.context = min(context, int(trained)) if trained.isdigit() and int(trained) > 0 else context
        self.name = metadata.get("general.name") or self.path.stem
        self.calls = 0
        self._lock = threading.Lock()
        self._abort_flag: threading.Event | None = None
        self._abort = self._make_abort_callback()
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._formatter = Jinja2ChatFormatter(template=template, eos_token=self._token_text(self._llm.token_eos()),
                                              bos_token=self._token_text(self._llm.token_bos()))
        self._control: tuple[str, ...] | None = None

    # ------------------------------------------------------------ prompt

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", "replace")

    def render(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt exactly as the model reads it, from the GGUF's own chat template."""
        try:
            return str(self._formatter(messages=list(messages)).prompt)  # type: ignore[arg-type]
        except Exception as exc:  # jinja2 errors of a template this model ships
            raise CairnError(f"The chat template of {self.path.name} cannot be used: {exc}") from exc

    def tokenize(self, prompt: str) -> list[int]:
        """Tokens of a rendered prompt: markup tokens parsed as such, no BOS added (the template has it)."""
        return list(self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    @property
    def control_texts(self) -> tuple[str, ...]:
        """Texts of the model's control tokens (<|im_start|>, ...): never allowed inside document text."""
        if self._control is None:
            import llama_cpp

            vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
            found = {self._token_text(i) for i in range(self._llm.n_vocab())
                     if llama_cpp.llama_vocab_is_control(vocab, i) or llama_cpp.llama_vocab_is_eog(vocab, i)}
            self._control = tuple(sorted((t for t in found if t.strip()), key=len, reverse=True))
        return self._control

    # ------------------------------------------------------------ generation

    def _make_abort_callback(self) -> Any:
        import llama_cpp

        def should_abort(_: ctypes.c_void_p) -> bool:
            flag = self._abort_flag
            return bool(flag is not None and flag.is_set())

        callback = llama_cpp.ggml_abort_callback(should_abort)
        llama_cpp.llama_set_abort_callback(self._llm.ctx, callback, ctypes.c_void_p(0))
        return callback  # kept alive as long as the model

    def stream(self, prompt: str, *, max_tokens: int, cancel: threading.Event | None = None
               ) -> Generator[str, None, bool]:
        """Pieces of the answer in order; returns whether `max_tokens` cut it short (its last sentence
        is then unfinished). Raises Cancelled soon after `cancel` is set."""
        tokens = self.tokenize(prompt)
        if len(tokens) + max_tokens > self.context:
            raise CairnError(f"The prompt ({len(tokens)} tokens) does not fit {self.name}'s context window.")
        with self._lock:
            self.calls += 1
            self._abort_flag = cancel
            self._llm.reset()  # no reuse of the last prompt's cache: the same prompt gives the same answer
            pieces = self._llm.create_completion(tokens, max_tokens=max_tokens, temperature=0.0, top_k=1,
                                                 repeat_penalty=1.1, stream=True)
            cut_short = False
            try:
                for chunk in pieces:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("The answer was stopped.")
                    choice = chunk["choices"][0]
                    cut_short = choice.get("finish_reason") == "length"
                    if choice["text"]:
                        yield choice["text"]
                return cut_short
            except RuntimeError as exc:
                self._llm.reset()  # an aborted decode leaves the cache half-written
                if cancel is not None and cancel.is_set():
                    raise Cancelled("The answer was stopped.") from exc
                raise CairnError(f"The chat model {self.name} failed while answering: {exc}") from exc
            except BaseException:
                self._llm.reset()
                raise
            finally:
                pieces.close()
                self._abort_flag = None

    def close(self) -> None:
        llm, self._llm = getattr(self, "_llm", None), None
        if llm is not None:
            llm.close()

    def __repr__(self) -> str:
        return f"ChatModel({self.name}, context {self.context})"


def load_chat_model(path: Path, threads: int | None = None) -> ChatModel:
    return ChatModel(path, threads)
