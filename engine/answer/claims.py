"""The claims of a sentence that its source must also make: numbers, amounts, dates, how often, polarity.

Why claims and not only similarity: "may be renewed once, for a further five years" and "may
renew every five years" are near neighbours to an embedding, and a tiny model writes the
second from the first. So each sentence is read into a `Claims` record, in English, German and
French (the languages whose number words and month names are known here), and a generated
sentence stands on a passage only when every claim of it is found there after normalisation:

* numbers in digits or words ("90" = "ninety" = "neunzig" = "quatre-vingt-dix", by text2num's
  `alpha2digit`), separators read as a reader would ("€1,200" = "1.200 €" = "1200 euros",
  "2.00" is 2, not 2000); the number one written as a word is not a claim (it is mostly "a");
* currencies (€, EUR, euros are one currency; a sentence in dollars is not a passage in euros), and
  amounts: a number with its currency or unit ("2.00 euros", "90 days", "5 years") must be in the
  passage with the same currency or unit ("2. OG" holds a 2, not 2 euros);
* dates in the usual forms ("31 March 2027", "March 31, 2027", "31. März 2027", "31 mars
  2027", "31.03.2027", "2027-03-31" are all 2027-03-31; a month with its year, "March 2027");
* how often ("once", "einmal", "une fois"; "twice"; "N times"; "every", "jede", "chaque",
  "annually", ...): each kind the sentence uses must be in the passage;
* polarity: a sentence that negates ("not", "never", "nicht", "kein", "ne ... pas", "jamais")
  stands only on a source sentence that negates too, and the other way round.

A sentence that says the sources are silent ("it does not specify when") is an `absence`
claim: the answerer refuses it when a retrieved passage speaks about what it says is missing.
Dates are read by rules here, not by dateparser: a document states dates in a handful of
numeric and month-name forms, while `dateparser.search_dates` also takes plain words ("may",
"second", a bare number) for dates, and both sides of the comparison must be read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
        "january jan januar jänner janvier janv", "february feb februar feber février fév févr fevrier",
        "march mar märz mär maerz mars", "april apr avril avr", "may mai", "june jun juni juin",
        "july jul juli juillet juil", "august aug août aout", "september sep sept septembre",
        "october oct oktober okt octobre", "november nov novembre", "december dec dezember dez décembre"), 1):
    for _name in _names.split():
        MONTHS[_name] = _number
_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<y>(?:1[89]|2[01])\d\d)"
_DATES = [
    re.compile(rf"\b{_YEAR}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b"),
    re.compile(rf"\b(?P<a>[0-3]?\d)[./](?P<b>[01]?\d)[./]{_YEAR}\b"),
    re.compile(rf"\b{_DAY}\s*(?:of\s+|de\s+)?(?P<mn>{_MONTH})\.?(?:,?\s*{_YEAR})?\b", re.IGNORECASE),
    re.compile(rf"\b(?P<mn>{_MONTH})\.?\s+{_DAY}(?:,?\s*{_YEAR})?\b", re.IGNORECASE),
    re.compile(rf"\b(?P<mn>{_MONTH})\.?\s+{_YEAR}\b", re.IGNORECASE),
]
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,']\d+)*(?![\w])|(?<![\w.,])\d+(?=[a-zA-Z%€$£])")
_CURRENCIES = {
    "eur": ("€", "eur", "euro", "euros", "euro's"), "usd": ("$", "usd", "dollar", "dollars"),
    "gbp": ("£", "gbp", "pound", "pounds"), "chf": ("chf", "franken", "swiss francs"),
}
_CURRENCY = {word: code for code, words in _CURRENCIES.items() for word in words}
_CURRENCY_RE = re.compile(r"[€$£]|\b(?:" + "|".join(sorted((re.escape(w) for w in _CURRENCY if w.isalpha()
                                                           or "'" in w), key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)

_UNITS = {
    "day": "day days tag tage tagen jour jours", "week": "week weeks woche wochen semaine semaines",
    "month": "month months monat monate monaten monats mois", "year": "year years jahr jahre jahren jahres an ans année années",
    "hour": "hour hours stunde stunden heure heures", "minute": "minute minutes minuten",
    "percent": "% percent per cent prozent pour cent pourcent", "km": "km kilometre kilometres kilometer kilometers",
}
_UNIT = {word: unit for unit, words in _UNITS.items() for word in words.split()}
_NUMERAL = r"\d+(?:[.,']\d+)*"
_CURRENCY_WORD = r"[€$£]|eur|euros?|usd|dollars?|gbp|pounds?|chf|franken"
_AMOUNTS = [re.compile(rf"(?P<c>{_CURRENCY_WORD})\s?(?P<n>{_NUMERAL})", re.IGNORECASE),
            re.compile(rf"(?P<n>{_NUMERAL})\s?(?P<c>{_CURRENCY_WORD})\b", re.IGNORECASE),
            re.compile(rf"(?P<n>{_NUMERAL})\s?(?P<c>[€$£])", re.IGNORECASE)]
_QUANTITY = re.compile(rf"(?P<n>{_NUMERAL})(?:\s|-)?(?P<u>%|[^\W\d_]+(?:\s(?:cent))?)", re.IGNORECASE)
_ONCE = r"once|one time|a single time|einmal|einmalig|ein einziges mal|une fois|une seule fois|une unique fois"
_TWICE = r"twice|two times|zweimal|deux fois"
_EVERY = (r"every|each|always|annually|yearly|monthly|weekly|daily|per year|per month|"
          r"jede|jeden|jedem|jeder|jedes|immer|jährlich|monatlich|wöchentlich|täglich|pro jahr|pro monat|"
          r"chaque|tous les|toutes les|toujours|annuellement|mensuellement|par an|par mois")
_FREQUENCY = [("once", re.compile(rf"\b(?:{_ONCE})\b", re.IGNORECASE)),
              ("twice", re.compile(rf"\b(?:{_TWICE})\b", re.IGNORECASE)),
              ("every", re.compile(rf"\b(?:{_EVERY})\b", re.IGNORECASE))]
# "once a month" is a rate, as "monthly" is: how often, not a single time.
_RATE = re.compile(r"\b(?:once|one time|einmal|une fois|1\s*-?\s*(?:time|mal|fois))\s+(?:a|an|per|every|each|im|am|pro|in der|je|par|chaque)\b",
                   re.IGNORECASE)
_TIMES = re.compile(r"\b(\d+)\s*(?:-\s*)?(?:times|mal|fois)\b|\b(\d+)x\b", re.IGNORECASE)

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|neither|nor|without|cannot|can't|won't|isn't|aren't|doesn't|don't|"
    r"didn't|mustn't|shouldn't|wasn't|weren't|hasn't|haven't|nicht|kein|keine|keinen|keinem|keiner|keines|nie|"
    r"niemals|nichts|ohne|weder|ne|pas|jamais|aucun|aucune|rien|sans|ni)\b|\bn'|n't\b",
    re.IGNORECASE)
_ABSENCE = re.compile(
    r"\b(?:do(?:es)?\s*(?:not|n't)|did\s*(?:not|n't)|is\s*(?:not|n't)|are\s*(?:not|n't)|no)\s+"
    r"(?:specif|mention|say|state|indicate|provide|give|contain|include|detail|clarif|explain|"
    r"information|details|mention|indication)\w*"
    r"|\bnot\s+(?:specified|mentioned|stated|given|provided|indicated|explained)\b"
    r"|\b(?:unclear|unspecified|unknown)\b"
    r"|\bnicht\s+(?:angegeben|erwähnt|genannt|festgelegt|geregelt)\b|\bkeine\s+(?:angabe|angaben|information)\w*"
    r"|\bne\s+(?:précise|mentionne|dit|indique)\s+pas\b|\bn'(?:indique|est pas précisé)\w*|\baucune\s+information\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Claims:
    """What a sentence (or a passage) states that can be checked exactly."""

    numbers: frozenset[str]  # canonical decimals: "1200", "2.5"
    amounts: frozenset[str]  # a number with its currency or unit: "eur 1200", "day 90"
    dates: frozenset[str]  # "2027-03-31", "2027-03", "--03-31"
    currencies: frozenset[str]  # "eur", "usd", ...
    frequency: frozenset[str]  # "once", "twice", "every", "x3"
    negated: bool

    def missing_from(self, passage: Claims) -> list[str]:
        """The claims of this sentence that `passage` does not make (polarity aside: see `same_polarity`)."""
        missing = [f"number {n}" for n in sorted(self.numbers - passage.numbers - _date_parts(passage))]
        missing += [f"date {d}" for d in sorted(self.dates) if not _date_in(d, passage.dates)]
        missing += [f"amount {a}" for a in sorted(self.amounts - passage.amounts)]
        missing += [f"currency {c}" for c in sorted(self.currencies - passage.currencies)]
        missing += [f"how often: {f}" for f in sorted(self.frequency - passage.frequency)]
        return missing


def same_polarity(sentence: str, source: str) -> bool:
    """Both negate or neither does ("may not sublet" is not "may sublet")."""
    return negated(sentence) == negated(source)


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def is_absence(text: str) -> bool:
    """The sentence says the sources are silent on something ("it does not specify when ...")."""
    return bool(_ABSENCE.search(text))


def absent_topic_start(text: str) -> int:
    """Where the "does not specify" of an absence claim starts (0 when it has none)."""
    found = _ABSENCE.search(text)
    return found.start() if found else 0


def absent_topic(text: str) -> str:
    """What an absence claim says is missing: the text after its "does not specify"."""
    found = _ABSENCE.search(text)
    return text[found.end():] if found else ""


@lru_cache(maxsize=4096)
def claims_of(text: str, *, claim: bool = True) -> Claims:
    """The claims of `text`. `claim`: read as a generated sentence (the word "one" is no number);
    else as a passage, where every number counts as evidence."""
    dates, rest = _dates(text)
    words_read = _digits_for_words(rest)
    digits = _numbers(rest)
    numbers = _numbers(words_read)
    if claim:
        numbers = digits | (numbers - digits - {"1"})
    frequency = {name for name, pattern in _FREQUENCY if pattern.search(text)}
    frequency |= {f"x{m.group(1) or m.group(2)}" for m in _TIMES.finditer(words_read)}
    if "x1" in frequency:
        frequency.add("once")
    if "x2" in frequency:
        frequency.add("twice")
    frequency -= {"x1", "x2"}
    if _RATE.search(words_read):
        frequency = (frequency - {"once"}) | {"every"}
    currencies = {_CURRENCY[m.group().lower()] for m in _CURRENCY_RE.finditer(text)}
    amounts = _amounts(words_read)
    if claim and "1" not in digits:  # "one year", "ein Jahr" is mostly "a year": no claim, as the number one
        amounts = {a for a in amounts if not a.endswith(" 1")}
    return Claims(frozenset(numbers), frozenset(amounts), frozenset(dates), frozenset(currencies),
                  frozenset(frequency), negated(text))


def _amounts(text: str) -> set[str]:
    """Numbers bound to what they count: "2.00 euros" is "eur 2", "90 days'" is "day 90". A number
    alone may be in a passage for another reason ("2. OG"), an amount of euros only as euros."""
    found = set()
    for pattern in _AMOUNTS:
        for m in pattern.finditer(text):
            value = canonical_number(m.group("n"))
            if value is not None:
                found.add(f"{_CURRENCY.get(m.group('c').lower(), m.group('c').lower())} {value}")
    for m in _QUANTITY.finditer(text):
        unit = _UNIT.get(m.group("u").lower())
        value = canonical_number(m.group("n"))
        if unit and value is not None:
            found.add(f"{unit} {value}")
    return found


def _digits_for_words(text: str) -> str:
    """Number words of English, German and French as digits ("ninety" -> "90", "zweitausend" -> "2000")."""
    from text_to_num import alpha2digit

    for language in ("en", "de", "fr"):
        text = alpha2digit(text, language, threshold=0)
    return text


def _numbers(text: str) -> set[str]:
    return {value for m in _NUMBER.finditer(text) if (value := canonical_number(m.group())) is not None}


def canonical_number(raw: str) -> str | None:
    """"1,200" and "1.200" are 1200 (a group of three digits after the only separator); "2.00",
    "2,5" are decimals; "1.200,50" and "1,200.50" are 1200.5; "1'200" (Swiss) is 1200."""
    text = raw.replace("'", "")
    separators = [c for c in text if c in ".,"]
    if separators:
        last = max(text.rfind("."), text.rfind(","))
        whole, fraction = text[:last], text[last + 1:]
        grouped = len(set(separators)) == 1 and all(len(g) == 3 for g in re.split(r"[.,]", text)[1:])
        if grouped and (len(separators) > 1 or len(fraction) == 3):
            text = re.sub(r"[.,]", "", text)
        else:
            text = re.sub(r"[.,]", "", whole) + "." + fraction
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def _dates(text: str) -> tuple[set[str], str]:
    """The dates in `text` as ISO strings, and the text with them blanked out (their digits are no numbers)."""
    found: set[str] = set()
    for pattern in _DATES:
        def take(m: re.Match[str]) -> str:
            date = _iso(m)
            if date is None:
                return m.group()
            found.add(date)
            return " " * len(m.group())
        text = pattern.sub(take, text)
    return found, text


def _iso(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    year = groups.get("y")
    if groups.get("a"):  # 31.03.2027 or 03/31/2027: a day above 12 decides, else day first
        a, b = int(groups["a"]), int(groups["b"])
        first, second = (b, a) if b > 12 else (a, b)
        return f"{year}-{second:02d}-{first:02d}" if 1 <= second <= 12 and 1 <= first <= 31 else None
    named = MONTHS.get(groups["mn"].lower().rstrip(".")) if groups.get("mn") else None
    month = named if named is not None else int(groups.get("m") or 0)
    day: int | None = int(groups["d"]) if groups.get("d") else None
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31) or (day is None and not year):
        return None
    if day is None:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _date_in(date: str, dates: frozenset[str]) -> bool:
    """"--03-31" (no year) is in a passage that has 2027-03-31; "2027-03" in one with any day of it."""
    if date in dates:
        return True
    if date.startswith("--"):
        return any(d.endswith(date[1:]) for d in dates)
    return len(date) == 7 and any(d.startswith(date + "-") for d in dates)


def _date_parts(passage: Claims) -> set[str]:
    """A year or day a sentence names alone ("in 2027") is in a passage that has it in a date."""
    parts: set[str] = set()
    for date in passage.dates:
        parts.update(str(int(p)) for p in date.split("-") if p)
    return parts
