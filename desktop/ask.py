"""The Ask panel: a question in, an answer streamed out, every claim linked to its passage.

Why it is built this way: an answer is only worth reading if it can be checked, so each
citation [n] is a link that puts the cited passage in the preview, a generated sentence
appears only once the engine has checked it against the passages (while the model writes,
a token count shows it is working), sentences it could not tie to a passage are left out
(counted in the note), and a disclosure shows exactly what the model was given and wrote. "I could not find this in your files" is a normal outcome of a
question, not a failure, so a refusal is shown as an answer, never in error colours.

Tokens arrive on the ask lane's thread through the operation's signals; they are kept
as they come and the text is redrawn at most every `REDRAW_MS`, so a fast model cannot
make the window stutter. Stop cancels the operation: nothing from it reaches the panel
after that moment, whatever the model is still doing.

The panel speaks `Cairn.ask`'s contract (engine/answer/records.py): `AnswerToken`s while
the answer is written, then the checked `Answer`. A token of another `kind` than the ones
before it means the engine threw the draft away (a generative answer that no source
supports becomes a quoted one), so the draft on screen is replaced, never extended.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, QUrlQuery, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from engine import Settings, listed_sources, not_cited_note, page_label, resolve_chat_model
from desktop import files, theme
from desktop.operation import Operation, describe
from desktop.preview import Passage
from desktop.session import Session

REDRAW_MS = 40
_CITATION = re.compile(r"\[(\d+)\]")
_TRAILING_CITATIONS = re.compile(r"(\s*\[\d+\])+\s*$")

STYLES: tuple[tuple[str, bool], ...] = (
    ("Quote my files", False),
    ("Write with the chat model", True),
)


def cite_url(n: int, sentence: int | None = None) -> str:
    """`cite:n`, or `cite:n?s=i` when the link belongs to sentence i (its supporting span is then known)."""
    return f"cite:{n}" if sentence is None else f"cite:{n}?s={sentence}"


def linked(text: str) -> str:
    """Escape `text` and turn every [n] into a link to source n."""
    return _CITATION.sub(lambda m: f'<a href="cite:{m.group(1)}">[{m.group(1)}]</a>', html.escape(text)
                         ).replace("\n", "<br>")


class AskPanel(QWidget):
    sourceActivated = Signal(object)  # desktop.preview.Passage
    answerFinished = Signal(object)  # engine.answer.Answer
    tokenShown = Signal(str)  # a streamed token, once it is on screen
    progressShown = Signal(int)  # the chat model's token count while it writes (nothing of it is shown)
    askFailed = Signal(str)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._op: Operation | None = None
        self._streamed: list[str] = []
        self._stream_kind = ""
        self._dirty = False
        self.answer: Any = None
        self.question_text = ""

        self.question = QLineEdit()
        self.question.setPlaceholderText("Ask a question about your files  (Ctrl+J)")
        self.question.setClearButtonEnabled(True)
        self.question.setAccessibleName("Question")
        self.style_choice = QComboBox()
        for label, value in STYLES:
            self.style_choice.addItem(label, value)
        self.style_choice.setAccessibleName("Answer style")
        # In a small window the question needs the room more than the style's label does:
        # the list shortens its label (whole when opened) and the question keeps 30 characters.
        chars = self.question.fontMetrics().averageCharWidth()
        self.style_choice.setMinimumWidth(chars * 14)
        self.question.setMinimumWidth(chars * 30)
        self.style_choice.setToolTip("Quoting never invents anything; the chat model writes an answer from the "
                                     "passages, and every sentence is checked against them.")
        self.ask_button = QPushButton("&Ask")
        self.ask_button.setDefault(True)
        self.stop_button = QPushButton("&Stop")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.stop_button.setEnabled(False)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Answer status")
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setAccessibleName("Answer")
        self.view.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.disclosure = QToolButton()
        self.disclosure.setText("What the model was given")
        self.disclosure.setCheckable(True)
        self.disclosure.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.disclosure.setArrowType(Qt.ArrowType.RightArrow)
        self.disclosure.setEnabled(False)
        self.given = QPlainTextEdit()
        self.given.setReadOnly(True)
        self.given.setAccessibleName("Prompt and passages given to the model")
        self.given.setVisible(False)

        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.style_choice)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.disclosure)
        layout.addWidget(self.given, 2)

        self._redraw = QTimer(self)
        self._redraw.setInterval(REDRAW_MS)
        self._redraw.timeout.connect(self._flush)
        self.question.returnPressed.connect(self.ask)
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        self.view.anchorClicked.connect(self._link)
        self.disclosure.toggled.connect(self._disclose)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        stop.activated.connect(self.stop)

        session.settingsChanged.connect(self._follow_settings)
        self._follow_settings(session.settings)
        self.available = session.has_ask()
        if not self.available:
            for widget in (self.question, self.style_choice, self.ask_button):
                widget.setEnabled(False)
            self._say("Answers are not available in this version of Cairn yet: search works as usual.")

    # ------------------------------------------------------------ asking

    @property
    def running(self) -> bool:
        return self._op is not None and not self._op.finished and not self._op.cancelled

    def ask(self) -> None:
        question = self.question.text().strip()
        if not question or not self.available:
            return
        if self._op:
            self._op.cancel()
        self.question_text = question
        self.answer = None
        self._streamed = []
        self._stream_kind = ""
        self.view.clear()
        self.given.clear()
        self.disclosure.setChecked(False)
        self.disclosure.setEnabled(False)
        self._say("Looking through your files…")
        generative = self.style_choice.currentData()
        op = self.session.ask_operation(
            lambda cairn, cancel: cairn.ask(question, generative=generative, cancel=cancel), name="ask")
        op.on_progress(self._token).on_success(self._finished).on_failure(self._failed)
        op.on_done(lambda: self._settle(op))
        self._op = op.start(self.session.ask_lane)
        self.stop_button.setEnabled(True)
        self._redraw.start()

    def stop(self) -> None:
        """Immediate: the screen keeps what was shown; nothing more arrives from this answer."""
        if not self.running or self._op is None:
            return
        self._op.cancel()
        self._flush()
        self._redraw.stop()
        self.stop_button.setEnabled(False)
        self._say("Stopped.")

    def _settle(self, op: Operation) -> None:
        if op is self._op:
            self._redraw.stop()
            self.stop_button.setEnabled(False)

    def _token(self, token: Any) -> None:
        text = getattr(token, "text", "")
        kind = getattr(token, "kind", "generative")
        if kind == "progress":  # the model is writing: counted, never shown before it is checked
            count = int(getattr(token, "tokens", 0))
            self._say(f"The chat model is writing… {count} tokens. "
                      "Each sentence is shown once it is checked against your files.")
            self.progressShown.emit(count)
            return
        if self._streamed and kind != self._stream_kind:
            self._streamed = []  # the draft was discarded: what follows replaces it
            self._say("The chat model's draft did not match your files; quoting them instead…")
        elif not self._streamed:
            self._say("Answering…")
        self._stream_kind = kind
        if text:
            self._streamed.append(text)
            self._dirty = True
            self.tokenShown.emit(text)

    def _flush(self) -> None:
        if self._dirty and self.answer is None:
            self._dirty = False
            self.view.setHtml(linked("".join(self._streamed)))
            self.view.moveCursor(self.view.textCursor().MoveOperation.End)

    def _failed(self, exc: BaseException) -> None:
        message = describe(exc)
        self._say(message, error=True)
        self.askFailed.emit(message)

    # ------------------------------------------------------------ the finished answer

    def _finished(self, answer: Any) -> None:
        self._redraw.stop()
        self.answer = answer
        kind = getattr(answer, "kind", "extractive")
        if kind == "refusal":
            self._say("Not found in your files.", notice=True)
        elif kind == "generative":
            self._say("Written by the local chat model from the passages below. Check the sources.")
        else:
            self._say("Quoted from your files.")
        self.view.setHtml(self.answer_html(answer))
        self.given.setPlainText(self.given_text(answer))
        self.disclosure.setEnabled(True)
        self.answerFinished.emit(answer)

    def answer_html(self, answer: Any) -> str:
        dim = theme.dim_text().name()
        parts: list[str] = []
        sentences = list(getattr(answer, "sentences", ()) or ())
        if answer.kind == "refusal":
            box = theme.notice_background("info").name()
            body = html.escape(answer.text or "Cairn found nothing in your files that answers this question.")
            parts.append(f'<table width="100%" cellpadding="8" style="background-color:{box}"><tr><td>'
                         f"{body}</td></tr></table>")
        elif sentences:
            paragraph: list[str] = []
            for i, sentence in enumerate(sentences):
                text = html.escape(_TRAILING_CITATIONS.sub("", sentence.text))
                cites = "".join(f'<a href="{cite_url(n, i)}">[{n}]</a>' for n in sentence.citations)
                if sentence.supported:  # the others are left out (the note counts them; "given" lists them)
                    paragraph.append(f"{text} {cites}".rstrip())
            parts.append("<p>" + " ".join(paragraph) + "</p>")
        else:
            parts.append(f"<p>{linked(answer.text)}</p>")
        if answer.note:
            parts.append(f'<p style="color:{dim}">{html.escape(answer.note)}</p>')
        if answer.sources:
            heading = "Closest passages" if answer.kind == "refusal" else "Sources"
            items = []
            for source in listed_sources(answer):
                page = f", {page_label(source.path, source.page)}" if source.page else ""
                items.append(f'<li><a href="cite:{source.n}">[{source.n}] {html.escape(Path(source.path).name)}</a>'
                             f'<span style="color:{dim}">{html.escape(page)} · '
                             f"{html.escape(files.display(Path(source.path).parent))}</span></li>")
            parts.append(f"<p><b>{heading}</b></p><ul>{''.join(items)}</ul>")
            others = not_cited_note(answer, "“What the model was given”")
            if others:
                parts.append(f'<p style="color:{dim}">{html.escape(others)}</p>')
        return "".join(parts)

    @staticmethod
    def given_text(answer: Any) -> str:
        """The prompt as sent to the model, or, for quoted answers, the passages that were weighed."""
        if getattr(answer, "prompt", None):
            left_out = [s.text for s in getattr(answer, "sentences", ()) if not s.supported]
            if getattr(answer, "kind", "") != "generative" and getattr(answer, "raw", None):
                left_out = [str(answer.raw)]
            if not left_out:
                return str(answer.prompt)
            return "\n".join([str(answer.prompt), "", "Written by the model and left out (not found in the sources):",
                              *left_out])
        lines = ["No chat model was used. These passages were considered:", ""]
        for source in answer.sources:
            page = f" ({page_label(source.path, source.page)})" if source.page else ""
            lines += [f"[{source.n}] {source.path}{page}", source.text, ""]
        return "\n".join(lines)

    def _disclose(self, shown: bool) -> None:
        self.given.setVisible(shown)
        self.disclosure.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # ------------------------------------------------------------ citations

    def _link(self, url: QUrl) -> None:
        if url.scheme() != "cite" or not url.path().isdigit():
            return
        sentence = QUrlQuery(url).queryItemValue("s")
        self.show_source(int(url.path()), int(sentence) if sentence.isdigit() else None)

    def show_source(self, n: int, sentence: int | None = None) -> bool:
        """Put source `n` in the preview, the sentence that supports answer sentence `sentence` marked.

        Before the answer is complete its sources are not known yet."""
        sources = getattr(self.answer, "sources", ()) if self.answer is not None else ()
        source = next((s for s in sources if s.n == n), None)
        if source is None:
            self._say(f"Source [{n}] is listed when the answer is complete.")
            return False
        self.sourceActivated.emit(Passage.from_source(source, self.question_text, self._support(n, sentence)))
        return True

    def _support(self, n: int, index: int | None) -> tuple[int, int] | None:
        """The file span of the sentence in source `n` that supports answer sentence `index`, when known."""
        sentences = tuple(getattr(self.answer, "sentences", ()) or ())
        if index is None or not 0 <= index < len(sentences):
            return None
        sentence = sentences[index]
        spans = tuple(getattr(sentence, "spans", ()) or ())
        for cited, span in zip(sentence.citations, spans):
            if cited == n:
                return (int(span[0]), int(span[1]))
        return None

    def _say(self, text: str, *, error: bool = False, notice: bool = False) -> None:
        self.state.setText(text)
        self.state.setProperty("kind", "error" if error else "notice" if notice else "")
        if error:
            self.state.setStyleSheet("color: palette(link-visited); font-weight: 600")
        elif notice:
            self.state.setStyleSheet("font-weight: 600")
        else:
            self.state.setStyleSheet("")

    def _follow_settings(self, settings: Settings) -> None:
        """The answer style starts as the settings say; writing needs a chat model to be installed."""
        has_chat = resolve_chat_model(settings, self.session.paths) is not None
        item = self.style_choice.model().item(1)  # type: ignore[attr-defined]
        item.setEnabled(has_chat)
        item.setToolTip("" if has_chat else "No chat model is installed: choose one in Settings.")
        generative = settings.answer_mode == "generative" and has_chat
        self.style_choice.setCurrentIndex(self.style_choice.findData(generative))

    def focus_question(self) -> None:
        self.question.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.question.selectAll()
