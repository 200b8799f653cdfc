"""Ask: answers stream in, citations open the cited passage, stop is immediate, a refusal is no error.

The first tests run the real engine (`Cairn.ask`) on a real index with the real models
(the bundled embedding model; the installed chat model for writing). The others are
about the panel's plumbing and drive it with a scripted asker that follows the same
contract (engine/answer/records.py: Source, AnswerSentence, AnswerToken, Answer).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl

from desktop.session import Session
from engine.answer.chat import bundled_chat_model_path
from engine.errors import Cancelled
from tests.corpus import DOCS
from tests.desktop.conftest import SLOW


def test_an_answer_streams_with_working_citations(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    ask, preview = app.window.ask, app.window.preview
    tokens: list[str] = []
    ask.tokenShown.connect(tokens.append)
    app.window.focus_ask()
    ask.question.setText("When must the annual income declaration be filed?")
    with qtbot.waitSignal(ask.answerFinished, timeout=SLOW) as finished:
        qtbot.keyClick(ask.question, Qt.Key.Key_Return)
    answer = finished.args[0]
    assert answer.kind != "refusal"
    assert tokens, "the answer was not streamed"
    assert any(Path(s.path).name == "tax-return.txt" for s in answer.sources)
    cited = next((n for s in answer.sentences for n in s.citations), answer.sources[0].n)
    assert f'href="cite:{cited}"' in ask.view.toHtml()
    source = next(s for s in answer.sources if s.n == cited)
    link = next(a for a in anchors(ask.view.toHtml()) if a.startswith(f"cite:{cited}?"))  # as a click sends it
    with qtbot.waitSignal(preview.passageShown, timeout=SLOW):
        ask.view.anchorClicked.emit(QUrl(link))
    assert preview.title.text().startswith(f"Source [{cited}]")
    shown = preview.text.toPlainText()
    assert source.text in shown
    sentence = next(s for s in answer.sentences if cited in s.citations)
    if sentence.spans:  # the supporting sentence, not just the question's words, is what gets marked
        located = preview.located
        assert located.focus is not None
        marked = shown[located.focus[0]:located.focus[1]]
        assert marked and marked in source.text
        assert marked.split()[0] in sentence.text or marked.split()[-1].strip(".") in sentence.text
    ask.disclosure.click()
    assert not ask.given.isHidden() and ask.given.toPlainText().strip()


def anchors(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html.replace("&amp;", "&"))


@pytest.mark.skipif(not bundled_chat_model_path().exists(), reason="no chat model installed (setup.sh installs it)")
def test_stop_cancels_the_chat_model_at_once(qtbot: Any, indexed: Path, launch: Any) -> None:
    app = launch()
    ask = app.window.ask
    ask.style_choice.setCurrentIndex(ask.style_choice.findData(True))  # written by the real chat model
    assert ask.style_choice.currentData() is True
    tokens: list[int] = []

    def first_token(count: int) -> None:
        tokens.append(count)
        if len(tokens) == 1:
            ask.stop()  # as a click on Stop the moment the model starts writing

    ask.progressShown.connect(first_token)
    ask.question.setText("When must the annual income declaration be filed?")
    ask.ask()
    qtbot.waitUntil(lambda: bool(tokens), timeout=SLOW)
    assert ask.state.text() == "Stopped." and not ask.stop_button.isEnabled()
    assert app.session.ask_lane.wait(10), "the chat model went on generating after Stop"
    qtbot.wait(100)
    assert tokens == tokens[:1] and ask.answer is None  # nothing reached the panel after Stop


# ---------------------------------------------------------------- plumbing, with a scripted asker

@dataclass(frozen=True)
class Source:
    n: int
    path: str
    page: int | None
    start: int
    end: int
    text: str
    chunk_id: int
    score: float = 0.0
    ocr_confidence: float | None = None  # set on a passage read from a scan
    location: str | None = None  # set on an attachment's or archive member's passage


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    supported: bool


@dataclass(frozen=True)
class AnswerToken:
    text: str
    kind: str = "generative"


@dataclass(frozen=True)
class Answer:
    question: str
    kind: str
    sentences: tuple[AnswerSentence, ...]
    sources: tuple[Source, ...]
    note: str | None
    prompt: str | None
    text: str


class ScriptedAsker:
    """Plays tokens with a pause between them, then returns `answer`; checks `cancel` like the engine."""

    def __init__(self, answer: Answer, tokens: list[str | AnswerToken], pause: float = 0.0,
                 forever: bool = False) -> None:
        self.answer, self.pause, self.forever = answer, pause, forever
        self.tokens = [t if isinstance(t, AnswerToken) else AnswerToken(t) for t in tokens]

    def ask(self, question: str, *, limit: int = 5, generative: bool | None = None,
            cancel: threading.Event | None = None) -> Generator[AnswerToken, None, Answer]:
        i = 0
        while i < len(self.tokens) or self.forever:
            if cancel is not None and cancel.is_set():
                raise Cancelled("stopped")
            time.sleep(self.pause)
            yield self.tokens[i % len(self.tokens)]
            i += 1
        return self.answer


def source_for(docs: Path, name: str, n: int) -> Source:
    text = DOCS[name]
    return Source(n, str(docs / name), None, 0, len(text), text, n)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(asker: ScriptedAsker) -> None:
        monkeypatch.setattr(Session, "has_ask", lambda self: True)
        monkeypatch.setattr(Session, "asker", lambda self: asker)
    return use


def test_citations_link_to_the_passage_and_the_prompt_is_disclosed(qtbot: Any, docs: Path, launch: Any,
                                                                   scripted: Any) -> None:
    sources = (source_for(docs, "tax-return.txt", 1), source_for(docs, "invoice-dispute.txt", 2))
    answer = Answer("q", "generative", (
        AnswerSentence("The declaration is due before the end of April [1].", (1,), True),
        AnswerSentence("Keep receipts for deductions.", (1,), True),
        AnswerSentence("Penalties are doubled for late filers.", (), False),
    ), sources, None, "SYSTEM: answer only from the passages\n[1] ...", "The declaration is due ...")
    tokens = ["The ", "declaration ", "is ", "due ", "before ", "April ", "[1]."]
    scripted(ScriptedAsker(answer, tokens, pause=0.03))
    app = launch()  # no folder in this home: the panel is driven directly
    ask, preview = app.window.ask, app.window.preview
    ask.question.setText("When is the tax declaration due?")
    qtbot.keyClick(ask.question, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "declaration" in ask.view.toPlainText() and ask.running, timeout=SLOW)  # live
    with qtbot.waitSignal(ask.answerFinished, timeout=SLOW):
        pass
    html = ask.view.toHtml()
    assert 'href="cite:1"' in html and "Penalties are doubled" not in ask.view.toPlainText()  # left out
    assert "Penalties are doubled" in ask.given_text(answer)  # shown where the model's output is disclosed
    assert "[2] invoice-dispute.txt" not in ask.view.toPlainText(), "listed as a source, though nothing cites it"
    assert "1 other passage was weighed and not cited" in ask.view.toPlainText()
    with qtbot.waitSignal(preview.passageShown, timeout=SLOW):
        ask.view.anchorClicked.emit(QUrl("cite:2"))
    assert preview.title.text() == "Source [2]: invoice-dispute.txt"
    assert DOCS["invoice-dispute.txt"] in preview.text.toPlainText()
    assert ask.given.isHidden()
    ask.disclosure.click()
    assert not ask.given.isHidden() and ask.given.toPlainText().startswith("SYSTEM:")


def test_stop_is_immediate(qtbot: Any, launch: Any, scripted: Any) -> None:
    answer = Answer("q", "generative", (), (), None, None, "")
    scripted(ScriptedAsker(answer, ["word "], pause=0.01, forever=True))
    app = launch()
    ask = app.window.ask
    tokens: list[str] = []
    ask.tokenShown.connect(tokens.append)
    ask.question.setText("Tell me everything")
    ask.ask()
    qtbot.waitUntil(lambda: len(tokens) >= 5, timeout=SLOW)
    qtbot.mouseClick(ask.stop_button, Qt.MouseButton.LeftButton)
    shown = len(tokens)
    assert ask.state.text() == "Stopped." and not ask.stop_button.isEnabled()
    qtbot.wait(150)
    assert len(tokens) == shown  # nothing arrives after Stop
    assert ask.answer is None


def test_a_refusal_is_shown_as_an_answer_not_an_error(qtbot: Any, docs: Path, launch: Any, scripted: Any) -> None:
    answer = Answer("q", "refusal", (), (source_for(docs, "volcano.txt", 1),),
                    "The closest passages do not answer this question.", None,
                    "I could not find this in your files.")
    scripted(ScriptedAsker(answer, []))
    app = launch()
    ask = app.window.ask
    failures: list[str] = []
    ask.askFailed.connect(failures.append)
    ask.question.setText("What is the airspeed of a swallow on Jupiter?")
    with qtbot.waitSignal(ask.answerFinished, timeout=SLOW):
        ask.ask()
    assert failures == []
    assert ask.state.text() == "Not found in your files." and ask.state.property("kind") == "notice"
    text = ask.view.toPlainText()
    assert "I could not find this in your files." in text and "Closest passages" in text
    assert "No chat model was used" in ask.given_text(answer)


def test_ask_is_disabled_with_a_reason_until_the_engine_has_it(qtbot: Any, launch: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Session, "has_ask", lambda self: False)
    app = launch()
    assert not app.window.ask.question.isEnabled()
    assert "not available" in app.window.ask.state.text()


def test_a_discarded_draft_is_replaced_not_extended(qtbot: Any, docs: Path, launch: Any, scripted: Any) -> None:
    """The engine drops a chat draft no source supports and quotes instead: the draft must vanish."""
    source = source_for(docs, "tax-return.txt", 1)
    quoted = "The annual income declaration must be filed with the revenue office before the end of April."
    answer = Answer("q", "extractive", (AnswerSentence(quoted, (1,), True),), (source,),
                    "The chat model's answer could not be matched to your files.", "SYSTEM: ...", quoted + " [1]")
    tokens = [AnswerToken("Taxes are due at Christmas ", "generative"), AnswerToken("in Narnia.", "generative"),
              AnswerToken(quoted + " [1]", "extractive")]
    scripted(ScriptedAsker(answer, tokens, pause=0.15))
    app = launch()
    ask = app.window.ask
    streamed: list[str] = []

    def drawn(text: str) -> None:
        ask._flush()  # what the next redraw puts on screen, taken as each token arrives
        streamed.append(ask.view.toPlainText())

    ask.tokenShown.connect(drawn)
    ask.question.setText("When are taxes due?")
    with qtbot.waitSignal(ask.answerFinished, timeout=SLOW):
        ask.ask()
    assert "Narnia" in streamed[1]  # the draft was shown while it was written
    assert "revenue office" in streamed[2] and "Narnia" not in streamed[2]
    assert "Narnia" not in ask.view.toPlainText() and "could not be matched" in ask.view.toPlainText()
