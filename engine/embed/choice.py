"""Which bundled embedding model an index gets, and why, in words a person can follow.

People should not have to know what an embedding model is. The setting `embedding_model` is
"english" (all-MiniLM-L6-v2: small, English only), "multilingual" (multilingual-e5-small:
about 100 languages, and an English question finds a German letter), a path to a GGUF file,
or unset: then a new index takes "multilingual" when the system's language is not English
or when most paragraphs of the first files it indexes are not (engine/indexing/sample.py),
and keeps what it took. An index on the English model whose passages are mostly in other
languages is offered the switch (`suggestion`)."""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping
from dataclasses import dataclass

ENGLISH, MULTILINGUAL = "english", "multilingual"
BUNDLED_CHOICES = (ENGLISH, MULTILINGUAL)
CHOICE_KEY, REASON_KEY = "model_choice", "model_choice_reason"  # index meta, written when first chosen
SWITCH_SHARE = 0.5  # offer the multilingual model when more than this share of identified passages is not English
SWITCH_LEAST = 5  # ...and at least this many passages were identified (a few notes say little)


@dataclass(frozen=True)
class ModelChoice:
    model: str  # "english", "multilingual" or a path to a GGUF file
    reason: str  # why, for `cairn status` and the app's settings


def system_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The user's language as ISO 639-1 ("de"), from LC_ALL, LC_MESSAGES, LANG, then the C library's locale.

    None for the C/POSIX locale, which says nothing about the person."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return _language(value)
    try:
        current = locale.getlocale()[0]
    except ValueError:
        current = None
    return _language(current) if current else None


def _language(name: str) -> str | None:
    code = name.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    return None if code in ("", "c", "posix") else code


def choose(setting: str | None, recorded: str | None, recorded_reason: str | None,
           language: str | None, first_files: Mapping[str | None, int] | None = None) -> ModelChoice:
    """The model for an index: the setting if set, else what the index took when new, else by `language`,
    else by the languages of the paragraphs of its first files (`first_files`)."""
    if setting:
        return ModelChoice(setting, "chosen in the settings")
    if recorded:
        return ModelChoice(recorded, recorded_reason or "this index was built with it")
    if language and language != "en":
        return ModelChoice(MULTILINGUAL, f"the system language is {language}, not English")
    share = _not_english(first_files or {})
    if share is not None:
        return ModelChoice(MULTILINGUAL, f"{share}% of the first files' paragraphs are not in English")
    if language == "en":
        return ModelChoice(ENGLISH, "the system language is English")
    return ModelChoice(ENGLISH, "the system language is not set; English is the default")


def _not_english(languages: Mapping[str | None, int]) -> int | None:
    """The percentage of identified passages not in English, when it is most of enough of them; else None."""
    known = {k: n for k, n in languages.items() if k and k != "und"}
    total = sum(known.values())
    other = total - known.get("en", 0)
    if total < SWITCH_LEAST or other <= total * SWITCH_SHARE:
        return None
    return other * 100 // total


def suggestion(model: str, languages: Mapping[str | None, int]) -> str | None:
    """A sentence offering the multilingual model to an English index of mostly non-English passages."""
    share = _not_english(languages) if model == ENGLISH else None
    if share is None:
        return None
    return (f"{share}% of your passages are not in English: the multilingual model would find "
            "them better, in their language and from English questions. Switch with "
            "`cairn config set embedding_model multilingual` (search keeps working while it re-embeds).")
