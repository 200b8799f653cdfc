"""Grounded answers from the user's own files: extractive by default, generative with a local chat model.

`answer()` is the pipeline behind `Cairn.ask`; the records are the contract with every client.
"""

from engine.answer.answerer import REFUSAL, answer
from engine.answer.chat import ChatModel, check_chat_model, load_chat_model, resolve_chat_model
from engine.answer.records import (Answer, AnswerSentence, AnswerToken, Source, listed_sources, not_cited_note,
                                   render_text)
from engine.config import ANSWER_MODES  # one list, where the settings are checked

__all__ = [
    "ANSWER_MODES", "REFUSAL", "Answer", "AnswerSentence", "AnswerToken", "ChatModel", "Source", "answer",
    "check_chat_model", "listed_sources", "load_chat_model", "not_cited_note", "render_text", "resolve_chat_model",
]
