#!/usr/bin/env python3
"""Write Cairn's icon as PNGs in the freedesktop sizes: OUT/hicolor/NxN/apps/ID.png.

The icon is drawn by the app itself (desktop/theme.py), so the files here and the window's
icon can never drift apart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

APP_ID = "io.github.cairn_search.Cairn"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def main(out: Path) -> None:
    from PySide6.QtGui import QGuiApplication

    from desktop.theme import app_icon

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841  (QPixmap needs one)
    icon = app_icon()
    for size in SIZES:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        pixmap = icon.pixmap(size, size)
        if pixmap.width() != size:
            pixmap = pixmap.scaled(size, size)
        if not pixmap.save(str(folder / f"{APP_ID}.png")):
            raise SystemExit(f"could not write the {size}px icon")
    print(f"icons in {out}/hicolor")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/bundle/icons"))
