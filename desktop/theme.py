"""Colours and the icon, derived from the system palette rather than fixed.

Why no stylesheet or hard-coded colours: Cairn should look like the person's other
programs, light or dark, and follow a switch between them while it runs. Every colour
Cairn adds (match highlights, the passage band in the preview, dim secondary text) is
computed from the current palette each time it is needed, so a palette change only
needs a repaint. Sizes elsewhere are in font units, never pixels, so 200% scaling and
large fonts stay readable.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap


def palette() -> QPalette:
    return QGuiApplication.palette()


def is_dark(pal: QPalette | None = None) -> bool:
    """Dark when the window background is darker than its text (works for every platform theme)."""
    pal = pal or palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < pal.color(QPalette.ColorRole.WindowText).lightness()


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`amount` of `b` over `a`, opaque: readable text colours need an opaque background."""
    return QColor(
        round(a.red() * (1 - amount) + b.red() * amount),
        round(a.green() * (1 - amount) + b.green() * amount),
        round(a.blue() * (1 - amount) + b.blue() * amount),
    )


def match_background(pal: QPalette | None = None) -> QColor:
    """Behind a matched word: a marker-pen yellow, muted on dark backgrounds."""
    pal = pal or palette()
    base = pal.color(QPalette.ColorRole.Base)
    return _mix(base, QColor(255, 214, 10), 0.35 if is_dark(pal) else 0.55)


def passage_background(pal: QPalette | None = None) -> QColor:
    """Behind the passage a result points at, in the preview: a band of the selection colour."""
    pal = pal or palette()
    return _mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Highlight), 0.18)


def dim_text(pal: QPalette | None = None) -> QColor:
    """Secondary text (folders, counts): between text and background, still above 4.5:1 contrast."""
    pal = pal or palette()
    return _mix(pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base), 0.35)


def track(pal: QPalette | None = None, *, on_selection: bool = False) -> QColor:
    """The empty part of a gauge (the relevance bar): a faint tint of the text over its background."""
    pal = pal or palette()
    if on_selection:
        return _mix(pal.color(QPalette.ColorRole.Highlight), pal.color(QPalette.ColorRole.HighlightedText), 0.3)
    return _mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text), 0.15)


def accent(pal: QPalette | None = None) -> QColor:
    pal = pal or palette()
    return pal.color(QPalette.ColorRole.Highlight)


def notice_background(kind: str, pal: QPalette | None = None) -> QColor:
    """Banner backgrounds: "warning" amber, "info" a tint of the selection colour."""
    pal = pal or palette()
    base = pal.color(QPalette.ColorRole.Window)
    tint = QColor(240, 160, 0) if kind == "warning" else pal.color(QPalette.ColorRole.Highlight)
    return _mix(base, tint, 0.28 if is_dark(pal) else 0.22)


def app_icon() -> QIcon:
    """A cairn of three stones, drawn rather than shipped, so it is sharp at every scale."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        icon.addPixmap(_cairn_pixmap(size))
    return icon


def _cairn_pixmap(size: int) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    stones = [  # centre x, centre y, half width, half height (fractions of the size)
        (0.50, 0.80, 0.42, 0.15),
        (0.50, 0.53, 0.31, 0.13),
        (0.50, 0.28, 0.19, 0.11),
    ]
    colours = [QColor(84, 110, 122), QColor(120, 144, 156), QColor(176, 190, 197)]
    for (cx, cy, rx, ry), colour in zip(stones, colours):
        p.setBrush(QBrush(colour))
        p.setPen(QPen(colour.darker(140), max(1.0, s / 40)))
        p.drawEllipse(QPointF(cx * s, cy * s), rx * s, ry * s)
    p.end()
    return pix


def rounded(rect: QRectF, painter: QPainter, colour: QColor, radius: float) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, radius, radius)
