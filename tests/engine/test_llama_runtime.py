"""Extra buffer types (AMX) are used only for the llama.cpp build that passed the probe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.runtime import llama as llama_runtime


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for llama_cpp/lib, so the real installation is never marked or unmarked here."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "libggml-cpu.so.0.1").write_bytes(b"built once")
    (lib / "libggml-cpu.so").symlink_to("libggml-cpu.so.0.1")
    monkeypatch.setattr(llama_runtime, "_library_dir", lambda: lib)
    monkeypatch.delenv(llama_runtime.EXTRA_BUFFERS_ENV, raising=False)
    llama_runtime.extra_buffers_allowed.cache_clear()
    yield lib
    llama_runtime.extra_buffers_allowed.cache_clear()


def test_unprobed_build_keeps_extra_buffers_off(library: Path) -> None:
    assert not llama_runtime.extra_buffers_allowed()


def test_probed_build_turns_them_on_until_it_is_rebuilt(library: Path) -> None:
    llama_runtime.record_extra_buffers_ok()
    assert llama_runtime.extra_buffers_allowed()
    (library / "libggml-cpu.so.0.1").write_bytes(b"built again, perhaps by another compiler")
    llama_runtime.extra_buffers_allowed.cache_clear()
    assert not llama_runtime.extra_buffers_allowed()


def test_the_environment_overrides_the_probe(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    llama_runtime.record_extra_buffers_ok()
    monkeypatch.setenv(llama_runtime.EXTRA_BUFFERS_ENV, "0")
    llama_runtime.extra_buffers_allowed.cache_clear()
    assert not llama_runtime.extra_buffers_allowed()


CTRL_C_DURING_LOAD = """
import os, signal, sys
from collections import deque
from engine.runtime import llama as llama_runtime
from engine.embed import load_embedder

class InterruptedOnFirstLine(deque):  # the load log: its first line arrives from inside llama.cpp's load
    def append(self, line):
        if not self:
            os.kill(os.getpid(), signal.SIGINT)
        super().append(line)

llama_runtime.deque = InterruptedOnFirstLine
try:
    load_embedder(threads=1)
except KeyboardInterrupt:
    sys.exit(130)
sys.exit(0)
"""


def test_ctrl_c_while_a_model_loads_stops_the_command() -> None:
    """Pressed while llama.cpp loads (a good part of a `cairn search`), Ctrl+C was printed as
    "Exception ignored" from inside the load and then lost: the command carried on."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", CTRL_C_DURING_LOAD], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 130, proc.stderr
    assert "Exception ignored" not in proc.stderr
