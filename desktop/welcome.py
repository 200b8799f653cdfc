"""First launch: what Cairn is, in two lines, and the one thing to do — add a folder.

Why a page of its own: an empty search box over an empty index teaches nothing, and
the first folder is the only step between installing Cairn and using it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop import theme


class WelcomePage(QWidget):
    addFolder = Signal()

    def __init__(self) -> None:
        super().__init__()
        icon = QLabel()
        size = self.fontMetrics().height() * 5
        icon.setPixmap(theme.app_icon().pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Welcome to Cairn")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lines = QLabel("Cairn finds things in your own files by what they mean, not only by the words in them.\n"
                       "Everything stays on this computer: nothing is uploaded, nothing needs the internet.")
        lines.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lines.setWordWrap(True)
        self.button = QPushButton("&Add a folder…")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        bigger = QFont(self.button.font())
        bigger.setPointSizeF(bigger.pointSizeF() * 1.2)
        self.button.setFont(bigger)
        self.button.setAccessibleDescription("Choose a folder of documents for Cairn to read")
        hint = QLabel("Notes, PDFs, Word and Excel files (old .doc and .xls ones too), LibreOffice and PowerPoint "
                      "files, e-books, e-mail (Outlook too) and code. You can add more folders later.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {theme.dim_text().name()}")

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(icon)
        layout.addWidget(title)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(lines)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(hint)
        layout.addStretch(3)
        self.button.clicked.connect(self.addFolder)
