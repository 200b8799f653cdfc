"""A scanned page as a picture, with the words OCR read on it boxed: the passage's words banded, the
words matching the search (or the sentence an answer cites) marked.

Why the picture: OCR text hides what a person needs to judge a hit on a scan (a misread word,
a stamp, a signature, which form it is). The picture and the word boxes come from the engine
(`KeptScan.words`, `FileReader.page_picture`): the page is drawn in the reader process and
the boxes were kept when the page was indexed, so nothing is read by OCR again.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QScrollArea, QWidget

from engine import PagePicture, WordBox
from desktop import theme


def _translucent(colour: QColor, alpha: int) -> QColor:
    copy = QColor(colour)
    copy.setAlpha(alpha)
    return copy


class _Canvas(QWidget):
    """The picture at the width of the view, the boxes over it."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.band: Sequence[WordBox] = ()
        self.marks: Sequence[WordBox] = ()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if self.image is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(self.rect()), self.image)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_translucent(theme.passage_background(), 110))
        for box in self.band:
            painter.drawRect(self._rect(box, 1))
        pen = QPen(theme.accent(), 2)
        painter.setPen(pen)
        painter.setBrush(_translucent(theme.match_background(), 120))
        for box in self.marks:
            painter.drawRect(self._rect(box, 3))
        painter.end()

    def _rect(self, box: WordBox, margin: float) -> QRectF:
        w, h = self.width(), self.height()
        return QRectF(box.left * w - margin, box.top * h - margin,
                      (box.right - box.left) * w + 2 * margin, (box.bottom - box.top) * h + 2 * margin)


class PageView(QScrollArea):
    """Scrolls a page picture fitted to its width; `marked` are the words boxed as matches."""

    def __init__(self) -> None:
        super().__init__()
        self.canvas = _Canvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setAccessibleName("Page picture")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Pre&view (Ctrl+P) focuses it; arrows and Page Down scroll

    @property
    def marked(self) -> Sequence[WordBox]:
        return self.canvas.marks

    @property
    def banded(self) -> Sequence[WordBox]:
        return self.canvas.band

    def show_page(self, picture: PagePicture, band: Sequence[WordBox], marks: Sequence[WordBox],
                  description: str) -> None:
        self.canvas.image = QImage(picture.rgb, picture.width, picture.height, picture.width * 3,
                                   QImage.Format.Format_RGB888).copy()  # a copy: the bytes are Python's
        self.canvas.band, self.canvas.marks = tuple(band), tuple(marks)
        self.setAccessibleDescription(description)
        self._fit()
        first = min(self.canvas.marks or self.canvas.band, key=lambda b: b.top, default=None)
        top = int(first.top * self.canvas.height() - self.viewport().height() / 4) if first else 0
        self.verticalScrollBar().setValue(max(0, top))

    def clear(self) -> None:
        self.canvas.image = None
        self.canvas.band = self.canvas.marks = ()
        self.canvas.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        image = self.canvas.image
        if image is None or image.width() == 0:
            return
        width = max(100, self.viewport().width())
        self.canvas.resize(width, round(width * image.height() / image.width()))
        self.canvas.update()
