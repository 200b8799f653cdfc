"""Chunks must fit the model, point exactly into the text, and respect structure."""

from __future__ import annotations

import base64
import random
import re

from engine.indexing.chunk import ChunkSizes, chunk_document
from engine.extract import Document, Heading, PageSpan

SIZES = ChunkSizes(limit=64, target=50, overlap=10)


def count(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text)) + 2


def paragraph(topic: str, n: int) -> str:
    return " ".join(f"Sentence {i} is about {topic} and nothing else." for i in range(n))


def test_every_chunk_fits_the_model_and_points_into_the_text() -> None:
    text = "\n\n".join(paragraph(t, 9) for t in ("rivers", "bridges", "owls"))
    doc = Document(text=text, kind="text", title=None)
    chunks = chunk_document(doc, count, SIZES)
    assert len(chunks) > 3
    for c in chunks:
        assert count(c.text) <= SIZES.limit
        assert text[c.start:c.end] == c.text


def test_all_text_is_covered_and_neighbours_overlap() -> None:
    text = paragraph("harbours", 30)
    chunks = chunk_document(Document(text=text, kind="text", title=None), count, SIZES)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert all(b.start < a.end for a, b in zip(chunks, chunks[1:])), "consecutive chunks share a sentence"


def test_chunks_never_cross_a_heading_and_carry_its_path() -> None:
    intro = "Intro words here."
    body = "# Contracts\n\nTerms of the lease.\n\n## Deposits\n\nThe deposit is returned in full."
    text = intro + "\n\n" + body
    h1 = text.index("# Contracts")
    h2 = text.index("## Deposits")
    doc = Document(text=text, kind="markdown", title=None,
                   headings=(Heading(h1, 1, "Contracts"), Heading(h2, 2, "Deposits")))
    chunks = chunk_document(doc, count, ChunkSizes(limit=500, target=400, overlap=20))
    assert [c.heading for c in chunks] == [None, "Contracts", "Contracts › Deposits"]
    assert "deposit is returned" in chunks[-1].text and "lease" not in chunks[-1].text


def test_pages_are_kept() -> None:
    pages = ["First page talks about apples.", "Second page talks about pears."]
    text = "\n\n".join(pages)
    second = text.index("Second")
    doc = Document(text=text, kind="pdf", title=None,
                   pages=(PageSpan(1, 0, len(pages[0])), PageSpan(2, second, len(text))))
    chunks = chunk_document(doc, count, ChunkSizes(limit=14, target=12, overlap=0))
    assert [(c.page, "pears" in c.text) for c in chunks] == [(1, False), (2, True)]


def test_a_long_unbroken_string_is_cut_to_fit() -> None:
    blob = "QUJD" * 3000 + "=\n\nA normal sentence follows."
    chunks = chunk_document(Document(text=blob, kind="text", title=None), lambda t: len(t) // 4 + 2, SIZES)
    assert all(len(c.text) // 4 + 2 <= SIZES.limit for c in chunks)
    assert chunks[-1].text.endswith("A normal sentence follows.")


def test_long_text_without_sentence_ends_is_split_in_linear_time() -> None:
    # a log line, a word list, a transcript without punctuation: one "sentence" of 30,000 words
    words = ("orchard tide ledger keeper harbour budget zebra lighthouse tomato gamma " * 3000).split()
    text = " ".join(words)
    measured = 0

    def counting(piece: str) -> int:
        nonlocal measured
        measured += len(piece)
        return count(piece)

    sizes = ChunkSizes.for_model(256)
    chunks = chunk_document(Document(text=text, kind="text", title=None), counting, sizes)
    # re-measuring the whole growing passage on every word read each character ~100 times
    assert measured < 12 * len(text)
    assert " ".join(" ".join(c.text.split()) for c in chunks) == text  # all of it, in order, no overlap needed
    for c, following in zip(chunks, chunks[1:]):
        assert count(c.text) <= sizes.target
        next_word = following.text.split()[0]
        assert count(c.text + " " + next_word) > sizes.target, "each passage is as full as the model allows"


def test_a_huge_unbroken_string_is_read_once_into_full_passages(real_embedder) -> None:
    # base64 pasted into a note; the real tokenizer is the splitter's whole cost (0.6 s per MB of base64)
    blob = base64.b64encode(random.Random(5).randbytes(60_000)).decode()
    text = f"Notes before the attachment.\n\n{blob}\n\nWords after the attachment."
    measured = 0

    def counting(piece: str) -> int:
        nonlocal measured
        measured += len(piece)
        return real_embedder.count_tokens(piece)

    sizes = ChunkSizes.for_model(real_embedder.max_tokens)
    chunks = chunk_document(Document(text=text, kind="text", title=None), counting, sizes)
    # it was counted whole as a paragraph, as a sentence and as a word before it was cut: 4.6 times in all
    assert measured < 2 * len(text)
    assert all(real_embedder.count_tokens(c.text) <= sizes.limit for c in chunks)
    assert chunks[0].text.startswith("Notes before") and chunks[-1].text.endswith("Words after the attachment.")
    at = text.index(blob)
    inside = [c for c in chunks if at <= c.start and c.end <= at + len(blob)]
    assert "".join(c.text for c in inside) in blob and len(inside) > 200
    # each cut left a sliver of a few characters that became a passage of its own: a third more
    # passages to embed, and noise in the results
    assert all(real_embedder.count_tokens(c.text) > sizes.target * 3 // 4 for c in inside[:-1])
