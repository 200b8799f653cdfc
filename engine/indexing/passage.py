"""What the embedding model reads for one passage: the passage under a line naming its place.

One definition for the index pass and for a model switch (engine/indexing/reembed.py), so a
passage re-embedded by a new model reads exactly as it would if indexed by it."""

from __future__ import annotations

from engine.embed import Embedder


def embedding_text(embedder: Embedder, text: str, title: str | None, heading: str | None, *,
                   place: bool = True) -> str:
    """The passage under "Title › Heading" if the model can read both whole, else the passage alone."""
    where = _place(title, heading) if place else ""
    if where:
        placed = f"{where}\n\n{text}"
        if embedder.count_tokens(placed) <= embedder.max_tokens:
            return placed
    return text


def fitting(embedder: Embedder, text: str) -> str:
    """`text`, or its longest start the model reads whole: a passage chunked for another model's
    tokenizer can be longer than this model reads, and a model embeds nothing longer."""
    while (count := embedder.count_tokens(text)) > embedder.max_tokens and len(text) > 1:
        text = text[:max(1, int(len(text) * embedder.max_tokens / count * 0.95))]
    return text


def _place(title: str | None, heading: str | None) -> str:
    """"Title › Section › Subsection", without the title twice (a Markdown title is also its first heading)."""
    if not heading:
        return title or ""
    if not title or heading == title or heading.startswith(title + " › "):
        return heading
    return f"{title} › {heading}"
