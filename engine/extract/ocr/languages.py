"""Which languages OCR reads with: the user's setting, else English plus the system locale's language.

Tesseract reads only the languages it is given, and reads any other script as junk that then
gets indexed. So the languages follow the settings (`ocr_languages`, Tesseract's codes joined
by "+", e.g. "eng+deu"); by default English and the language of the system locale. A language
whose data is not installed is left out of reading and named (`cairn status`), with the package
that brings it, rather than failing every scan.
"""

from __future__ import annotations

import locale
import os
import re
from dataclasses import dataclass

from engine.extract.ocr.tessdata import installed_languages, tessdata_dir

# ISO 639-1 (what locales say) -> Tesseract's codes (ISO 639-2), for the locales most likely to be met.
_BY_LOCALE = {
    "ar": "ara", "bg": "bul", "ca": "cat", "cs": "ces", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "et": "est", "fa": "fas", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hr": "hrv",
    "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "ko": "kor", "lt": "lit", "lv": "lav", "nb": "nor",
    "nl": "nld", "nn": "nor", "no": "nor", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk",
    "sl": "slv", "sr": "srp", "sv": "swe", "th": "tha", "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "chi_sim",
}
DEFAULT = "eng"


@dataclass(frozen=True)
class OcrLanguages:
    reading: tuple[str, ...]  # what Tesseract reads with (installed)
    missing: tuple[str, ...]  # wanted, but no data installed: named in `cairn status`

    @property
    def tesseract(self) -> str:
        return "+".join(self.reading) or DEFAULT


def locale_language() -> str | None:
    """Tesseract's code for the system locale's language (LC_ALL, LC_MESSAGES, LANG), if known."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return _BY_LOCALE.get(value.split("_")[0].split(".")[0].lower())
    code = (locale.getlocale()[0] or "").split("_")[0].lower()
    return _BY_LOCALE.get(code)


def wanted(setting: str) -> tuple[str, ...]:
    """The languages asked for: the setting's ("eng+deu", "eng, deu"), else English and the locale's."""
    asked = [c for c in re.split(r"[+,\s]+", setting.strip().lower()) if c]
    if not asked:
        asked = [DEFAULT, *filter(None, [locale_language()])]
    return tuple(dict.fromkeys(asked))


def choose(setting: str) -> OcrLanguages:
    folder = tessdata_dir()
    have = set(installed_languages(folder)) if folder is not None else set()
    asked = wanted(setting)
    reading = tuple(c for c in asked if c in have)
    return OcrLanguages(reading or ((DEFAULT,) if DEFAULT in have else ()), tuple(c for c in asked if c not in have))

