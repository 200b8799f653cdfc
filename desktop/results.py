"""The results list: a model of `SearchResult`s and the delegate that draws each one.

Why a delegate rather than a widget per row: a list of widgets is slow to rebuild on
every keystroke and hard to move through with the keyboard. The model holds the
engine's frozen results unchanged; the delegate draws file name, page, folder, a
relevance bar and the snippet with its matches marked (`SearchResult.highlights` are
spans of `SearchResult.snippet`). Everything is measured in font units, so the rows
grow with the font and with display scaling. The display role carries the same
content as one sentence, for screen readers.

Weakly related results (`SearchResult.weak`: no word of the query, far in meaning) come
after the matches, behind one collapsed row "N weakly related files" that Enter or a click
expands. Why collapsed rather than dimmed rows after a separator: dimmed rows still make a
list of thirty "results" for a query nothing is about, the arrow keys walk into them and the
scroll bar promises matches; one row keeps the list as long as what matches and the rest
one key away, as mail and file search do with "N more".
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from engine import SearchResult, container_of, page_label, scan_label
from desktop import files, theme

RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
WEAK_ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # True on the row that shows or hides the weak results
WEAK_OPACITY = 0.6  # weak results, once shown, are drawn faded
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
    page = f", {page_label(result.path, result.page)}" if result.page else ""
    weak = ", weakly related" if result.weak else ""
    scan = scan_label(result.ocr_confidence)
    weak += f", {scan}" if scan else ""
    return (f"{path.name}{page}, in {place(result)}, relevance {round(result.score * 100)}%{weak}: "
            f"{result.snippet}")


def place(result: SearchResult) -> str:
    """Where a result is: its folder; for an attachment or archive member, the mail or archive it came in."""
    container = container_of(result.path)
    if container is None:
        return files.display(Path(result.path).parent)
    return (f"{result.location}, " if result.location else "") + f"in {files.display(Path(container))}"


def _files(n: int) -> str:
    return f"{n} weakly related file{'s' if n != 1 else ''}"


class ResultsModel(QAbstractListModel):
    """Rows: the matches, then (if any) the weak-results row, then the weak results while expanded."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[SearchResult] = []  # all of them, in the order listed: matches first
        self.strong: list[SearchResult] = []
        self.weak: list[SearchResult] = []
        self.expanded = False

    def set_results(self, results: list[SearchResult]) -> None:
        self.beginResetModel()
        self.strong = [r for r in results if not r.weak]
        self.weak = [r for r in results if r.weak]
        self.results = self.strong + self.weak
        self.expanded = False
        self.endResetModel()

    def set_expanded(self, expanded: bool) -> None:
        if expanded == self.expanded or not self.weak:
            return
        first, last = len(self.strong) + 1, len(self.strong) + len(self.weak)
        if expanded:
            self.beginInsertRows(QModelIndex(), first, last)
            self.expanded = True
            self.endInsertRows()
        else:
            self.beginRemoveRows(QModelIndex(), first, last)
            self.expanded = False
            self.endRemoveRows()
        toggle = self.index(len(self.strong))
        self.dataChanged.emit(toggle, toggle)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid():
            return 0
        return len(self.strong) + (1 + (len(self.weak) if self.expanded else 0) if self.weak else 0)

    def weak_label(self) -> str:
        return ("Hide " if self.expanded else "") + _files(len(self.weak))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < self.rowCount():
            return None
        if row == len(self.strong):  # the weak-results row
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return self.weak_label()
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Files with none of your words and far from them in meaning (Enter shows or hides them)"
            return True if role == WEAK_ROW_ROLE else None
        result = self.strong[row] if row < len(self.strong) else self.weak[row - len(self.strong) - 1]
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
        if index.data(WEAK_ROW_ROLE):
            return QSize(fm.averageCharWidth() * 40, int(fm.height() + pad * 3))
        height = fm.height() * (2 + SNIPPET_LINES) + pad * 3
        return QSize(fm.averageCharWidth() * 40, int(height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        result: SearchResult | None = index.data(RESULT_ROLE)
        if result is None and not index.data(WEAK_ROW_ROLE):
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if result is None:
            return self._paint_weak_row(painter, opt, index)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = text_colour if selected else theme.dim_text(pal)
        fm, pad = self._metrics(opt)
        rect = QRectF(opt.rect).adjusted(pad * 1.5, pad, -pad * 1.5, -pad)
        painter.save()
        painter.setClipRect(opt.rect)
        if result.weak and not selected:
            painter.setOpacity(WEAK_OPACITY)

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
        page = f"  ·  {page_label(result.path, result.page)}" if result.page else ""
        scan = scan_label(result.ocr_confidence)
        page += f"  ·  {scan}" if scan else ""
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
        folder = fm.elidedText(place(result), Qt.TextElideMode.ElideMiddle,
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

    def _paint_weak_row(self, painter: QPainter, opt: QStyleOptionViewItem, index: Index) -> None:
        """A disclosure arrow and "N weakly related files", dim: a way to more, not a result."""
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        colour = pal.color(QPalette.ColorRole.HighlightedText) if selected else theme.dim_text(pal)
        fm, pad = self._metrics(opt)
        model = index.model()
        expanded = isinstance(model, ResultsModel) and model.expanded
        rect = QRectF(opt.rect).adjusted(pad * 1.5, 0, -pad * 1.5, 0)
        painter.save()
        painter.setPen(colour)
        painter.setFont(opt.font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         ("▾  " if expanded else "▸  ") + str(index.data(Qt.ItemDataRole.DisplayRole)))
        painter.restore()
