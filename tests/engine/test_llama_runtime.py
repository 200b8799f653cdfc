"""Extra buffer types (AMX) are used only for the llama.cpp build that passed the probe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import llama_runtime


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
