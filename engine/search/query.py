"""What a person typed, parsed once into a `Query` that ranking, the weak-result rule and snippets share.

The FTS5 expression cannot fail to parse:

Each whitespace-separated piece becomes a quoted phrase, so punctuation in case
numbers or file names ("2023-CV-04417", "report_v2.pdf") matches the same tokens
in the text instead of being read as FTS5 syntax. Pieces are OR-ed and bm25
ranks documents that match more, and rarer, pieces first. Words joined by a
slash ("beginning/end", "contract/agreement") are alternatives, not a phrase:
each is a piece of its own.

Chinese, Japanese, Thai and Korean are written without a space between words (or, in
Korean, with the grammar joined to the word): the FTS5 tokenizer takes a whole run for
one token, so a word inside it cannot be matched by the index. Pieces in those scripts
are looked for as they are written, inside the passages' text (`unspaced_terms`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STOPWORDS = frozenset(
    """a an and are as at be but by do does did for from had has have how i if in into is it its of on or
    that the their them then there these they this to was were what when where which who why will with
    my me we our you your about can could would should not no after before go get got all any some so
    up out just also than too very been being over again here only such both each other off once through
    during until while between because he she his her him us""".split()
)

_EDGE = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)
_CODE = re.compile(r"\w(?:[_.#]|::?)\w|^_|_$")  # os.read, PyErr_Print, report_v2.pdf, std::vector, __del__
_ABBREVIATION = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$")  # e.g, i.e, U.S.A: not code
_LONG_NUMBER = re.compile(r"\d{3,}")  # 2023-CV-04417, RS232, ISO 10646; not "Perl 5" or "-22"
_WORD = re.compile(r"\w+")
# Han, kana, Hangul, Thai, Lao, Myanmar, Khmer
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                       "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
_ALTERNATIVES = re.compile(r"^[^\W\d_]+(?:/[^\W\d_]+)+$")  # always/never; not /etc/fstab, src/main.py, TCP/IP4


def query_terms(query: str, *, keep_stopwords: bool) -> list[str]:
    pieces = [piece for raw in query.split() for piece in _pieces(raw)]
    if keep_stopwords:
        return pieces
    content = [p for p in pieces if p.lower() not in STOPWORDS]
    return content or pieces


def _pieces(raw: str) -> list[str]:
    piece = _EDGE.sub("", raw)
    if not piece:
        return []
    if _ALTERNATIVES.match(piece) and "/" + piece not in raw:  # a leading slash makes it a path
        return piece.split("/")
    return [piece]


def fts_query(query: str) -> str | None:
    terms = query_terms(query, keep_stopwords=False)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def is_unspaced(piece: str) -> bool:
    """Whether `piece` has a script written without spaces between words (see the module's note)."""
    return bool(_UNSPACED.search(piece))


def unspaced_terms(query: str) -> list[str]:
    """The query's pieces to look for verbatim in the text, since the index cannot split their words."""
    return [t for t in query_terms(query, keep_stopwords=False) if is_unspaced(t)]


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


@dataclass(frozen=True)
class Query:
    """A query's pieces, worked out once: search reads them for hundreds of candidates per query."""

    text: str
    terms: tuple[str, ...]  # content pieces, stop words left out (unless there is nothing else)
    identifiers: tuple[str, ...]  # case numbers, codes, file names: meant exactly
    unspaced: tuple[str, ...]  # pieces in scripts written without spaces: looked for as written
    words: tuple[str, ...]  # the other pieces' words, folded, as snippets and coverage match them
    fts: str | None  # the FTS5 MATCH expression; None when nothing is left to match

    @classmethod
    def parse(cls, text: str) -> "Query":
        text = text.strip()
        terms = query_terms(text, keep_stopwords=False)
        unspaced = [t for t in terms if is_unspaced(t)]
        words = [fold(w) for t in terms if not is_unspaced(t) for w in words_of(t)]
        return cls(text=text, terms=tuple(terms), identifiers=tuple(identifiers(text)), unspaced=tuple(unspaced),
                   words=tuple(words), fts=fts_query(text))
