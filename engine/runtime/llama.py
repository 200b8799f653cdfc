"""How Cairn loads GGUF models into llama.cpp: quietly, safely, with a useful error.

Both the embedder and the chat model load through `load_llama`, so the workarounds below
live in one place:

* llama.cpp's own log goes to memory while a model loads (to explain a failure) and
  nowhere afterwards: it would otherwise print to the terminal, and nothing a model
  prints may end up in a log.
* "Extra buffer types" (weights repacked for Intel AMX and similar) are used only when
  this very llama.cpp library passed `engine.runtime.llama_probe` (setup.sh runs it). They double
  the bundled model's speed on a Xeon with AMX (Q8_0 through AMX tiles), but a llama.cpp
  built by GCC 12 without -fno-tree-dse crashes (SIGSEGV) at its first AMX
  multiplication: GCC's `_tile_loadconfig` declares an 8-byte read, so the stores that
  fill the 64-byte tile configuration are dropped as dead. A crash cannot be caught, so
  the probe tries it in a child process and leaves a mark next to the library it passed.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import ModelLoadError

_lock = threading.Lock()
_install_lock = threading.Lock()
_load_log: deque[str] | None = None  # set while a model loads
_log_callback: Any = None  # the ctypes callback must outlive every llama.cpp call

EXTRA_BUFFERS_ENV = "CAIRN_LLAMA_EXTRA_BUFFERS"  # "1" or "0" overrides the probe's verdict
_PROBE_MARK = "cairn-extra-buffers.ok"  # in llama_cpp/lib, holding the fingerprint it passed


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


def _library_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).resolve().parent / "lib"


def library_fingerprint() -> str | None:
    """sha256 over llama.cpp's CPU backend files: a rebuild or reinstall changes it."""
    files = sorted({p.resolve() for p in _library_dir().glob("*ggml-cpu*") if p.is_file()})
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def extra_buffers_allowed() -> bool:
    """Whether models load with llama.cpp's extra buffer types (see the module's docstring)."""
    forced = os.environ.get(EXTRA_BUFFERS_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    try:
        mark = (_library_dir() / _PROBE_MARK).read_text("ascii").strip()
        return bool(mark) and mark == library_fingerprint()
    except OSError:
        return False


def record_extra_buffers_ok() -> Path:
    """Mark this llama.cpp library as having passed the probe (OSError if it is read-only)."""
    fingerprint = library_fingerprint()
    if fingerprint is None:
        raise OSError("llama.cpp's CPU backend library was not found")
    mark = _library_dir() / _PROBE_MARK
    mark.write_text(fingerprint + "\n", "ascii")
    extra_buffers_allowed.cache_clear()
    return mark


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl+C while llama.cpp loads a model, and raise it after.

    The load calls Python (the log callback) from C, and a KeyboardInterrupt raised there
    is printed as "Exception ignored" and dropped: the person's Ctrl+C did nothing. Only
    the main thread receives signals; elsewhere (the desktop's workers) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if received:
        raise KeyboardInterrupt


def load_llama(path: Path, what: str, **options: Any) -> Any:
    """A `llama_cpp.Llama` for `path`; `what` names the model in errors ("embedding model")."""
    global _load_log
    quiet()
    import llama_cpp
    import llama_cpp.llama_cpp as low

    plain_defaults = low.llama_model_default_params
    extra = extra_buffers_allowed()

    def chosen_defaults() -> Any:
        params = plain_defaults()
        params.use_extra_bufts = extra
        return params

    with _lock:
        _load_log = deque(maxlen=40)
        low.llama_model_default_params = chosen_defaults
        try:
            with interrupts_held():
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
