"""Split a document into passages the embedding model sees whole.

Why token-bounded: an embedding model silently ignores what lies past its limit
(256 word pieces for all-MiniLM-L6-v2), so a chunk measured in characters can
lose its end without anyone noticing. Every chunk here is measured with the
model's own tokenizer. Chunks follow paragraphs and never span a heading, carry
a little overlap so a sentence cut at a border is still found, and keep exact
character spans into the document text so a hit points at its source.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from engine.extract import Document
from engine.extract.document import PageSpan

TokenCounter = Callable[[str], int]

_PARAGRAPH = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n")
_WORD = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    page: int | None
    heading: str | None
    ocr_confidence: float | None = None  # from the page it lies on; None: not read by OCR


TARGET_TOKENS = 240  # a passage's size when the model allows it (docs/evaluation.md: chunk sizes measured)
OVERLAP_SHARE = 8  # a passage repeats 1/8 of its target from the one before
# A span longer than this many characters per token of the budget is not
# counted: it cannot fit (the bundled tokenizer averages 4-5 on prose, 1.4 on base64).
MAX_CHARS_PER_TOKEN = 100
SAMPLE_CHARS_PER_TOKEN = 4  # a sample of 4 characters per budget token sizes the first cut of a huge word


@dataclass(frozen=True)
class ChunkSizes:
    """Budget in model tokens; `limit` is the model's hard maximum (special tokens included)."""

    limit: int
    target: int
    overlap: int

    @classmethod
    def for_model(cls, max_tokens: int) -> "ChunkSizes":
        limit = max_tokens
        target = min(limit - 2, TARGET_TOKENS)
        return cls(limit=limit, target=target, overlap=target // OVERLAP_SHARE if OVERLAP_SHARE else 0)


def chunk_document(doc: Document, count: TokenCounter, sizes: ChunkSizes) -> list[Chunk]:
    pieces: list[Chunk] = []
    specials = count("")  # [CLS] and [SEP] or the model's equivalents: once per chunk, not per unit
    for sec_start, sec_end, heading in _sections(doc):
        units = [(s, e, t - specials) for s, e, t in _units(doc.text, sec_start, sec_end, count, sizes.target)]
        for start, end in _pack(units, sizes, specials):
            page = _page_at(doc, start)
            pieces.append(Chunk(doc.text[start:end], start, end, page.number if page else None, heading,
                                page.ocr_confidence if page else None))
    return [c for c in pieces if c.text.strip()]


def _sections(doc: Document) -> Iterator[tuple[int, int, str | None]]:
    """Spans between headings and pages, each with the heading path that governs it."""
    # pages are borders too, so a passage's page is the page of every sentence in it (cited answers)
    starts = [h.start for h in doc.headings] + [p.start for p in doc.pages]
    bounds = sorted({s for s in starts if 0 < s < len(doc.text)})
    edges = [0, *bounds, len(doc.text)]
    trail: list[tuple[int, str]] = []
    by_start = {h.start: h for h in doc.headings}
    for start, end in zip(edges, edges[1:]):
        heading = by_start.get(start)
        if heading is not None:
            trail = [t for t in trail if t[0] < heading.level] + [(heading.level, heading.text)]
        yield start, end, " › ".join(t[1] for t in trail) or None


def _units(text: str, start: int, end: int, count: TokenCounter, target: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, tokens) of paragraphs, split into sentences, then words, until each fits `target`."""
    for p_start, p_end in _spans(text, start, end, _PARAGRAPH):
        yield from _fit(text, p_start, p_end, count, target, level=0)


def _fit(text: str, start: int, end: int, count: TokenCounter, target: int, level: int,
         tokens: int | None = None) -> Iterator[tuple[int, int, int]]:
    """Split text[start:end] at level 0 (sentences), 1 (words) or 2 (characters) until each piece fits.

    `tokens` is the span's count when the caller has it. Counting is the cost
    here (0.6 s per MB of base64 with the bundled tokenizer), so a span is
    counted once however many levels it passes through whole, and not at all
    when it is too long to fit any budget (`_surely_too_long`).
    """
    if tokens is None and not _surely_too_long(start, end, target):
        tokens = count(text[start:end])
    if tokens is not None and tokens <= target:
        yield start, end, tokens
        return
    if level == 0:
        spans = list(_spans(text, start, end, _SENTENCE_END))
        whole = tokens if spans == [(start, end)] else None  # one sentence: already counted
        for s, e in spans:
            yield from _fit(text, s, e, count, target, level=1, tokens=whole)
    elif level == 1:
        yield from _words(text, start, end, count, target, tokens)
    else:
        yield from _cut(text, start, end, count, target, tokens)


def _surely_too_long(start: int, end: int, target: int) -> bool:
    """True for a span too long in characters to fit `target` tokens whatever its content.

    No tokenizer averages MAX_CHARS_PER_TOKEN characters per token on anything
    but runs of white space; counting a megabyte of base64 only to learn that it
    does not fit in 240 tokens took 0.6 s, once per level it passed through.
    """
    return end - start > target * MAX_CHARS_PER_TOKEN


def _cut(text: str, start: int, end: int, count: TokenCounter, target: int,
         tokens: int | None) -> Iterator[tuple[int, int, int]]:
    """A single "word" longer than the budget (minified code, base64): cut by characters.

    Each piece is sized by the characters per token of the one before (of the
    whole word, or of a sample, for the first), counted, and shortened until it
    fits; the rest of the word begins the next piece. So each character is
    counted about once, and pieces are nearly full rather than followed by a
    sliver that would become a passage of its own.
    """
    per_token = _chars_per_token(text, start, end, count, target, tokens)
    pos = start
    while pos < end:
        stop = min(end, pos + max(1, int(per_token * target)))
        piece = count(text[pos:stop])
        while piece > target and stop - pos > 1:
            stop = pos + max(1, (stop - pos) * target // (piece + 1))
            piece = count(text[pos:stop])
        yield pos, stop, piece
        if stop < end:
            per_token = (stop - pos) / max(1, piece)
        pos = stop


def _chars_per_token(text: str, start: int, end: int, count: TokenCounter, target: int, tokens: int | None) -> float:
    """Characters per token of text[start:end]: from its count when known, else from its start."""
    if tokens is None:
        end = min(end, start + target * SAMPLE_CHARS_PER_TOKEN)
        tokens = count(text[start:end])
    return (end - start) / max(1, tokens)


def _words(text: str, start: int, end: int, count: TokenCounter, target: int,
           tokens: int | None = None) -> Iterator[tuple[int, int, int]]:
    """Group words greedily: each group is the longest run of words from its first that fits `target`.

    Re-measuring the group on every added word is quadratic: 5.8 s per MB of
    text without sentence ends (a log line, a word list). Summing per-word
    counts would still cost a tokenizer call per word, and the tokenizer does not
    quite add up. So the end of each group is searched with real counts of whole
    candidate groups, starting from the size of the group before: a few counts
    per passage, and every group is measured. A group's count only grows as
    words are added, so the groups are the ones a word-by-word scan finds.
    `tokens` (the count of the whole span, if known) and the counts made in the
    search are handed on with each group, so no group is counted twice.
    """
    bounds = _word_bounds(text, start, end)
    counted: dict[tuple[int, int], int] = {} if tokens is None else {(start, end): tokens}
    first, size = 0, 1
    while first < len(bounds) - 1:
        def fits(last: int, first: int = first) -> bool:
            span = (bounds[first], bounds[last])
            if _surely_too_long(*span, target):
                return False
            counted[span] = count(text[span[0]:span[1]])
            return counted[span] <= target

        stop = _last_fitting(fits, first + 1, len(bounds), first + size)
        group = (bounds[first], bounds[stop])
        yield from _fit(text, *group, count, target, level=2, tokens=counted.get(group))
        first, size = stop, stop - first


def _word_bounds(text: str, start: int, end: int) -> array[int]:
    """Where each word of text[start:end] starts (a word keeps its trailing space), then where the last ends."""
    bounds = array("q")
    for m in _WORD.finditer(text, start, end):
        bounds.append(m.start() if bounds else start)
        last_end = m.end()
    if bounds:
        bounds.append(last_end)
    return bounds


def _last_fitting(fits: Callable[[int], bool], low: int, high: int, guess: int) -> int:
    """The largest j in [low, high) with fits(j), where fits holds for low and up to some j, then no more.

    Gallops from `guess` with doubling steps until the answer is bracketed, then
    bisects: two or three calls when the guess is close, O(log n) when it is not.
    """
    probe, step, rising = guess, 1, None
    while low + 1 < high:
        probe = min(max(probe, low + 1), high - 1)
        ok = fits(probe)
        if ok:
            low = probe
        else:
            high = probe
        if rising is not None and ok != rising:
            break
        rising, probe, step = ok, probe + (step if ok else -step), step * 2
    while low + 1 < high:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _spans(text: str, start: int, end: int, sep: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Non-blank spans of text[start:end] between separator matches, trimmed of white space."""
    pos = start
    for m in sep.finditer(text, start, end):
        yield from _trimmed(text, pos, m.start())
        pos = m.end()
    yield from _trimmed(text, pos, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _pack(units: list[tuple[int, int, int]], sizes: ChunkSizes, specials: int) -> Iterator[tuple[int, int]]:
    """Greedy packing of units (content tokens) up to `target`.

    The next chunk repeats trailing units up to `overlap` tokens, and at least the
    last sentence when it is short enough, so a fact split at a border is whole
    in one of the two chunks."""
    i = 0
    while i < len(units):
        j, total = i, specials
        while j < len(units) and (j == i or total + units[j][2] <= sizes.target):
            total += units[j][2]
            j += 1
        yield units[i][0], units[j - 1][1]
        if j >= len(units):
            return
        back, carried = j, 0
        while back - 1 > i and (carried + units[back - 1][2] <= sizes.overlap
                                or (back == j and units[back - 1][2] <= sizes.target // 3)):
            back -= 1
            carried += units[back][2]
        i = back


def _page_at(doc: Document, offset: int) -> PageSpan | None:
    if not doc.pages:
        return None
    starts = [p.start for p in doc.pages]
    index = max(0, bisect.bisect_right(starts, offset) - 1)
    return doc.pages[index]
