"""Check a generated answer sentence by sentence against the sources: cited where supported, flagged where not.

A tiny model invents facts and cites the wrong source, so its own [n] markers are ignored:
Cairn finds the support itself. A generated sentence is supported by a source sentence
when their embeddings are close (`SUPPORT_COSINE`, calibrated in tests/engine/test_answer.py
on faithful paraphrases, all at 0.75 or more, and on invented claims about the same
subject, all at 0.57 or less; the sentence's clauses count too) and
every key fact of the generated sentence (numbers, dates, names, identifiers) also appears
in that source's passage: the embedding alone cannot tell "April" from "June". At least half
of its other words must be in that passage too (`WORDS_FOUND`): the embedding model reads
English, and finds any two Cyrillic or Greek sentences alike, so a made-up sentence in those
scripts passed on similarity alone (a faithful paraphrase keeps most of its source's words:
0.6 or more on the calibration set, invented claims about the same subject 0.15 to 0.5).
A question the model writes (often the person's own, repeated) claims nothing: it is dropped.
Sentences that address an AI are never evidence: a model repeating one is obeying it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.answer.claims import Claims, absent_topic, absent_topic_start, claims_of, is_absence, same_polarity
from engine.answer.records import AnswerSentence, Source
from engine.answer.retrieve import thresholds_for
from engine.answer.sentences import Scored, fit
from engine.answer.text import clean, content_words, coverage, facts_in, key_facts, sentence_spans
from engine.embed import Embedder

# For all-MiniLM-L6-v2; multilingual-e5-small's floors are in engine.answer.retrieve.E5 (docs/answers.md).
SUPPORT_COSINE = 0.66  # similarity to a source sentence (or one of its clauses) that counts as saying the same
WORDS_FOUND = 0.5  # share of a generated sentence's words (numbers aside) its source's passage must contain
# Words of the question a generated sentence uses that its source's passage lacks, at most: one is the
# model's framing ("the judge *decided*" for "dismissed"); two are the question put in the passage's mouth.
QUESTION_WORDS_MISSING = 1
MAX_CITATIONS = 2
_CLAUSE = re.compile(r"[,;:]\s+|\s+(?:and|but|while|whereas)\s+")
MIN_CLAUSE_WORDS = 3
CLAUSE_PREFILTER = 0.4  # a source sentence less similar than this to every generated one is not cut into clauses
# The model's own source markers, however written: [1], [1, 2], [1-2], [Source 1], (Source 1), 【1】, [^1], [S1].
# A bare "(1)" is left: in a sentence it is as often part of what is said ("article 5 (1)").
_NUMBERS = r"[#^]?\d+(?:\s*(?:[,;\-–]|and|&)\s*(?:sources?\s*|s)?[#^]?\d+)*"
_MARKERS = re.compile(rf"\s*(?:[\[【]\s*(?:sources?\s*|src\s*|ref\s*|s)?{_NUMBERS}\s*[\]】]"
                      rf"|\(\s*(?:sources?|src|ref)\s*{_NUMBERS}\s*\))", re.IGNORECASE)
_FRAMING = frozenset(content_words("the answer to the question in the sources"))  # "The answer is: ..."
_SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", "؟", "।", "\u037e")
_NUMERIC = re.compile(r"[\d.,:/'-]+")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_REFUSAL = re.compile(r"\b(?:can(?:no|')t|could not|couldn't|unable to|do(?:es)? not|don't) (?:find|contain|answer|mention|say)",
                      re.IGNORECASE)


def generated_sentences(raw: str) -> list[str]:
    """The model's answer as sentences, its own citation markers removed.

    Pieces with fewer than two content words ("The answer is.") claim nothing and are dropped,
    as are pieces without a letter: the "1." of a numbered list is cut off as a sentence of its own."""
    out = []
    for a, b in sentence_spans(raw):
        text = clean(_MARKERS.sub("", raw[a:b]))
        if not any(ch.isalpha() for ch in text):
            continue
        words = content_words(text)
        if len(words) >= 2 or (words and key_facts(text)):
            out.append(text)
    return out


def finished_part(raw: str) -> str:
    """`raw` without its last sentence when that one stops before its end (the model ran out of tokens).

    Half a sentence can say the opposite of the whole ("must not be filed" cut at "must"),
    and its words may still match a passage: it is not checked, cited or shown."""
    spans = sentence_spans(raw)
    if not spans:
        return raw
    start, end = spans[-1]
    last = _MARKERS.sub("", raw[start:end]).rstrip("\"'”’»)] ")
    return raw if last.endswith(_SENTENCE_ENDS) else raw[:start]


def is_refusal(text: str) -> bool:
    """The model said the sources do not answer (a statement about the sources, not a claim to check)."""
    return bool(_REFUSAL.search(text))


def is_question(text: str) -> bool:
    """A question ("When is the rent due?"; Greek ends one with ";") asks: it claims nothing to check."""
    end = text.rstrip("\"'”’»)] ")
    return end.endswith(("?", "？", "؟", "\u037e")) or (end.endswith(";") and bool(_GREEK.search(end)))


def check(raw: str, sources: Sequence[Source], scored: Sequence[Scored], embedder: Embedder, question: str = ""
          ) -> tuple[AnswerSentence, ...]:
    """Every sentence of `raw` with the sources that support it, or marked unsupported.

    The words a sentence takes from `question` must be in the passage it cites (all but
    `QUESTION_WORDS_MISSING`): "her blood type" in "the summary contains information about
    her blood type" came from the question, not from the summary. A sentence saying the
    sources are silent on something is unsupported when a retrieved sentence speaks of it,
    else dropped like any other refusal."""
    evidence = [s for s in scored if s.usable]
    texts = []
    for text in generated_sentences(raw):
        if is_question(text):
            continue
        if is_absence(text) or is_refusal(text):
            if _spoken_of(text, evidence):
                texts.append(text)
            continue
        texts.append(text)
    if not texts:
        return ()
    if not evidence:
        return tuple(AnswerSentence(t, (), False) for t in texts)
    vectors = embedder.embed_batch([fit(embedder, t) for t in texts])
    sims = vectors @ np.stack([s.vector for s in evidence]).T
    floors = thresholds_for(embedder)
    near = [s for s, column in zip(evidence, sims.T) if column.max() >= floors.clause_prefilter]
    owners, parts, clauses = _clauses(near, embedder)
    if owners:
        sims = np.hstack([sims, vectors @ clauses.T])
    facts = {s.n: facts_in(s.text) for s in sources}
    words = {s.n: set(content_words(s.text)) for s in sources}
    stated = {s.n: claims_of(s.text, claim=False) for s in sources}
    asked = set(content_words(question)) - _FRAMING
    candidates = [(s, s.text) for s in evidence] + list(zip(owners, parts))
    return tuple(_attribute(t, row, candidates, _Passages(facts, words, stated), asked, floors.support)
                 if not (is_absence(t) or is_refusal(t)) else AnswerSentence(t, (), False)
                 for t, row in zip(texts, sims))


def _spoken_of(text: str, evidence: Sequence[Scored]) -> bool:
    """Does a retrieved sentence speak of what `text` says the sources do not ("when this renewal
    will occur": the lease's "may be renewed ... 90 days' notice before the end date")?"""
    before = absent_topic_start(text)
    if len(content_words(text[:before])) >= MIN_CLAUSE_WORDS:
        return True  # "X, but it does not specify Y" claims X too: never shown unchecked, never dropped quietly
    topic = {w[:5] for w in content_words(absent_topic(text) or text)} - _FRAMING
    return bool(topic) and any(coverage(topic, {w[:5] for w in content_words(s.text)}) >= WORDS_FOUND
                               for s in evidence)


def _clauses(sentences: Sequence[Scored], embedder: Embedder) -> tuple[list[Scored], list[str], np.ndarray]:
    """Vectors of the clauses of `sentences`, with the sentence each belongs to.

    A model that writes one part of a long source sentence ("Change the oil every ten
    thousand kilometres" out of a list of three chores) is faithful, but only about 0.6
    similar to the whole sentence; to the clause it took, above 0.85. Only sentences
    already somewhat close to the answer are cut up, to keep the check quick."""
    owners: list[Scored] = []
    parts: list[str] = []
    for sentence in sentences:
        for part in _CLAUSE.split(sentence.text):
            part = part.strip()
            if len(part.split()) >= MIN_CLAUSE_WORDS and part != sentence.text:
                owners.append(sentence)
                parts.append(part)
    if not parts:
        return [], [], np.zeros((0, 0), dtype=np.float32)
    return owners, parts, embedder.embed_batch([fit(embedder, p) for p in parts])


@dataclass(frozen=True)
class _Passages:
    """What each source (by number) holds: its facts, its words, its claims."""

    facts: dict[int, set[str]]
    words: dict[int, set[str]]
    claims: dict[int, Claims]


def _attribute(text: str, sims: np.ndarray, candidates: Sequence[tuple[Scored, str]], passages: _Passages,
               asked: set[str], support: float = SUPPORT_COSINE) -> AnswerSentence:
    """`text` with the (at most `MAX_CITATIONS`) sources that support it: a sentence or clause close to
    it whose polarity is the same, in a passage with all its names and identifiers, all its claims
    (engine.answer.claims) and enough of its words."""
    said = [w for w in content_words(text) if not w.isdigit() and w not in _FRAMING]  # numbers: claims
    needed = names_and_identifiers(text)
    claims = claims_of(text)
    echoed = asked.intersection(said)  # the question's words it uses
    cited: list[Scored] = []
    weighed: set[int] = set()  # sources whose closest sentence was weighed: it decides the polarity
    for i in np.argsort(-sims):
        candidate, sentence = candidates[int(i)]
        if sims[i] < support or len(cited) >= MAX_CITATIONS:
            break
        source = candidate.source
        if source in weighed:
            continue
        weighed.add(source)
        found = passages.words.get(source, set())
        if (needed <= passages.facts.get(source, set()) and len(echoed - found) <= QUESTION_WORDS_MISSING
                and (not said or coverage(said, found) >= WORDS_FOUND)
                and source in passages.claims and not claims.missing_from(passages.claims[source])
                and same_polarity(text, sentence)):
            cited.append(candidate)
    return AnswerSentence(text, tuple(c.source for c in cited), bool(cited), tuple((c.start, c.end) for c in cited))


def names_and_identifiers(text: str) -> set[str]:
    """The key facts of `text` but its numbers and dates ("2.00", "31.03.2027"): those are claims, compared
    after normalisation, so "ninety" and "90" are the same."""
    return {f for f in key_facts(text) if not f.startswith("#") and not _NUMERIC.fullmatch(f)}
