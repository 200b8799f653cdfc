"""Where Tesseract's language data is, and which languages it holds.

The engine (libtesseract) comes inside the tesserocr wheel; the trained data does not.
It comes from the system's packages (Debian: tesseract-ocr-eng, tesseract-ocr-osd, which
setup.sh installs), from the desktop bundle's own copy, or from TESSDATA_PREFIX.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Searched in this order after TESSDATA_PREFIX and the bundle: Debian/Ubuntu (Tesseract 5, then 4),
# Fedora and Arch, Homebrew (Intel, Apple silicon), a source build.
_SYSTEM_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/usr/local/share/tesseract-ocr/tessdata",
)
# What setup.sh installs and the bundle ships: English text and the orientation and script model.
REQUIRED = ("eng", "osd")


def _candidates() -> list[Path]:
    found = []
    if os.environ.get("TESSDATA_PREFIX"):
        found.append(Path(os.environ["TESSDATA_PREFIX"]))
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpacked bundle
    if bundle:
        found.append(Path(bundle) / "tessdata")
    return found + [Path(d) for d in _SYSTEM_DIRS]


def tessdata_dir() -> Path | None:
    """The first folder holding every REQUIRED model, or None when OCR data is not installed."""
    for folder in _candidates():
        if all((folder / f"{name}.traineddata").is_file() for name in REQUIRED):
            return folder
    return None


def installed_languages(folder: Path) -> tuple[str, ...]:
    """Language codes with a model in `folder` ("osd" is not a language)."""
    return tuple(sorted(p.stem for p in folder.glob("*.traineddata") if p.stem != "osd"))
