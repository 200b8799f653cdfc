"""A question set with known answers, built from the manual pages installed on this machine.

Why manual pages: real text nobody here wrote, with many small facts a model can get wrong
(which option does what), and the answer of each question sits in one known paragraph (an
option's entry), so a claim can be judged against that paragraph without a person reading it.

Questions, all from the same pages (sorted by file name, so the set is the same on every run
of one machine):
* "What does the -x option of TOOL do?" (answer: the option's entry);
* "Which option of TOOL does this: <the entry's description>?" (answer: the flag, in the entry);
* unanswerable: options of tools whose pages are *not* indexed, and questions on other subjects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks.textsource import man_pages

_ENTRY = re.compile(r"^(?P<flag>--?[A-Za-z][\w-]*)(?P<args>(?:[ ,=]+(?:<?[\w.|\[\]=<>-]+>?))*?)\s{1,}"
                    r"(?P<text>[A-Z][a-z][^\n]{30,400})$")
_FLAG = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_WORD = re.compile(r"[a-z0-9]+")
MAX_PAGE_CHARS = 30_000  # the indexed pages: whole, but no 300-page manual (bash, gcc) in a small set
OFF_TOPIC = [
    "What is the capital of Peru?", "Who painted the Mona Lisa?", "How do I bake chocolate chip cookies?",
    "What is the boiling point of mercury?", "Which wine goes with fish?", "When is my dentist appointment?",
    "How much is the deposit for the flat?", "What did the doctor say about my blood pressure?",
    "When does my car insurance expire?", "What is the name of my landlord?", "How many vacation days do I have?",
    "What time does the train to Berlin leave?", "What is the recipe for lasagne?",
    "Who won the football world cup in 2014?", "How tall is Mount Everest?", "What is my tax number?",
    "How do I grow tomatoes on a balcony?", "What is the population of Canada?",
    "When was the Eiffel Tower built?", "Which vaccine did the children get last year?",
]
STOP = frozenset("""a an the of to in on for and or is are be by with as at from this that it its if not no
when which what does do option options tool command""".split())


@dataclass(frozen=True)
class Entry:
    tool: str
    flag: str
    text: str  # the whole paragraph: flag, arguments, description

    @property
    def description(self) -> str:
        return _ENTRY.match(self.text).group("text")  # type: ignore[union-attr]


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # "what" (what does -x do), "which" (which option does ...), "absent" (not in the files)
    entry: Entry | None  # where the answer is (None: unanswerable)


def entries(body: str, tool: str) -> list[Entry]:
    """The option entries of a page whose flag is written once (so the question has one answer)."""
    found = [Entry(tool, m.group("flag"), paragraph) for paragraph in body.split("\n\n")
             if (m := _ENTRY.match(paragraph))]
    counts: dict[str, int] = {}
    for entry in found:
        counts[entry.flag] = counts.get(entry.flag, 0) + 1
    return [e for e in found if counts[e.flag] == 1 and 6 <= len(e.description.split()) <= 40]


def build(pages: int, per_page: int = 2) -> tuple[dict[str, str], list[Question]]:
    """(file name -> text of the indexed pages, questions). Each indexed page gives `per_page`
    "what" and as many "which" questions; pages after those give one unanswerable question each."""
    files: dict[str, str] = {}
    questions: list[Question] = []
    absent: list[Question] = []
    seen_tools: set[str] = set()
    for _, name, body in _pages():
        tool = name.partition(" - ")[0].split(",")[0].strip().split()[0]
        if tool in seen_tools or len(body) > MAX_PAGE_CHARS:
            continue
        chosen = entries(body, tool)[:per_page]
        if len(chosen) < per_page:
            continue
        seen_tools.add(tool)
        if len(files) < pages:
            files[f"{tool}.txt"] = f"{name}\n\n{body}"
            for entry in chosen:
                questions.append(Question(f"What does the {entry.flag} option of {tool} do?", "what", entry))
                what = entry.description.rstrip(".")
                questions.append(Question(f"Which option of {tool} does this: {what[0].lower()}{what[1:]}?",
                                          "which", entry))
        elif len(absent) < pages // 2:
            absent.append(Question(f"What does the {chosen[0].flag} option of {tool} do?", "absent", None))
        else:
            break
    questions += absent + [Question(q, "absent", None) for q in OFF_TOPIC]
    return files, questions


def _pages() -> Iterator[tuple[str, str, str]]:
    yield from man_pages(min_chars=1500)


# ------------------------------------------------------------------ the judge


def words(text: str) -> set[str]:
    """Stems, crudely: "prints", "printed", "printing" are "print"."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 1}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


NEGATION = re.compile(r"\b(?:not|no|never|none|cannot|without|n't|nor)\b|n't\b", re.IGNORECASE)


def claim_holds(sentence: str, paragraph: str, tool: str) -> bool:
    """Does `paragraph` (one option's entry) say what `sentence` says? The judge of the benchmark.

    Stricter than the answer check in what it reads (one entry, not a passage of several) and
    independent of it (its own words, no embedding): every flag and number of the sentence is in
    the entry, a negated sentence stands on a negated entry, and 60% of its words are the entry's."""
    known = paragraph + " " + tool
    if not set(_FLAG.findall(sentence)) <= set(_FLAG.findall(known)):
        return False
    if not set(re.findall(r"\d+", sentence)) <= set(re.findall(r"\d+", known)):
        return False
    if NEGATION.search(sentence) and not NEGATION.search(paragraph):
        return False
    said = words(sentence) - words(tool)
    return not said or len(said & words(known)) / len(said) >= 0.6


def answers(sentence: str, question: Question) -> bool:
    """A shown sentence answers `question`: it holds by the right entry (and names the flag, when asked which)."""
    entry = question.entry
    if entry is None or not claim_holds(sentence, entry.text, entry.tool):
        return False
    if question.kind == "which":
        return entry.flag in _FLAG.findall(sentence)
    return len(words(sentence) & words(entry.description)) >= 2


def holds_anywhere(sentence: str, files: dict[str, str]) -> bool:
    """True somewhere in the indexed pages: by one paragraph of one page."""
    for name, text in files.items():
        tool = name.removesuffix(".txt")
        if any(claim_holds(sentence, paragraph, tool) for paragraph in text.split("\n\n")):
            return True
    return False
