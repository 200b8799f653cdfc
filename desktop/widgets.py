"""Small widgets the panels share: a label that shortens itself.

Why they exist: file names and folders in real archives are long and often have no
spaces ("Matter_0042_Northwind_Holdings_..."). A plain QLabel asks for its whole text as
its narrowest width, so one long name made the window wider than the screen with no way
to shrink it. This label asks for little and shows what fits: it elides (its tooltip and
its `text()` keep everything).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARS = 8  # an elided label never asks for less than this much room


class ElidedLabel(QLabel):
    """One line of plain text, shortened with "…" where it does not fit; the whole of it in the tooltip."""

    def __init__(self, mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleDescription(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(min(super().sizeHint().width(), self.fontMetrics().averageCharWidth() * MIN_CHARS),
                     super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What fits on screen now."""
        return self.fontMetrics().elidedText(self.text(), self.mode, self.contentsRect().width())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
