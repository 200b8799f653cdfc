"""The languages of the first files of a new index, read before any of them is embedded.

Why before: the embedding model must be chosen before the first passage is embedded (the
chunker counts with its tokenizer, and every vector must come from one model), yet "the
first files indexed are mostly not English" is a reason to choose the multilingual one
(engine/embed/choice.py). So a new index reads a few of its files first, in the order the
pass will take them, and counts the languages of their paragraphs. Nothing is kept: the
texts are dropped as soon as they are counted; the pass reads the files again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from engine.errors import CairnError
from engine.extract import Document, is_supported
from engine.indexing.scan import Seen, walk
from engine.language import identify

SAMPLE_FILES = 24  # enough to tell a German archive from an English one; few enough to read in seconds
PARAGRAPHS_PER_FILE = 8  # one long file should not outvote the others
MIN_PARAGRAPH = 40  # characters; shorter lines (headings, dates) say little about a language
BUDGET_S = 20.0  # a folder of huge PDFs must not hold up the first pass for long


def first_languages(roots: Sequence[tuple[str, Sequence[str]]], extractor: Callable[[Path, int], Document],
                    max_bytes: int) -> dict[str | None, int]:
    """Paragraphs per language in the first `SAMPLE_FILES` readable files of `roots` ((path, excludes))."""
    counts: Counter[str | None] = Counter()
    files, started = 0, time.monotonic()
    for root, excludes in roots:
        for seen in walk(Path(root), excludes):
            if files >= SAMPLE_FILES or time.monotonic() - started > BUDGET_S:
                return dict(counts)
            if not isinstance(seen, Seen) or seen.size > max_bytes or not is_supported(Path(seen.path)):
                continue
            try:
                text = extractor(Path(seen.path), max_bytes).text
            except (CairnError, OSError):
                continue  # the pass itself records why it cannot be read
            files += 1
            paragraphs = [p for p in text.split("\n\n") if len(p.strip()) >= MIN_PARAGRAPH]
            counts.update(identify(p) for p in paragraphs[:PARAGRAPHS_PER_FILE])
    return dict(counts)
