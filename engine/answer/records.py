"""What an answer is made of: the numbered sources, the checked sentences, the streamed tokens.

These records are the contract with every client (CLI, desktop app): frozen, plain data,
so an answer can be shown, serialised to JSON or kept without holding the engine open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """One numbered passage given to the answerer; [n] in an answer points here."""

    n: int  # 1-based number shown as [n]
    path: str
    page: int | None
    start: int  # character span of the passage in the file's extracted text
    end: int
    text: str  # the passage
    chunk_id: int
    score: float = 0.0  # cosine similarity of the passage to the question, 0..1
    ocr_confidence: float | None = None  # read from a scan by OCR, this sure (0-100); None: typed text
    location: str | None = None  # an attachment's or archive member's place in its container, in words


@dataclass(frozen=True)
class AnswerSentence:
    text: str  # without citation markers
    citations: tuple[int, ...]  # Source numbers supporting it
    supported: bool  # False: Cairn found no source that supports it (shown as unsupported)
    # Where the support is: for each citation, the character span of the supporting sentence
    # in that source's file (its extracted text), so a client can highlight exactly that.
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AnswerToken:
    """A piece of the answer while it is being written, in order.

    `kind` says which answer the piece belongs to: a generative answer can still end as
    an extractive one when none of its sentences survive the check. A generated sentence
    arrives only once checked and supported; while the model writes, "progress" tokens count."""

    text: str
    kind: str = "generative"  # "generative", "extractive", "refusal" or "progress"
    # kind "progress": the chat model is writing and has written this many tokens so far; its text is
    # empty, since nothing it writes is shown before it is checked (then come its checked sentences).
    tokens: int = 0


@dataclass(frozen=True)
class Answer:
    question: str
    kind: str  # "extractive", "generative", "refusal"
    sentences: tuple[AnswerSentence, ...]
    sources: tuple[Source, ...]
    note: str | None  # why the answer is not what was asked for (fallback, unavailable model)
    prompt: str | None  # exactly what the model was given (None if no model was called)
    text: str  # the answer as plain text with [n] markers
    raw: str | None = None  # the model's output as streamed (generative attempts only)
    model: str | None = None  # the chat model that wrote `raw`

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: what `cairn ask --json` prints."""
        return asdict(self)


def listed_sources(answer: Any) -> tuple[Source, ...]:
    """The sources a person sees under an answer: those its supported sentences cite.

    The others were weighed and not used; listed beside the answer ("[2] sourdough.txt" under
    a question about a boiler) they read as if the answer drew on them. A refusal lists its
    closest passages, which is all it has to show. The rest stay in `Answer.sources`
    (--json, --show-context, the desktop's "What the model was given")."""
    if answer.kind == "refusal":
        return tuple(answer.sources)
    cited = {n for sentence in answer.sentences if sentence.supported for n in sentence.citations}
    return tuple(source for source in answer.sources if source.n in cited) or tuple(answer.sources)


def not_cited_note(answer: Any, shown_by: str) -> str | None:
    """"2 other passages were weighed and not cited (`shown_by` shows them).", when some were."""
    others = len(answer.sources) - len(listed_sources(answer))
    if not others:
        return None
    many = others > 1
    return (f"{others} other passage{'s were' if many else ' was'} weighed and not cited "
            f"({shown_by} shows {'them' if many else 'it'}).")


def render_text(sentences: tuple[AnswerSentence, ...] | list[AnswerSentence]) -> str:
    """Sentences joined as plain text, each supported one followed by its [n] markers."""
    parts = []
    for sentence in sentences:
        marks = "".join(f"[{n}]" for n in sentence.citations)
        parts.append(f"{sentence.text} {marks}" if marks else sentence.text)
    return " ".join(parts)
