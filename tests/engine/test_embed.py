"""The real bundled GGUF through the real llama-cpp-python: accuracy, limits, errors, identity."""

from __future__ import annotations

import ctypes
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from engine.embed import Embedder, LlamaEmbedder, bundled_model_path, load_embedder
from engine.runtime.gguf import model_fingerprint
from engine.errors import ModelLoadError

pytestmark = pytest.mark.model  # loads GGUF models itself

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def embedder(real_embedder: LlamaEmbedder) -> LlamaEmbedder:
    assert isinstance(real_embedder, LlamaEmbedder)
    return real_embedder


def quantize_copy(src: Path, dst: Path, ftype: int, overrides: dict[str, int] | None = None) -> Path:
    """llama_model_quantize `src` into `dst`, optionally overriding integer metadata."""
    import llama_cpp

    from engine.runtime.llama import quiet as _quiet_llama_cpp

    _quiet_llama_cpp()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 2
    params.allow_requantize = True  # the bundled model is already quantized
    items = list((overrides or {}).items())
    kv = (llama_cpp.llama_model_kv_override * (len(items) + 1))()
    for i, (key, value) in enumerate(items):
        kv[i].key = key.encode()
        kv[i].tag = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_INT
        setattr(kv[i].value, "val_i64", value)  # a ctypes union; the stubs can't say which member
    kv[len(items)].key = b""
    params.kv_overrides = ctypes.cast(kv, ctypes.POINTER(llama_cpp.llama_model_kv_override))
    assert llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params)) == 0
    return dst


def test_bundled_model_is_package_data() -> None:
    path = bundled_model_path()
    assert path.parent.name == "models" and path.parent.parent.name == "engine"
    assert path.is_file() and path.suffix == ".gguf"


def test_matches_sentence_transformers_reference(embedder: LlamaEmbedder) -> None:
    data = json.loads(FIXTURE.read_text("utf-8"))
    reference = np.asarray(data["vectors"], dtype=np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    vectors = embedder.embed_batch(data["texts"])
    cosines = (vectors * reference).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.mean() >= 0.999
    assert cosines.min() >= 0.995, f"{cosines.min():.4f} for {data['texts'][worst]!r}"


def test_shape_and_limits_come_from_the_model(embedder: LlamaEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimensions == 384
    assert embedder.max_tokens == 256  # cairn.max_tokens in the GGUF, not its 512 context length
    assert embedder.model_name.startswith("all-MiniLM-L6-v2 (")
    assert embedder.model_id


def test_count_tokens_is_what_embed_sees(embedder: LlamaEmbedder) -> None:
    assert embedder.count_tokens("hello world") == 4  # [CLS] hello world [SEP]
    words = ["apple"] * (embedder.max_tokens - 2)
    text = " ".join(words)
    assert embedder.count_tokens(text) == embedder.max_tokens
    at_limit = embedder.embed_batch([text, " ".join(words[:-1] + ["zebra"])])
    assert at_limit.shape == (2, 384)
    # the last token still counts: nothing was cut off
    assert float(at_limit[0] @ at_limit[1]) < 0.9999
    one_more = text + " apple"
    assert embedder.count_tokens(one_more) == embedder.max_tokens + 1
    with pytest.raises(ValueError, match="257 tokens"):
        embedder.embed_batch(["short", one_more])


def test_order_preserved_and_rows_normalized(embedder: LlamaEmbedder) -> None:
    texts = ["The invoice is overdue.", "Die Katze schläft.", "def f(x): return x * 2", "a" * 50, "Rain tomorrow."]
    together = embedder.embed_batch(texts)
    assert together.dtype == np.float32 and together.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    for i, text in enumerate(texts):
        alone = embedder.embed_batch([text])[0]
        assert float(alone @ together[i]) > 0.99999
    assert embedder.embed_batch([]).shape == (0, 384)


def test_counting_on_another_thread_while_embedding(embedder: LlamaEmbedder) -> None:
    import threading

    sentence = "the reader thread counts tokens meanwhile"
    expected = embedder.count_tokens(sentence)
    counts: list[int] = []
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            counts.append(embedder.count_tokens(sentence))

    worker = threading.Thread(target=count)
    worker.start()
    try:
        vectors = embedder.embed_batch(["first text about tea"] * 8)
    finally:
        stop.set()
        worker.join()
    assert counts and set(counts) == {expected}
    np.testing.assert_allclose(vectors, np.repeat(vectors[:1], 8, axis=0), atol=1e-6)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_embedder(tmp_path / "nothing.gguf")


def test_text_file_named_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("These are my notes, not a model.\n")
    with pytest.raises(ModelLoadError, match="not a GGUF model file"):
        load_embedder(fake)


@pytest.mark.parametrize("keep_bytes", [200_000, 20_000_000])
def test_truncated_copy(tmp_path: Path, keep_bytes: int) -> None:
    """Cut inside the header (our own parser) and inside the tensor data (llama.cpp's check)."""
    cut = tmp_path / "cut.gguf"
    with bundled_model_path().open("rb") as src:
        cut.write_bytes(src.read(keep_bytes))
    with pytest.raises(ModelLoadError, match="truncated") as info:
        load_embedder(cut)
    assert str(cut) in str(info.value)


def test_model_without_pooling_is_refused(tmp_path: Path) -> None:
    import llama_cpp

    no_pooling = quantize_copy(bundled_model_path(), tmp_path / "bert-no-pooling.gguf",
                               llama_cpp.LLAMA_FTYPE_MOSTLY_BF16, {"bert.pooling_type": 0})
    with pytest.raises(ModelLoadError, match="not a text-embedding model"):
        load_embedder(no_pooling)


def test_without_a_smaller_declared_limit_the_trained_context_counts(tmp_path: Path) -> None:
    import llama_cpp

    loose = quantize_copy(bundled_model_path(), tmp_path / "minilm-loose.gguf",
                          llama_cpp.LLAMA_FTYPE_MOSTLY_BF16, {"cairn.max_tokens": 100_000})
    with LlamaEmbedder(loose, threads=2) as other:
        assert other.max_tokens == 512  # bert.context_length
        text = " ".join(["apple"] * 400)
        assert other.count_tokens(text) == 402
        assert other.embed_batch([text]).shape == (1, 384)


def test_other_quantization_loads_with_its_own_identity(tmp_path: Path, embedder: LlamaEmbedder) -> None:
    import llama_cpp

    q8 = quantize_copy(bundled_model_path(), tmp_path / "minilm.Q8_0.gguf", llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0)
    with LlamaEmbedder(q8, threads=2) as other:
        assert other.model_id != embedder.model_id
        assert other.model_name == "all-MiniLM-L6-v2 (Q8_0)"
        assert (other.dimensions, other.max_tokens) == (384, 256)
        texts = ["A quiet harbour at dawn.", "Quarterly revenue grew by 12%."]
        assert float(np.min((other.embed_batch(texts) * embedder.embed_batch(texts)).sum(axis=1))) > 0.99


def test_fingerprint_is_cheap_and_follows_the_content(tmp_path: Path) -> None:
    start = time.perf_counter()
    first = model_fingerprint(bundled_model_path())
    assert time.perf_counter() - start < 0.05
    assert model_fingerprint(bundled_model_path()) == first
    copy = tmp_path / bundled_model_path().name
    shutil.copyfile(bundled_model_path(), copy)
    assert model_fingerprint(copy) == first
    with copy.open("r+b") as f:
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 0xFF]))
    assert model_fingerprint(copy) != first


def test_llama_cpp_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with LlamaEmbedder(bundled_model_path(), threads=2) as fresh:
        fresh.embed_batch(["a private sentence that must not be logged"])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
