"""How Cairn loads GGUF models into llama.cpp: quietly, safely, with a useful error.

Both the embedder and the chat model load through `load_llama`, so the workarounds below
live in one place:

* llama.cpp's own log goes to memory while a model loads (to explain a failure) and
  nowhere afterwards: it would otherwise print to the terminal, and nothing a model
  prints may end up in a log.
* "Extra buffer types" (weights repacked for Intel AMX and similar) are turned off.
  On a Xeon with AMX, llama.cpp 0.3.36's AMX path crashes the process (SIGSEGV) on the
  first encode of a Q8_0 BERT model; measured here, turning them off costs nothing for
  the bundled BF16 model (24.5 chunks/s either way) and lets every quantization work.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections import deque
from pathlib import Path
from typing import Any

from engine.errors import ModelLoadError

_lock = threading.Lock()
_install_lock = threading.Lock()
_load_log: deque[str] | None = None  # set while a model loads
_log_callback: Any = None  # the ctypes callback must outlive every llama.cpp call


def quiet() -> None:
    """Route llama.cpp's and ggml's logging to memory (during loads) or nowhere (always after).

    Thread-safe: two threads installing their own callback at once would free the first
    while llama.cpp still calls it (a crash the desktop app hit when reader and writer
    loaded models together)."""
    global _log_callback
    with _install_lock:
        if _log_callback is not None:
            return
        import llama_cpp

        def on_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            keep = _load_log
            if keep is not None and text:
                keep.append(text.decode("utf-8", "replace"))

        _log_callback = llama_cpp.llama_log_callback(on_log)
        llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


def default_threads() -> int:
    """Physical cores where Linux says which they are, else logical CPUs (llama.cpp's own choice)."""
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:
        return max(1, os.cpu_count() or 1)
    cores: set[str] = set()
    for cpu in cpus:
        try:
            cores.add(Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/core_cpus_list").read_text().strip())
        except OSError:
            return max(1, len(cpus))
    return max(1, len(cores))


def load_llama(path: Path, what: str, **options: Any) -> Any:
    """A `llama_cpp.Llama` for `path`; `what` names the model in errors ("embedding model")."""
    global _load_log
    quiet()
    import llama_cpp
    import llama_cpp.llama_cpp as low

    plain_defaults = low.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = plain_defaults()
        params.use_extra_bufts = False
        return params

    with _lock:
        _load_log = deque(maxlen=40)
        low.llama_model_default_params = without_extra_buffers
        try:
            return llama_cpp.Llama(str(path), verbose=False, n_gpu_layers=0, **options)
        except (ValueError, RuntimeError, OSError) as exc:
            detail = load_failure_detail(list(_load_log))
            raise ModelLoadError(
                f"llama.cpp could not load the {what} {path}{detail}. The file may be truncated or "
                "damaged (download or convert it again), or use an architecture this "
                "llama-cpp-python does not support."
            ) from exc
        finally:
            low.llama_model_default_params = plain_defaults
            _load_log = None


def load_failure_detail(lines: list[str]) -> str:
    """The most telling line of llama.cpp's load log (model metadata only, never document text)."""
    text = "".join(lines).splitlines()
    for line in reversed(text):
        _, found, reason = line.partition("error loading model:")
        if found and reason.strip():
            return f": {reason.strip()[:300]}"
    for line in reversed(text):
        low = line.lower()
        if "failed to load model" not in low and any(
                w in low for w in ("error", "failed", "corrupt", "not within", "unknown", "invalid")):
            return f": {line.strip()[:300]}"
    return ""
