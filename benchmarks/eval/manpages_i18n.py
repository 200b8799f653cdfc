"""Known-item sets in other languages, and across languages, from Debian's translated manual pages.

Debian's manpages-de, -fr, -es, -it, -nl, -pl, -ja and -zh put real translations of the same
pages under /usr/share/man/LANG/man1 and man8. As in the English set (benchmarks/eval/manpages.py):
the query is a page's NAME description in that language ("Verzeichnisinhalte auflisten"), the
target the page without its NAME section. The NAME section has the language's own heading
(BEZEICHNUNG, NOM, 名前, ...), so it is found as the first section of the page.

Cross-language set "en-LANG": the English NAME description of a page ("list directory contents")
as the query, the page translated into LANG as the target: what a person does who asks in English
about files in German. Kept small (the machine embeds a few passages a second): `pages` per set.
"""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter
from collections.abc import Iterator

from benchmarks.eval.beir_layout import Doc
from benchmarks.eval.manpages import MAN_ROOT, SECTIONS, Page, good_query
from benchmarks.eval.manpages import pages as english_pages
from benchmarks.textsource import SKIP, roff_to_text

LANGS = {"en": ".", "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pl": "pl", "ja": "ja", "zh": "zh_CN"}
MIN_CHARS, MAX_CHARS = 400, 3_000  # a little shorter than the English set's 4,000: nine sets, two models
_FIRST_SECTION = re.compile(r"^\.SH\s+(.*?)$(.*?)^\.SH", re.MULTILINE | re.DOTALL)
_CJK = ("ja", "zh")


def pages(lang: str) -> Iterator[Page]:
    """The translated pages of `lang` with a one-line NAME description, in a stable order."""
    root = MAN_ROOT / LANGS[lang]
    for section in SECTIONS:
        for path in sorted((root / section).glob("*.gz")):
            if path.name.startswith((*SKIP, "perl")):
                continue
            try:
                raw = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            except (OSError, EOFError):
                continue
            match = _FIRST_SECTION.search(raw)
            if raw.startswith(".so ") or not match:
                continue
            name = _name_line(match.group(2))
            _, body = roff_to_text(raw[:match.start()] + raw[match.end() - len(".SH"):])
            separator = " - " if " - " in name else None
            if not (MIN_CHARS <= len(body) <= MAX_CHARS) or separator is None:
                continue
            yield Page(path.name.removesuffix(".gz"), name.split(separator, 1)[1].strip(), body)


def _name_line(section: str) -> str:
    words = [line for line in section.splitlines() if line and not line.startswith((".", "'\\\""))]
    text, _ = roff_to_text(".SH NAME\n" + " ".join(words) + "\n")
    return " ".join(text.replace("\\-", "-").split())


def _good(lang: str, description: str) -> bool:
    return len(description) >= 6 if lang in _CJK else good_query(description)


def build(lang: str, size: int, seed: int) -> tuple[list[Doc], dict[str, str], dict[str, dict[str, int]],
                                                     dict[str, object]]:
    """`size` pages of `lang`, each a document; those with a unique description also a query."""
    found = list(pages(lang))
    counts = Counter(p.description.lower() for p in found)
    chosen = sorted(random.Random(seed).sample(found, min(size, len(found))), key=lambda p: p.stem)
    docs = [Doc(p.stem, _title(p.stem), p.body) for p in chosen]
    asked = [p for p in chosen if counts[p.description.lower()] == 1 and _good(lang, p.description)]
    queries = {f"q-{p.stem}": p.description for p in asked}
    qrels = {f"q-{p.stem}": {p.stem: 1} for p in asked}
    about = {"kind": f"known-item in {lang}: translated NAME description -> translated page without it",
             "source": f"{MAN_ROOT}/{LANGS[lang]}/{{{','.join(SECTIONS)}}}", "seed": seed, "language": lang}
    return docs, queries, qrels, about


def build_cross(lang: str, size: int, seed: int) -> tuple[list[Doc], dict[str, str], dict[str, dict[str, int]],
                                                           dict[str, object]]:
    """English NAME description -> the page in `lang`; only pages that exist in both."""
    english = {p.stem: p.description for p in english_pages()}
    counts = Counter(d.lower() for d in english.values())
    found = [p for p in pages(lang) if p.stem in english]
    chosen = sorted(random.Random(seed).sample(found, min(size, len(found))), key=lambda p: p.stem)
    docs = [Doc(p.stem, _title(p.stem), p.body) for p in chosen]
    asked = [p for p in chosen if counts[english[p.stem].lower()] == 1 and good_query(english[p.stem])]
    queries = {f"q-{p.stem}": english[p.stem] for p in asked}
    qrels = {f"q-{p.stem}": {p.stem: 1} for p in asked}
    about = {"kind": f"cross-language: English NAME description -> the page in {lang}",
             "source": f"{MAN_ROOT}/{{man1,man8}} (queries), {MAN_ROOT}/{LANGS[lang]} (pages)", "seed": seed,
             "language": lang}
    return docs, queries, qrels, about


def _title(stem: str) -> str:
    name, _, section = stem.rpartition(".")
    return f"{name}({section})"
