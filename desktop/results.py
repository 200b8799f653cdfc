"""The results list: a model of `SearchResult`s and the delegate that draws each one.

Why a delegate rather than a widget per row: a list of widgets is slow to rebuild on
every keystroke and hard to move through with the keyboard. The model holds the
engine's frozen results unchanged; the delegate draws file name, page, folder, a
relevance bar and the snippet with its matches marked (`SearchResult.highlights` are
spans of `SearchResult.snippet`). Everything is measured in font units, so the rows
grow with the font and with display scaling. The display role carries the same
content as one sentence, for screen readers.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from engine.search import SearchResult
from desktop import files, theme

RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
SNIPPET_LINES = 3

Index = QModelIndex | QPersistentModelIndex


def snippet_html(snippet: str, highlights: tuple[tuple[int, int], ...], colour: str, text: str) -> str:
    """The snippet as HTML with each highlighted span marked (`colour` behind `text`); the rest escaped."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(highlights):
        if start < pos or end > len(snippet):
            continue
        out.append(html.escape(snippet[pos:start]))
        out.append(f'<span style="background-color:{colour}; color:{text}; font-weight:600">{html.escape(snippet[start:end])}</span>')
        pos = end
    out.append(html.escape(snippet[pos:]))
    return "".join(out)


def describe(result: SearchResult) -> str:
    """One sentence per result for assistive technology and tooltips."""
    path = Path(result.path)
    page = f", page {result.page}" if result.page else ""
    return (f"{path.name}{page}, in {files.display(path.parent)}, relevance {round(result.score * 100)}%: "
            f"{result.snippet}")


class ResultsModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[SearchResult] = []

    def set_results(self, results: list[SearchResult]) -> None:
        self.beginResetModel()
        self.results = list(results)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.results)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result = self.results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return describe(result)
        if role == Qt.ItemDataRole.ToolTipRole:
            return result.path
        if role == RESULT_ROLE:
            return result
        return None


class ResultDelegate(QStyledItemDelegate):
    """Draws one result in four short lines; sizes follow the view's font."""

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[QFontMetrics, float]:
        fm = QFontMetrics(option.font)
        return fm, fm.height() * 0.45

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fm, pad = self._metrics(option)
        height = fm.height() * (2 + SNIPPET_LINES) + pad * 3
        return QSize(fm.averageCharWidth() * 40, int(height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        result: SearchResult | None = index.data(RESULT_ROLE)
        if result is None:
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = text_colour if selected else theme.dim_text(pal)
        fm, pad = self._metrics(opt)
        rect = QRectF(opt.rect).adjusted(pad * 1.5, pad, -pad * 1.5, -pad)
        painter.save()
        painter.setClipRect(opt.rect)

        # line 1: name and page on the left, relevance bar on the right
        bar_w, bar_h = fm.averageCharWidth() * 8, fm.height() * 0.5
        bar = QRectF(rect.right() - bar_w, rect.top() + (fm.height() - bar_h) / 2, bar_w, bar_h)
        track = theme.track(pal) if not selected else theme.track(pal, on_selection=True)
        theme.rounded(bar, painter, track, bar_h / 2)
        filled = max(bar_h, bar_w * min(1.0, max(0.0, result.score)))  # a sliver stays visible at 0
        theme.rounded(QRectF(bar.left(), bar.top(), filled, bar_h), painter,
                      theme.accent(pal) if not selected else text_colour, bar_h / 2)

        bold = QFont(opt.font)
        bold.setBold(True)
        name = Path(result.path).name
        page = f"  ·  page {result.page}" if result.page else ""
        title_w = rect.width() - bar_w - fm.averageCharWidth() * 2
        painter.setFont(bold)
        painter.setPen(text_colour)
        name_text = QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideMiddle, int(title_w - fm.horizontalAdvance(page)))
        painter.drawText(QRectF(rect.left(), rect.top(), title_w, fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name_text)
        if page:
            painter.setFont(opt.font)
            painter.setPen(dim)
            painter.drawText(QRectF(rect.left() + QFontMetrics(bold).horizontalAdvance(name_text), rect.top(),
                                    title_w, fm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             page)

        # line 2: the folder, elided in the middle (its end is the telling part)
        painter.setFont(opt.font)
        painter.setPen(dim)
        folder = fm.elidedText(files.display(Path(result.path).parent), Qt.TextElideMode.ElideMiddle,
                               int(rect.width()))
        painter.drawText(QRectF(rect.left(), rect.top() + fm.height(), rect.width(), fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, folder)

        # lines 3-5: the snippet, matches marked
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(0)
        doc.setTextWidth(rect.width())
        doc.setHtml(snippet_html(result.snippet, result.highlights, theme.match_background(pal).name(),
                                 pal.color(QPalette.ColorRole.Text).name()))
        top = rect.top() + fm.height() * 2 + pad * 0.5
        painter.translate(rect.left(), top)
        clip = QRectF(0, 0, rect.width(), fm.height() * SNIPPET_LINES)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        ctx.palette.setColor(QPalette.ColorRole.Text, text_colour)
        painter.setClipRect(clip)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
