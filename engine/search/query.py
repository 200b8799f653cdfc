"""What a person typed, parsed once into a `Query` that ranking, the weak-result rule and snippets share.

The FTS5 expression cannot fail to parse:

Each whitespace-separated piece becomes a quoted phrase, so punctuation in case
numbers or file names ("2023-CV-04417", "report_v2.pdf") matches the same tokens
in the text instead of being read as FTS5 syntax. Pieces are OR-ed and bm25
ranks documents that match more, and rarer, pieces first. Words joined by a
slash ("beginning/end", "contract/agreement") are alternatives, not a phrase:
each is a piece of its own.

Languages (docs/multilingual-keywords.md): the query's own language is identified when it can
be, and its stop words are left out ("nach", "dem" of "Kaution zurück nach dem Auszug"); English
ones too when the index holds English. Each word is then matched by its stem in every language
the index holds in any number (`languages`, FTS5's locale for the `cairn` tokenizer), since a
short query's language is often unsure and the index stems each passage by its own.

Chinese, Japanese, Thai and Korean are written without a space between words (or, in
Korean, with the grammar joined to the word): the index holds their runs as pairs of
characters, so a word of two or more is matched by the index; a single character is looked
for as it is written, inside the passages' text (`unspaced`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from engine.language import analyse, identify_query, stop_words
from engine.language.stopwords import ENGLISH as STOPWORDS

MAX_LANGUAGES = 5  # a query's words are matched by their stems in at most this many of the index's languages
MIN_LANGUAGE_SHARE = 0.01  # a language with fewer of the index's passages is not worth a stem of its own

_EDGE = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)
_CODE = re.compile(r"\w(?:[_.#]|::?)\w|^_|_$")  # os.read, PyErr_Print, report_v2.pdf, std::vector, __del__
_ABBREVIATION = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$")  # e.g, i.e, U.S.A: not code
_LONG_NUMBER = re.compile(r"\d{3,}")  # 2023-CV-04417, RS232, ISO 10646; not "Perl 5" or "-22"
_WORD = re.compile(r"\w+")
# Han, kana, Hangul, Thai, Lao, Myanmar, Khmer
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                       "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
_ALTERNATIVES = re.compile(r"^[^\W\d_]+(?:/[^\W\d_]+)+$")  # always/never; not /etc/fstab, src/main.py, TCP/IP4


def query_terms(query: str, *, keep_stopwords: bool, stop: frozenset[str] = STOPWORDS) -> list[str]:
    pieces = [piece for raw in query.split() for piece in _pieces(raw)]
    if keep_stopwords:
        return pieces
    content = [p for p in pieces if fold(p) not in stop]
    return content or pieces


def _pieces(raw: str) -> list[str]:
    piece = _EDGE.sub("", raw)
    if not piece:
        return []
    if _ALTERNATIVES.match(piece) and "/" + piece not in raw:  # a leading slash makes it a path
        return piece.split("/")
    return [piece]


def fts_query(query: str, stop: frozenset[str] = STOPWORDS) -> str | None:
    return _fts(query_terms(query, keep_stopwords=False, stop=stop))


def _fts(terms: list[str]) -> str | None:
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def is_unspaced(piece: str) -> bool:
    """Whether `piece` has a script written without spaces between words (see the module's note)."""
    return bool(_UNSPACED.search(piece))


def identifiers(query: str) -> list[str]:
    """Pieces that look like case numbers, codes or file names: a person means them exactly.

    Measured on the evaluation sets (docs/evaluation.md): counting every hyphenated or
    slash-joined word ("floating-point", "stdout/stderr") and "e.g." as an identifier
    boosted passages that merely shared a common word and cost hybrid nDCG@10 on both."""
    return [t for t in query_terms(query, keep_stopwords=True) if _is_identifier(t)]


def _is_identifier(piece: str) -> bool:
    if _LONG_NUMBER.search(piece):
        return True
    if _CODE.search(piece) and not _ABBREVIATION.match(piece):
        return True
    return any(any(c.isdigit() for c in w) and any(c.isalpha() for c in w) for w in _WORD.findall(piece))


def fold(word: str) -> str:
    """Lower case without accents, so that "Resume" finds "résumé" (snippets and coverage match on this)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_spans(text: str) -> list[tuple[int, int]]:
    """The words of `text`, each with the combining marks of its letters.

    A regular expression's word class stops at a combining mark (Devanagari vowel signs, Arabic
    vowel marks, an accent typed as a character of its own), which cut "हिन्दी" into three letters."""
    if text.isascii():
        return [m.span() for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if spans and spans[-1][1] == start:  # letters joined by marks: one word
            start = spans.pop()[0]
        while end < len(text) and unicodedata.category(text[end]).startswith("M"):
            end += 1
        spans.append((start, end))
    return spans


def words_of(text: str) -> list[str]:
    return [text[a:b] for a, b in word_spans(text)]


def languages_for(text: str, index: Mapping[str | None, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(languages to stem the query's words by, languages whose stop words it leaves out).

    `index`: the index's passages per language (None: not identified, read as English)."""
    total = sum(index.values())
    present = list(dict.fromkeys(language or "en" for language, count in index.items()
                                 if count >= max(1.0, MIN_LANGUAGE_SHARE * total)))[:MAX_LANGUAGES] or ["en"]
    detected = identify_query(text)
    stems = list(dict.fromkeys(([detected] if detected else []) + present))[:MAX_LANGUAGES]
    stops = ([detected] if detected else present) + (["en"] if "en" in present and detected != "en" else [])
    return tuple(stems), tuple(dict.fromkeys(stops))


@dataclass(frozen=True)
class Query:
    """A query's pieces, worked out once: search reads them for hundreds of candidates per query."""

    text: str
    terms: tuple[str, ...]  # content pieces, stop words left out (unless there is nothing else)
    identifiers: tuple[str, ...]  # case numbers, codes, file names: meant exactly
    unspaced: tuple[str, ...]  # pieces in scripts written without spaces: looked for as written
    words: tuple[str, ...]  # the other pieces' words, folded, as snippets and coverage match them
    fts: str | None  # the FTS5 MATCH expression; None when nothing is left to match
    languages: tuple[str, ...] = ("en",)  # each word is matched by its stem in each of these (FTS5 locale)
    stems: tuple[frozenset[str], ...] = ()  # per word of `words`, its stems in `languages`

    @classmethod
    def parse(cls, text: str, index_languages: Mapping[str | None, int] | None = None) -> "Query":
        """`index_languages`: the index's passages per language (Store.languages); none: English."""
        text = text.strip()
        languages, stop_languages = languages_for(text, index_languages or {"en": 1})
        stop = frozenset().union(*(stop_words(language) for language in stop_languages))
        terms = query_terms(text, keep_stopwords=False, stop=stop)
        unspaced = [t for t in terms if is_unspaced(t)]
        words = [fold(w) for t in terms if not is_unspaced(t) for w in words_of(t)]
        stems = tuple(frozenset(analyse(w, language) for language in languages) for w in words)
        return cls(text=text, terms=tuple(terms), identifiers=tuple(identifiers(text)), unspaced=tuple(unspaced),
                   words=tuple(words), fts=_fts(terms), languages=languages, stems=stems)
