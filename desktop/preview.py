"""The preview: a passage in the context of its file, the passage banded and the matches marked.

Why it reads the file again: the index stores passages, not whole files, and a person
judges a hit by what surrounds it. The passage itself (from the index) is shown at
once; the file is then extracted off the UI thread by the engine's own extractor, in
its limited reader process (`Session.extract`: a hostile file cannot take the window
down), so the character span `start:end` of a result points at the same text the
indexer saw. If the file changed since it was indexed, the passage is
looked up by its text; if it is gone, the stored passage is shown with a note saying so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget

from engine import (Document, KeptScan, PagePicture, Query, SearchResult, Source, WordBox, container_of,
                    extensions_by_kind, match_spans, page_label, scan_label)
from desktop import files, theme
from desktop.operation import Operation, describe
from desktop.page_view import PageView
from desktop.session import Session
from desktop.widgets import ElidedLabel

CONTEXT_CHARS = 6000  # shown before and after the passage; whole files when smaller
CACHE_FILES = 6


@dataclass(frozen=True)
class Passage:
    """What the preview shows: a span of a file's extracted text, and the words to mark in it."""

    path: str
    start: int
    end: int
    text: str
    page: int | None = None
    terms: str = ""  # the query or question whose words are marked
    label: str | None = None  # e.g. "Source [2]"
    focus: tuple[int, int] | None = None  # a span of the file's text to mark instead of the words
    ocr_confidence: float | None = None  # read from a scan by OCR: the preview says so
    location: str | None = None  # in an attachment or archive member: where in its container, in words

    @classmethod
    def from_result(cls, result: SearchResult, query: str) -> "Passage":
        return cls(result.path, result.start, result.end, result.text, result.page, query,
                   ocr_confidence=result.ocr_confidence, location=result.location)

    @classmethod
    def from_source(cls, source: Source, question: str, focus: tuple[int, int] | None = None) -> "Passage":
        """An answer's source; `focus` is the sentence in it that supports the cited claim."""
        return cls(source.path, source.start, source.end, source.text, source.page, question,
                   f"Source [{source.n}]", focus, source.ocr_confidence, source.location)


@dataclass(frozen=True)
class Located:
    text: str  # the text shown
    start: int  # passage span within `text`
    end: int
    page: int | None
    note: str
    focus: tuple[int, int] | None = None  # the passage's focus span within `text`
    in_file: tuple[int, int] | None = None  # the passage's span in the file's text (None: not found there)
    focus_in_file: tuple[int, int] | None = None


def locate(doc: Document | None, passage: Passage, reason: str = "") -> Located:
    """Where the passage sits in the file now, with up to CONTEXT_CHARS around it."""
    if doc is None:
        note = f"Showing the indexed passage only: the file cannot be read now ({reason})." if reason else ""
        return Located(passage.text, 0, len(passage.text), passage.page, note)
    text, start, end, note = doc.text, passage.start, passage.end, ""
    if text[start:end] != passage.text:
        found = text.find(passage.text)
        if found < 0:
            return Located(passage.text, 0, len(passage.text), passage.page,
                           "This file changed since it was indexed; showing the indexed passage.")
        start, end = found, found + len(passage.text)
        note = "This file changed since it was indexed."
    page = next((p.number for p in doc.pages if p.start <= start < p.end), passage.page)
    moved = start - passage.start  # the passage's offset since indexing, if the file changed
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    if lo > 0:
        lo = _paragraph_start(text, lo)
    head = "…\n" if lo > 0 else ""
    tail = "\n…" if hi < len(text) else ""
    shown = head + text[lo:hi] + tail
    shift = len(head) - lo
    focus = focus_in_file = None
    if passage.focus is not None:
        focus_in_file = (passage.focus[0] + moved, passage.focus[1] + moved)
        focus = (focus_in_file[0] + shift, focus_in_file[1] + shift)
        if not (0 <= focus[0] < focus[1] <= len(shown)):
            focus = focus_in_file = None
    return Located(shown, start + shift, end + shift, page, note, focus, (start, end), focus_in_file)


def page_marks(doc: Document, located: Located, words: Sequence[WordBox],
               terms: str) -> tuple[list[WordBox], list[WordBox]]:
    """Of a scanned page's words (spans in `doc`): those of the passage, and those to mark (the cited
    sentence, else every word on the page matching the search)."""
    if not words or located.in_file is None:
        return [], []
    band = [w for w in words if w.start < located.in_file[1] and located.in_file[0] < w.end]
    if located.focus_in_file is not None:
        spans = [located.focus_in_file]
    else:
        first, last = min(w.start for w in words), max(w.end for w in words)
        spans = [(first + s, first + e) for s, e in match_spans(doc.text[first:last], Query.parse(terms))] if terms else []
    marks = [w for w in words if any(w.start < e and s < w.end for s, e in spans)]
    return band, marks


def _may_be_scan(path: str) -> bool:
    """A file OCR may have read pages of: a PDF or a picture (kinds as the engine names them)."""
    kinds = extensions_by_kind()
    return Path(path).suffix.lower() in (*kinds.get("pdf", ()), *kinds.get("image", ()))


def _paragraph_start(text: str, pos: int) -> int:
    found = text.find("\n\n", pos)
    return found + 2 if 0 <= found < pos + 400 else pos


class PreviewPanel(QWidget):
    passageShown = Signal(object)  # Passage, once its context is displayed (or known unavailable)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.passage: Passage | None = None
        self.located: Located | None = None
        self._loading: Operation | None = None
        self._cache: OrderedDict[str, tuple[int, Document]] = OrderedDict()

        # Long names and folders are shortened on screen (whole in the tooltip; Copy path copies
        # them): shown whole, one long name set the window's narrowest width wider than the screen.
        self.title = ElidedLabel(Qt.TextElideMode.ElideMiddle)
        bold = QFont(self.title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.title.setFont(bold)
        self.title.setAccessibleName("Previewed file")
        self.where = ElidedLabel(Qt.TextElideMode.ElideMiddle)  # the folder's end is the telling part
        self.where.setAccessibleName("Page and folder")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Preview note")
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setAccessibleName("Passage in context")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.page = PageView()  # a scan's page picture, its words boxed (instead of the text, until toggled)
        self.body = QStackedWidget()
        self.body.addWidget(self.text)
        self.body.addWidget(self.page)
        self.view_button = QPushButton()
        self.view_button.setToolTip("Switch between the page as scanned and the text read from it")
        self.view_button.clicked.connect(lambda: self._show_picture(self.body.currentWidget() is self.text))
        self.view_button.setVisible(False)
        self.open_button = QPushButton("O&pen")
        self.reveal_button = QPushButton("Show in fo&lder")
        self.copy_button = QPushButton("Cop&y path")
        for button, tip in ((self.open_button, "Open the file with its usual application"),
                            (self.reveal_button, "Show the file in your file manager"),
                            (self.copy_button, "Copy the file's full path")):
            button.setToolTip(tip)
            button.setEnabled(False)
        self.open_button.clicked.connect(lambda: self.passage and self._open(self.passage.path))
        self.reveal_button.clicked.connect(
            lambda: self.passage and files.show_in_folder(container_of(self.passage.path) or self.passage.path))
        self.copy_button.clicked.connect(lambda: self.passage and files.copy_path(self.passage.path))

        self.placeholder = QLabel("Select a result to see it in its file.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.open_button, self.reveal_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.view_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.placeholder, 1)
        self._show_placeholder(True)

    def _show_placeholder(self, empty: bool) -> None:
        self.placeholder.setVisible(empty)
        for widget in (self.title, self.where, self.body, self.note):
            widget.setVisible(not empty)

    # ------------------------------------------------------------ showing

    def show_result(self, result: SearchResult, query: str) -> None:
        self.show_passage(Passage.from_result(result, query))

    def show_passage(self, passage: Passage) -> None:
        """Show the indexed passage now, then its surroundings once the file is read."""
        self.passage = passage
        self._show_placeholder(False)
        path = Path(passage.path)
        self.title.setText(path.name if not passage.label else f"{passage.label}: {path.name}")
        for button in (self.open_button, self.reveal_button, self.copy_button):
            button.setEnabled(True)
        self._show_picture(False)
        self.view_button.setVisible(False)
        self.page.clear()
        self._render(Located(passage.text, 0, len(passage.text), passage.page, "Reading the file…"))
        if self._loading:
            self._loading.cancel()
        cached = self._cache.get(passage.path)
        if cached is not None:
            self._cache.move_to_end(passage.path)
            self._context_ready(passage, cached[1])  # at once; the lane checks below that it is still current
        if _may_be_scan(passage.path):  # first the pages OCR kept (read lane), so the file is read without OCR
            self._loading = self.session.run_read(lambda cairn, _: cairn.kept_scan(passage.path), name="kept-scan")
            self._loading.on_success(lambda kept: self._read_current(passage, cached, kept))
            self._loading.on_failure(lambda _: self._read_current(passage, cached, None))
        else:
            self._loading = self._read(passage, cached, None)

    def _read_current(self, passage: Passage, cached: tuple[int, Document] | None, kept: KeptScan | None) -> None:
        if passage is self.passage:
            self._loading = self._read(passage, cached, kept)

    def _read(self, passage: Passage, cached: tuple[int, Document] | None, kept: KeptScan | None) -> Operation:
        """Extract the file on the preview lane, unless the copy already shown is still current, and draw
        the passage's page when OCR read it (with `kept`, the pages OCR read when the file was indexed).

        Even the freshness check (a stat) runs there, never on the UI thread: on a stalled
        network mount a stat can hang for minutes, and the window with it."""
        # an attachment's path ("<container>//<inside>") is read from its container, whose time tells its age
        on_disk, max_bytes = Path(container_of(passage.path) or passage.path), self.session.settings.max_file_bytes
        number = passage.page or 1
        scanned = kept is not None and number in kept.pages and bool(kept.pages[number].boxes)

        def work(cancel: threading.Event) -> tuple[tuple[int, Document], PagePicture | None]:
            mtime = on_disk.stat().st_mtime_ns
            got = (cached if cached is not None and cached[0] == mtime
                   else (mtime, self.session.extract(passage.path, max_bytes, kept)))
            picture = (self.session.page_picture(on_disk, number, max_bytes)
                       if scanned and container_of(passage.path) is None and not cancel.is_set() else None)
            return got, picture

        op = Operation(work, name="preview")
        op.on_success(lambda got: self._loaded(passage, got[0], cached, kept, got[1]))
        op.on_failure(lambda exc: self._unavailable(passage, exc))
        return op.start(self.session.preview_lane)

    def _loaded(self, passage: Passage, got: tuple[int, Document], shown: tuple[int, Document] | None,
                kept: KeptScan | None = None, picture: PagePicture | None = None) -> None:
        self._cache[passage.path] = got
        while len(self._cache) > CACHE_FILES:
            self._cache.popitem(last=False)
        if got is not shown:  # read for the first time, or changed since the cached copy was shown
            self._context_ready(passage, got[1])
        if passage is self.passage and kept is not None and picture is not None and self.located is not None:
            self._picture_ready(got[1], kept, picture)

    def _picture_ready(self, doc: Document, kept: KeptScan, picture: PagePicture) -> None:
        """The page as scanned, the passage's words banded and the matching ones boxed; the text a click away."""
        assert self.passage is not None and self.located is not None
        number = self.passage.page or 1
        band, marks = page_marks(doc, self.located, kept.words(doc, number), self.passage.terms)
        if not band:  # the passage is not on this page's words (the file changed): the text says more
            return
        said = f"{len(marks)} matching word{'s' if len(marks) != 1 else ''} boxed" if marks else "passage shaded"
        self.page.show_page(picture, band, marks, f"{page_label(Path(self.passage.path), number).capitalize()} as "
                                                  f"scanned; {said}")
        self.view_button.setVisible(True)
        self._show_picture(True)

    def focus_body(self) -> None:
        """Keyboard focus to what the preview shows: the text, or the page as scanned."""
        (self.page if self.body.currentWidget() is self.page else self.text).setFocus()

    def _show_picture(self, picture: bool) -> None:
        self.body.setCurrentWidget(self.page if picture else self.text)
        self.view_button.setText("Show te&xt" if picture else "Show the page &image")

    def _context_ready(self, passage: Passage, doc: Document) -> None:
        if passage is self.passage:
            self._render(locate(doc, passage))
            self.passageShown.emit(passage)

    def _open(self, path: str) -> None:
        """A file opens in its application; an attachment through a private copy (Session.open_member)."""
        if container_of(path) is None:
            files.open_file(path)
            return
        def opened(copy: Path) -> None:
            files.open_file(str(copy))

        op = Operation(lambda cancel: self.session.open_member(path), name="open attachment")
        op.on_success(opened)
        op.start(self.session.preview_lane)

    def _unavailable(self, passage: Passage, exc: BaseException) -> None:
        self._cache.pop(passage.path, None)
        if passage is self.passage:
            self._render(locate(None, passage, describe(exc)))
            self.passageShown.emit(passage)

    def _render(self, located: Located) -> None:
        assert self.passage is not None
        self.located = located
        path = Path(self.passage.path)
        page = f"{page_label(path, located.page).capitalize()} · " if located.page else ""
        scan = scan_label(self.passage.ocr_confidence)
        scan = f"{scan[0].upper()}{scan[1:]} · " if scan else ""
        container = container_of(self.passage.path)
        place = files.display(path.parent) if container is None else files.display(Path(container)) + (
            f" · {self.passage.location}" if self.passage.location else "")
        self.where.setText(f"{page}{scan}{place}")
        self.note.setText(located.note)
        self.note.setVisible(bool(located.note))
        code = path.suffix.lower() in {".py", ".js", ".ts", ".c", ".h", ".cpp", ".java", ".go", ".rs", ".sh"}
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if code else QFont())
        self.text.setPlainText(located.text)
        doc = self.text.document()
        band = QTextCharFormat()
        band.setBackground(theme.passage_background())
        cursor = QTextCursor(doc)
        cursor.setPosition(located.start)
        cursor.setPosition(located.end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(band)
        mark = QTextCharFormat()
        mark.setBackground(theme.match_background())
        mark.setFontWeight(QFont.Weight.DemiBold)
        if located.focus is not None:  # the supporting sentence of a citation says more than the words
            marks = [located.focus]
        else:
            passage_text = located.text[located.start:located.end]
            terms = self.passage.terms
            spans = match_spans(passage_text, Query.parse(terms)) if terms else []
            marks = [(located.start + s, located.start + e) for s, e in spans]
        for s, e in marks:
            cursor.setPosition(s)
            cursor.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(mark)
        QTimer.singleShot(0, lambda: self._scroll_to(located.focus[0] if located.focus else located.start))

    def _scroll_to(self, position: int) -> None:
        """Put the passage a quarter of the way down, so the lines before it are in view too."""
        block = self.text.document().findBlock(position)
        if not block.isValid():
            return
        top = self.text.document().documentLayout().blockBoundingRect(block).top()
        bar = self.text.verticalScrollBar()
        bar.setValue(int(max(0.0, top - self.text.viewport().height() / 4)))

    def refresh_colours(self) -> None:
        """After a palette change (light/dark switch): draw the bands in the new colours."""
        if self.passage is not None and self.located is not None:
            self._render(self.located)
            self.page.canvas.update()

    def clear(self) -> None:
        self.passage = None
        self.located = None
        self._show_placeholder(True)
        for button in (self.open_button, self.reveal_button, self.copy_button):
            button.setEnabled(False)
