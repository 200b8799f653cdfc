"""Words into the terms keyword search matches, the same way for the index and for a query.

A word is lower-cased, stemmed by the Snowball rules of its passage's language (PyStemmer),
and its accents folded ("Résumé", "resume" -> "resum"); English keeps the Porter stemmer FTS5
used before, so English results do not move. Accents are folded after stemming, since the
French and Spanish rules read them, but before it for English, whose rules know only ASCII. A
passage whose language is unknown is read as English.

Chinese and Japanese are written without spaces between words (Thai and Korean much the
same): a run of those scripts is cut into overlapping pairs of characters, so a two-character
word inside a sentence is a term of the index, and a longer one is a phrase of pairs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

import Stemmer

from engine.language.stopwords import stop_words

# ISO 639-1 -> PyStemmer's algorithm. English: Porter, as FTS5's `porter` tokenizer did.
STEMMERS = {
    "en": "porter", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
    "pl": "polish", "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "fi": "finnish", "ru": "russian", "hu": "hungarian", "ro": "romanian", "tr": "turkish",
    "ca": "catalan", "cs": "czech", "el": "greek", "ar": "arabic", "ga": "irish", "lt": "lithuanian",
    "et": "estonian", "eu": "basque", "hy": "armenian", "id": "indonesian", "ta": "tamil", "ne": "nepali",
    "hi": "hindi", "sr": "serbian", "fa": "persian", "yi": "yiddish", "eo": "esperanto",
}

_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_", "'" and "-" part words, as FTS5's unicode61 did
_MARK = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
                   "\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e31-\u0e3a\u0e47-\u0e4e\u0eb1-\u0ecd"
                   "\u0f18-\u0fc6\u102b-\u108f\u135d-\u135f\u1712-\u1714\u17b4-\u17d3\u1ab0-\u1aff"
                   "\u1dc0-\u1dff\u20d0-\u20ff\u302a-\u302f\u3099\u309a\ufe00-\ufe0f\ufe20-\ufe2f]")
# Han, kana, Hangul, Thai, Lao, Myanmar, Khmer
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                      "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]+")


class _Folding(dict[int, str]):
    """str.translate's table, filled as characters are met: accents off Latin, Greek and Cyrillic
    letters, full-width forms and ligatures made plain; other scripts untouched (NFKD would take
    Hangul apart and strip Thai vowels)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code < 0x0530 or 0x1E00 <= code < 0x2000 or 0xFB00 <= code < 0xFB07 or 0xFF01 <= code < 0xFF5F:
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        else:
            folded = char
        self[code] = folded
        return folded


_FOLDING = _Folding()


def fold(word: str) -> str:
    """Lower case without accents ("Zurück" -> "zuruck"), so either spelling finds the other."""
    lowered = word.lower()
    return lowered if lowered.isascii() else lowered.translate(_FOLDING)


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = STEMMERS.get(language)
    return None if algorithm is None else Stemmer.Stemmer(algorithm)


def analyse(word: str, language: str | None) -> str:
    """The term for one word (lower case, no accents, stemmed by `language`'s rules)."""
    lowered = word.lower()
    if language is None or language == "en":
        return _stemmer("en").stemWord(fold(lowered))  # type: ignore[union-attr]
    stemmer = _stemmer(language)
    if stemmer is None:
        return fold(lowered)
    return fold(stemmer.stemWord(lowered))


def stemmed(words: list[str], language: str | None) -> list[str]:
    """`analyse` for many words at once (PyStemmer stems a list in one call, the folding is one pass)."""
    if language is None or language == "en":
        return _stemmer("en").stemWords(_fold_all([w.lower() for w in words]))  # type: ignore[union-attr,no-any-return]
    stemmer = _stemmer(language)
    lowered = [w.lower() for w in words]
    return _fold_all(stemmer.stemWords(lowered) if stemmer else lowered)


def _fold_all(lowered: list[str]) -> list[str]:
    joined = "\x1f".join(lowered)  # a control character: never part of a word
    return lowered if joined.isascii() else joined.translate(_FOLDING).split("\x1f")


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Each word of `text` with the combining marks of its letters (a mark ends a regular expression's word)."""
    if text.isascii() or not _MARK.search(text):  # no combining marks (most text, once composed): words are runs
        yield from [m.span() for m in _WORD.finditer(text)]
        return
    start = end = -1
    for m in _WORD.finditer(text):
        a, b = m.span()
        while b < len(text) and unicodedata.category(text[b]).startswith("M"):
            b += 1
        if a == end:  # letters joined by marks: one word
            end = b
            continue
        if start >= 0:
            yield start, end
        start, end = a, b
    if start >= 0:
        yield start, end


def pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """The word text[start:end] in runs of spaced and unspaced scripts: (start, end, unspaced)."""
    word = text[start:end]
    if word.isascii() or not UNSPACED.search(word):
        yield start, end, False
        return
    at = 0
    for m in UNSPACED.finditer(word):
        if m.start() > at:
            yield start + at, start + m.start(), False
        yield start + m.start(), start + m.end(), True
        at = m.end()
    if at < len(word):
        yield start + at, end, False


def pairs(run: str) -> list[tuple[int, int]]:
    """Overlapping pairs of characters of an unspaced run, as (offset, length); a single character alone."""
    if len(run) < 2:
        return [(0, len(run))]
    return [(i, 2) for i in range(len(run) - 1)]


def is_stop_word(word: str, languages: tuple[str | None, ...]) -> bool:
    folded = fold(word)
    return any(folded in stop_words(language) for language in languages)
