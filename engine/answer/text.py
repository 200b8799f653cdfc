"""Sentences and words, as the answerer needs them: spans, content words, facts that must match.

Why hand-written rules and no NLP library: the answerer must work offline on any
language-agnostic text a person keeps, start instantly and stay predictable. Sentences
are cut at terminal punctuation followed by a capital (in any cased script: Cyrillic and
Greek too) or by a letter of a script without case (Arabic, Hindi), at the full stops of
Chinese and Japanese (which no space follows), at blank lines and before list items or
headings; single line breaks (PDF line wrapping) are not boundaries; a German ordinal ("am
1. März", "2. OG", "Lindenstraße 12, 2. Stock") or an abbreviation ("e.g.", "Nr.") is no end.

Words are read by the language of their text (docs/answers.md): its stop words left out, its
Snowball stemmer; Chinese and Japanese runs, which have no spaces, as overlapping character
pairs, as keyword search reads them (engine.language). English keeps the crude stem below, on
which the answer thresholds were first calibrated.

"Key facts" are what a tiny model invents most (numbers, dates, names, identifiers):
a generated sentence is only supported by a passage that contains all of its key facts.
"""

from __future__ import annotations

import re
import unicodedata

from engine.language.analysis import UNSPACED, analyse, pairs
from engine.language.stopwords import stop_words
from engine.search.query import STOPWORDS

MAX_SENTENCE_CHARS = 600  # longer runs (tables, unpunctuated lists) are cut at word borders

_END = re.compile(r"[.!?…।؟]+[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’）]*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_ITEM = re.compile(r"\n(?=[ \t]*(?:[-*•·▪◦–]\s|\d{1,3}[.)]\s|#{1,6}\s))")
_NEXT_STARTS = re.compile(r"\s*[\"'“‘«(\[「『（]?(\w)")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf fig figs approx no nos nr dr mr mrs ms prof st jr sr inc ltd co corp dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun p pp vol ch sec art".split()
)

# "am 1. März", "den 3. Oktober": a German or Dutch date is a day number with a full stop, then a capital.
MONTHS = frozenset(
    "januar jänner februar märz april mai juni juli august september oktober november dezember "
    "januari februari maart mei augustus jan feb mär apr jun jul aug sep sept okt nov dez".split()
)
_ORDINAL = re.compile(r"(?<![\d.,])\d{1,2}$")
# "Lindenstraße 12, 2. OG", "im 3. Stock": a German ordinal before a noun it counts, or a small number right
# after a house number and a comma, is no sentence end ("Mietvertrag Lindenstraße 12, 2." was once quoted).
ORDINAL_NOUNS = frozenset(
    "og ug eg dg stock etage obergeschoss geschoss untergeschoss klasse auflage jahrhundert mal kapitel absatz abs "
    "stelle platz quartal halbjahr monat woche tag jahr semester stufe runde hälfte rang mahnung änderung "
    "nachtrag fassung ausgabe bauabschnitt haus hof aufgang étage".split()
)
# A short line without a closing mark, before a line that starts with a capital, is a title ("Mietvertrag
# Lindenstraße 12, 2. OG" above the contract's first sentence): it ends there. A wrapped line of prose is longer.
_TITLE_LINE = re.compile(r"(?:^|(?<=\n))[^\n]*[^\s.!?:;,\"'”’)\]-](?=[ \t]*\n[ \t]*[\"'“(\[]?[A-ZÀ-ÖØ-Þ])")
TITLE_WORDS = 8
_AFTER_HOUSE_NUMBER = re.compile(r"\d+\s?[a-zA-Z]?,\s*\d{1,2}$")

EXTRA_STOPWORDS = frozenset(
    """also am any been being both each few get got just like made make many may might more most much must
    need only other over own same so some such than too very yes one tell says said say please know
    here its it's i'm don't doesn't""".split()
)

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twice": 2, "once": 1, "dozen": 12,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_DIGITS = re.compile(r"\d+(?:[.,:]\d+)*")
_IDENTIFIER = re.compile(r"\w+(?:[-_./:#]\w+)+")
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ]\w+")
_STARTER = re.compile(r"(?:^|[.!?:;][\"'”’»)\]]*\s+|\n\s*)[\"'“‘«(\[*•-]*\s*$")
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly", "e")

# Text that addresses an AI rather than informing a reader: a passage that says this is
# never evidence for a generated sentence (a model repeating it is following it).
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,60}\b(?:instructions?|prompts?|rules?|"
    r"directions?|guidelines?|above|previous|prior|earlier)\b"
    r"|\b(?:you are now|from now on,? you|act as (?:an?|the) (?:ai|assistant|model|chatbot)|pretend (?:to be|you are))\b"
    r"|\b(?:system prompt|developer mode|jailbreak)\b"
    r"|\b(?:ai|assistant|language model|chatbot|llm)s?\b[^.!?\n]{0,40}\b(?:must|should|shall|will)\b"
    r"[^.!?\n]{0,20}\b(?:say|answer|reply|respond|output|write|tell)\b"
    r"|\b(?:answer|reply|respond)\b[^.!?\n]{0,30}\b(?:every|all|any)\b[^.!?\n]{0,20}\bquestions?\b"
    r"[^.!?\n]{0,20}\bwith\b"
    r"|\b(?:when|if|whenever)\b[^.!?\n]{0,20}\basked\b[^.!?\n]{0,80}\b(?:answer|say|reply|respond|write)\b"
    r"|\b(?:always|only) (?:answer|reply|respond)\b",
    re.IGNORECASE,
)


# ------------------------------------------------------------------ sentences


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed, in order."""
    cuts = {0, len(text)}
    for m in _END.finditer(text):
        following = _NEXT_STARTS.match(text, m.end())
        if not following or following.group(1).islower() or following.group(1) == "_":
            continue
        before = _LAST_WORD.search(text, 0, m.start() + 1)
        word = before.group(1).lower() if before else ""
        if text[m.start()] == "." and (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        if m.group() == "." and _ORDINAL.search(text, 0, m.start()) and (
                _next_word(text, m.end()) in MONTHS | ORDINAL_NOUNS or _AFTER_HOUSE_NUMBER.search(text, 0, m.start())):
            continue
        cuts.add(m.end())
    cuts.update(m.start() for m in _PARAGRAPH.finditer(text))
    cuts.update(m.end() for m in _TITLE_LINE.finditer(text) if word_count(m.group()) <= TITLE_WORDS)
    cuts.update(m.start() for m in _ITEM.finditer(text))
    spans: list[tuple[int, int]] = []
    ordered = sorted(cuts)
    for start, end in zip(ordered, ordered[1:]):
        for a, b in _cut_long(text, start, end):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a and _WORD.search(text, a, b):
                spans.append((a, b))
    return spans


def _next_word(text: str, at: int) -> str:
    found = _WORD.search(text, at, at + 40)
    return found.group().lower().rstrip(".") if found else ""


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans


def clean(text: str) -> str:
    """One line, single spaces: how a sentence is shown and embedded."""
    return _SPACE.sub(" ", text).strip()


def is_heading(text: str) -> bool:
    """A title line rather than a statement: short and without a verb-like ending."""
    stripped = text.strip()
    if stripped.startswith("#"):
        return True
    return word_count(stripped) <= 8 and not re.search(r"[.!?…:;\"'”’)。！？」』）]\s*$", stripped)


def word_count(text: str) -> int:
    """Words of `text`; in scripts without spaces, a word for every two characters (a typical word's length)."""
    spaced = UNSPACED.sub(" ", text).split()
    return len(spaced) + sum((len(run) + 1) // 2 for run in UNSPACED.findall(text))


def looks_like_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))


# ------------------------------------------------------------------ words


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A crude, language-blind stem: "filed", "files", "filing" and "file" all give "fil"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:7]


def content_words(text: str, language: str | None = "en") -> list[str]:
    """Stems of the words that carry meaning, in order (repeats kept), read as `language` (None: English).

    Other languages drop their own stop words and English ones (a German letter quotes English
    terms) and stem by Snowball; a run of Chinese or Japanese gives its character pairs."""
    english = language in (None, "en")
    stop = STOPWORDS | EXTRA_STOPWORDS if english else _stop_words(language)
    out = []
    for raw in _WORD.findall(text):
        if UNSPACED.search(raw):
            out.extend(_unspaced_words(raw, stop))
            continue
        word = fold(raw)
        if word in stop or (len(word) < 3 and not word.isdigit()):
            continue
        out.append(stem(word) if english else analyse(raw, language)[:10])
    return out


def _stop_words(language: str | None) -> frozenset[str]:
    return stop_words(language) | STOPWORDS | EXTRA_STOPWORDS


def _unspaced_words(raw: str, stop: frozenset[str]) -> list[str]:
    """Character pairs of the Chinese/Japanese runs in `raw`; spaced pieces in it ("PDF", "2024") as they are."""
    out = []
    at = 0
    for m in UNSPACED.finditer(raw):
        spaced = fold(raw[at:m.start()])
        if spaced and spaced not in stop and (len(spaced) >= 3 or spaced.isdigit()):
            out.append(spaced)
        run = m.group()
        out.extend(run[i:i + n] for i, n in pairs(run) if run[i:i + n] not in stop)
        at = m.end()
    rest = fold(raw[at:])
    if rest and rest not in stop and (len(rest) >= 3 or rest.isdigit()):
        out.append(rest)
    return out


def coverage(words: list[str] | set[str], haystack: set[str]) -> float:
    """Share of `words` (stems) found in `haystack` (stems), 0..1."""
    wanted = set(words)
    if not wanted:
        return 0.0
    return sum(1 for w in wanted if w in haystack) / len(wanted)


# ------------------------------------------------------------------ key facts


def numbers(text: str) -> set[str]:
    """Every number in `text`, written in digits or in (English) words, normalised to digits."""
    return _digit_numbers(text) | _word_numbers(text)


def _digit_numbers(text: str) -> set[str]:
    found = set()
    for m in _DIGITS.finditer(text):
        value = m.group()
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", value):
            value = value.replace(",", "")
        found.add(value)
        if value.isdigit():
            found.add(value.lstrip("0") or "0")
    return found


def _word_numbers(text: str) -> set[str]:
    """"ten thousand" -> 10000, "twenty five" -> 25, "four" -> 4."""
    found = set()
    total: int | None = None
    current = 0
    for raw in _WORD.findall(text) + [""]:
        word = raw.lower()
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
            total = total or 0
        elif word in _SCALES and total is not None:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total += current
                current = 0
        else:
            if total is not None:
                found.add(str(total + current))
            total, current = None, 0
    return found


def key_facts(text: str) -> set[str]:
    """Numbers, identifiers and names in a sentence: what a supporting passage must also contain.

    Names are capitalised words that do not start a sentence and are not stopwords; "one"
    written as a word is not a fact (it is mostly an article-like word)."""
    facts = {f"#{n}" for n in _digit_numbers(text) | (_word_numbers(text) - {"1"})}
    facts.update(fold(m.group()) for m in _IDENTIFIER.finditer(text) if any(c.isdigit() for c in m.group()))
    for m in _CAPITALISED.finditer(text):
        if _STARTER.search(text, 0, m.start()):
            continue
        word = fold(m.group())
        if word not in STOPWORDS and word not in EXTRA_STOPWORDS and not word.isdigit():
            facts.add(word)
    return facts


def facts_in(text: str) -> set[str]:
    """What `key_facts` of a sentence is checked against: every number, identifier and word in `text`."""
    facts = {f"#{n}" for n in numbers(text)}
    facts.update(fold(m.group()) for m in _IDENTIFIER.finditer(text))
    facts.update(fold(w) for w in _WORD.findall(text))
    return facts
