"""The FTS5 tokenizer `cairn`: the index's words analysed by their passage's language, inside SQLite.

The passage's language reaches the tokenizer as FTS5's locale (the table is made with
`locale=1`, rows are written with `fts5_locale(language, text)`). A query's locale names
several languages ("de,en"): each word of the query then stands for its term in every one of
them at once (FTS5's colocated tokens, matched as alternatives), since a short query's
language is hard to tell and the index may hold several.

Registered on every connection (engine.store.connection), so it runs wherever SQLite reads
the text, an encrypted index included.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import apsw

from engine.language.analysis import UNSPACED, analyse, pairs, pieces, stemmed, word_spans

NAME = "cairn"


@functools.cache
def _languages(locale: str | None) -> tuple[str | None, ...]:
    if not locale:
        return (None,)
    return tuple(dict.fromkeys(part.strip() or None for part in locale.split(",")))


def tokens(text: str, languages: tuple[str | None, ...]) -> Iterator[tuple[Any, ...]]:
    """(start, end, term, *other terms) for `text` read as each of `languages` (character offsets)."""
    if text.isascii() or not UNSPACED.search(text):  # most text: words, stemmed in one call
        yield from _flush(text, list(word_spans(text)), languages)
        return
    spaced: list[tuple[int, int]] = []
    for start, end in word_spans(text):
        for a, b, unspaced in pieces(text, start, end):
            if unspaced:
                yield from _flush(text, spaced, languages)
                spaced = []
                run = text[a:b].lower()
                for offset, length in pairs(run):
                    yield a + offset, a + offset + length, run[offset:offset + length]
            else:
                spaced.append((a, b))
    yield from _flush(text, spaced, languages)


def _flush(text: str, spans: list[tuple[int, int]], languages: tuple[str | None, ...]) -> Iterator[tuple[Any, ...]]:
    if not spans:
        return
    words = [text[a:b] for a, b in spans]
    if len(languages) == 1:
        yield from [(a, b, term) for (a, b), term in zip(spans, stemmed(words, languages[0]))]
        return
    columns = [stemmed(words, language) for language in languages]
    for i, (a, b) in enumerate(spans):
        yield (a, b, *dict.fromkeys(column[i] for column in columns))


def _tokenize(utf8: bytes, flags: int, locale: str | None) -> Iterable[tuple[Any, ...]]:
    """FTS5 counts in UTF-8 bytes: the same as characters in ASCII text, else counted token by token."""
    languages = _languages(locale)
    text = utf8.decode("utf-8", "replace")
    if utf8.isascii():
        return list(tokens(text, languages))
    out = []
    at = byte = 0  # tokens start in order (pairs of characters overlap): count the bytes from one start to the next
    for a, b, *terms in tokens(text, languages):
        byte += len(text[at:a].encode())
        at = a
        out.append((byte, byte + len(text[a:b].encode()), *terms))
    return out


def _FACTORY(con: apsw.Connection, args: list[str]) -> Any:
    return _tokenize



def register(conn: apsw.Connection) -> None:
    """Make the tokenizer known to this connection (FTS5 asks for it by name whenever the table is used)."""
    conn.register_fts5_tokenizer(NAME, _FACTORY)


__all__ = ["NAME", "analyse", "register", "tokens"]
