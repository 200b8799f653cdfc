"""One question in, one checked answer out: retrieval, refusal, extractive or generative, the check.

The steps, and why in this order:
1. retrieve passages and score their sentences (cheap, no chat model);
2. refuse when nothing is about the question: the answer is "I can't find this in your
   files" and no chat model is loaded or called;
3. extractive: quote the best sentences; or generative: prompt the chat model with
   excerpts, count its tokens as it writes (progress only: nothing unchecked is shown), then
   check every claim of every sentence against the sources (engine.answer.check);
4. only supported sentences are given out (as tokens, once checked); a generative answer
   with no supported sentence is replaced by the extractive one, with a note saying so.
The generator yields `AnswerToken`s and returns the `Answer`; `cancel` is checked between
steps and between generated tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace

from engine.answer.chat import ChatModel
from engine.answer.check import check, finished_part
from engine.answer.extractive import as_sentences, select
from engine.answer.prompt import ANSWER_TOKENS, build_prompt
from engine.answer.records import Answer, AnswerSentence, AnswerToken, Source, render_text
from engine.answer.retrieve import is_answerable, retrieve, thresholds_for
from engine.answer.sentences import Scored, score_sentences
from engine.embed import Embedder
from engine.errors import Cancelled, QuestionError
from engine.progress import relay
from engine.store import Store

REFUSAL = "I can't find this in your files."
REFUSAL_SOURCES = 3  # closest passages shown with a refusal, so the person can see what was weighed
MAX_QUESTION_CHARS = 1000
TOO_SMALL_NOTE = "The chat model's context window cannot hold a single passage, so Cairn quotes the passages instead."
CUT_NOTE = "The answer reached its length limit; its unfinished last sentence is left out."
FALLBACK_NOTE = ("The chat model's answer could not be matched to your files, so Cairn quotes the passages "
                 "that answer the question instead.")


def answer(store: Store, embedder: Embedder, question: str, *, limit: int = 5,
           chat: Callable[[], ChatModel] | None = None, cancel: threading.Event | None = None
           ) -> Generator[AnswerToken, None, Answer]:
    """Answer `question` from the indexed files; `chat` loads the chat model (None: extractive)."""
    question = validate(question, embedder, limit)
    retrieved = retrieve(store, embedder, question, limit)
    _stop_if(cancel)
    scored = score_sentences(retrieved.sources, question, retrieved.question_vector, embedder)
    _stop_if(cancel)
    sources = retrieved.sources
    if not is_answerable(question, sources, scored, embedder) or not any(s.usable for s in scored):
        result = yield from refuse(question, sources)
    elif chat is None:
        result = yield from extractive(question, sources, scored, unrelated=thresholds_for(embedder).unrelated)
    else:
        result = yield from generative(question, sources, scored, chat(), embedder, cancel)
    return _with_withheld(result, retrieved.withheld)


def validate(question: str, embedder: Embedder, limit: int) -> str:
    question = " ".join(question.split())
    if not question:
        raise QuestionError("Ask a question: the text is empty.")
    if len(question) > MAX_QUESTION_CHARS or embedder.count_tokens(question, "query") > embedder.max_tokens:
        raise QuestionError("The question is too long: ask it in a sentence or two.")
    if not 1 <= limit <= 20:
        raise QuestionError(f"Use between 1 and 20 sources for an answer (got {limit}).")
    return question


def refuse(question: str, sources: Sequence[Source]) -> Generator[AnswerToken, None, Answer]:
    closest = tuple(sources[:REFUSAL_SOURCES])
    note = ("The closest passages in your files do not answer this question." if closest
            else "No passage in your indexed files is close to this question.")
    yield AnswerToken(REFUSAL, "refusal")
    return Answer(question, "refusal", (), closest, note, None, REFUSAL)


def extractive(question: str, sources: Sequence[Source], scored: Sequence[Scored], note: str | None = None,
               unrelated: float = 0.0) -> Generator[AnswerToken, None, Answer]:
    sentences = as_sentences(select(scored, unrelated=unrelated))
    for i, sentence in enumerate(sentences):
        yield AnswerToken(("" if i == 0 else " ") + render_text([sentence]), "extractive")
    return Answer(question, "extractive", sentences, tuple(sources), note, None, render_text(sentences))


def generative(question: str, sources: Sequence[Source], scored: Sequence[Scored], model: ChatModel,
               embedder: Embedder, cancel: threading.Event | None) -> Generator[AnswerToken, None, Answer]:
    prompt = build_prompt(model, question, scored)
    if not prompt.excerpts:
        quoted = yield from extractive(question, sources, scored, TOO_SMALL_NOTE, thresholds_for(embedder).unrelated)
        return replace(quoted, model=model.name)
    raw, cut_short = yield from _relayed(model.stream(prompt.text, max_tokens=ANSWER_TOKENS, cancel=cancel))
    _stop_if(cancel)
    sentences = check(finished_part(raw) if cut_short else raw, sources, scored, embedder, question)
    if not any(s.supported for s in sentences):
        quoted = yield from extractive(question, sources, scored, FALLBACK_NOTE, thresholds_for(embedder).unrelated)
        return Answer(question, "extractive", quoted.sentences, quoted.sources, FALLBACK_NOTE, prompt.text,
                      quoted.text, raw, model.name)
    note = " ".join(filter(None, [_unsupported_note(sentences), CUT_NOTE if cut_short else None])) or None
    shown = [s for s in sentences if s.supported]
    for i, sentence in enumerate(shown):
        yield AnswerToken(("" if i == 0 else " ") + render_text([sentence]), "generative")
    return Answer(question, "generative", sentences, tuple(sources), note, prompt.text,
                  render_text(shown), raw, model.name)


def _relayed(stream: Generator[str, None, bool]) -> Generator[AnswerToken, None, tuple[str, bool]]:
    """Count the model's pieces as they come (progress, no text); the whole text, and whether the
    length limit cut it."""
    pieces: list[str] = []

    def token(piece: str) -> AnswerToken:
        pieces.append(piece)
        return AnswerToken("", "progress", len(pieces))

    cut_short = yield from relay(stream, token)
    return "".join(pieces), bool(cut_short)


def _with_withheld(result: Answer, withheld: int) -> Answer:
    if not withheld:
        return result
    which = "passages were" if withheld > 1 else "passage was"
    said = (f"{withheld} matching {which} left out for addressing AI assistants (\"ignore previous instructions "
            "...\"): your files are data to Cairn, never instructions.")
    return replace(result, note=f"{result.note} {said}" if result.note else said)


def _unsupported_note(sentences: Sequence[AnswerSentence]) -> str | None:
    missing = sum(1 for s in sentences if not s.supported)
    if not missing:
        return None
    return (f"{missing} of {len(sentences)} sentences the chat model wrote could not be found in the sources and "
            "are left out (--json or the app's \"What the model was given\" shows them).")


def _stop_if(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("The answer was stopped.")
