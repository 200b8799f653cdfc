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
from collections.abc import Iterator
from typing import Any

import apsw
import apsw.fts5

from engine.language.analysis import analyse, pairs, pieces, stemmed, word_spans

NAME = "cairn"


@functools.cache
def _languages(locale: str | None) -> tuple[str | None, ...]:
    if not locale:
        return (None,)
    return tuple(dict.fromkeys(part.strip() or None for part in locale.split(",")))


def tokens(text: str, languages: tuple[str | None, ...]) -> Iterator[tuple[Any, ...]]:
    """(start, end, term, *other terms) for `text` read as each of `languages` (character offsets)."""
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
        for (a, b), term in zip(spans, stemmed(words, languages[0])):
            yield a, b, term
        return
    columns = [stemmed(words, language) for language in languages]
    for i, (a, b) in enumerate(spans):
        yield (a, b, *dict.fromkeys(column[i] for column in columns))


def _tokenize(text: str, flags: int, locale: str | None) -> Iterator[tuple[Any, ...]]:
    return tokens(text, _languages(locale))


def _on_strings(con: apsw.Connection, args: list[str]) -> Any:
    return _tokenize


# APSW's wrapper hands the tokenizer text and turns its character offsets into UTF-8 byte offsets
_FACTORY: Any = apsw.fts5.StringTokenizer(_on_strings)


def register(conn: apsw.Connection) -> None:
    """Make the tokenizer known to this connection (FTS5 asks for it by name whenever the table is used)."""
    conn.register_fts5_tokenizer(NAME, _FACTORY)


__all__ = ["NAME", "analyse", "register", "tokens"]
