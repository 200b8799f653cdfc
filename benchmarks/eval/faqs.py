"""Question-and-answer set from the Python and Perl FAQs installed on this machine.

Query: an FAQ question as its authors wrote it ("How do I make a Python script
executable on Unix?"). Target: the answer, titled only by the FAQ page and group
it sits in (never by the question). Distractors: sections of the Python
documentation (tutorial, HOWTOs, library and language reference) and of Perl's
manual pages, sampled with a fixed seed, so answers compete with text on the
same subjects. A distractor may also answer a question; it counts as wrong, as
unjudged documents do in any test collection.

Needs the Debian packages python3.11-doc (reStructuredText sources under
/usr/share/doc/python3.11/html/_sources) and perl-doc (POD under
/usr/share/perl/5.36.0/pod).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

from benchmarks.eval.beir_layout import Doc
from benchmarks.eval.markup import Section, pod_sections, rst_sections

PY_DOCS = Path("/usr/share/doc/python3.11/html/_sources")
PERL_POD = Path("/usr/share/perl/5.36.0/pod")
PY_DISTRACTOR_DIRS = ("tutorial", "howto", "library", "reference", "using", "extending", "installing", "c-api",
                      "whatsnew")
PERL_LEFT_OUT = re.compile(r"^perl(faq\d*|unifaq|toc|\d+delta|hist|glossary|diag|api|intern|apio)\.pod$")
MIN_ANSWER, MIN_SECTION, MAX_SECTION, MAX_PIECE = 80, 300, 20_000, 2_000
POD_SKIP = {"NAME", "VERSION", "DESCRIPTION", "AUTHOR AND COPYRIGHT", "SEE ALSO"}


class MissingSource(Exception):
    pass


def check_sources() -> None:
    missing = [(p, pkg) for p, pkg in ((PY_DOCS / "faq", "python3.11-doc"), (PERL_POD / "perlfaq4.pod", "perl-doc"))
               if not p.exists()]
    if missing:
        raise MissingSource("missing " + ", ".join(str(p) for p, _ in missing) + ": install the Debian packages "
                            + " ".join(pkg for _, pkg in missing) + " (apt-get install ...)")


def python_faq() -> Iterator[tuple[str, str, Doc]]:
    """(query id, question, answer document) for every question of the Python FAQ."""
    for path in sorted((PY_DOCS / "faq").glob("*.rst.txt")):
        page = path.name.removesuffix(".rst.txt")
        for n, section in enumerate(rst_sections(path.read_text("utf-8"))):
            if len(section.trail) < 2 or len(section.body) < MIN_ANSWER:
                continue  # the page title, groups (no text of their own), one-line answers
            doc_id = f"pyfaq-{page}-{n:03d}"
            yield f"q-{doc_id}", section.heading, Doc(doc_id, " › ".join(section.trail[:-1]), section.body)


def perl_faq() -> Iterator[tuple[str, str, Doc]]:
    for path in sorted(PERL_POD.glob("perlfaq[1-9].pod")):
        page = path.name.removesuffix(".pod")
        for n, section in enumerate(pod_sections(path.read_text("utf-8", "replace"))):
            if len(section.trail) != 2 or len(section.body) < MIN_ANSWER:
                continue  # questions are =head2, under a group (or under DESCRIPTION)
            doc_id = f"{page}-{n:03d}"
            title = page if section.trail[0] in POD_SKIP else f"{page} › {section.trail[0]}"
            yield f"q-{doc_id}", section.heading, Doc(doc_id, title, section.body)


def distractors(max_piece: int = MAX_PIECE) -> Iterator[Doc]:
    for folder in PY_DISTRACTOR_DIRS:
        for path in sorted((PY_DOCS / folder).rglob("*.rst.txt")):
            page = path.relative_to(PY_DOCS).as_posix().removesuffix(".rst.txt")
            yield from _sections(f"py-{page}", rst_sections(path.read_text("utf-8")), max_piece)
    for path in sorted(PERL_POD.glob("perl*.pod")):
        if not PERL_LEFT_OUT.match(path.name):
            yield from _sections(path.name.removesuffix(".pod"), pod_sections(path.read_text("utf-8", "replace")),
                                 max_piece)


def _sections(prefix: str, sections: Iterator[Section], max_piece: int) -> Iterator[Doc]:
    """Sections long enough to say something, long ones cut at paragraph borders into pieces of
    about an answer's size (a whole library chapter would be a distractor of another kind)."""
    for n, section in enumerate(sections):
        if MIN_SECTION <= len(section.body) <= MAX_SECTION and section.heading not in POD_SKIP:
            for p, piece in enumerate(_pieces(section.body, max_piece)):
                if len(piece) >= MIN_SECTION or p == 0:
                    yield Doc(f"{prefix}-{n:03d}-{p}", " › ".join(section.trail), piece)


def _pieces(body: str, limit: int) -> Iterator[str]:
    """Consecutive paragraphs packed up to `limit` characters (a longer paragraph stays whole)."""
    piece: list[str] = []
    size = 0
    for paragraph in body.split("\n\n"):
        if piece and size + len(paragraph) > limit:
            yield "\n\n".join(piece)
            piece, size = [], 0
        piece.append(paragraph)
        size += len(paragraph) + 2
    if piece:
        yield "\n\n".join(piece)


def build(total_docs: int, seed: int, max_piece: int = MAX_PIECE) -> tuple[list[Doc], dict[str, str], dict[str, dict[str, int]], dict[str, object]]:
    check_sources()
    pairs = [*python_faq(), *perl_faq()]
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    by_text: dict[str, str] = {}
    for qid, question, doc in pairs:  # a question asked in two FAQs has both answers right
        text = " ".join(question.split())
        first = by_text.setdefault(text.lower(), qid)
        queries.setdefault(first, text)
        qrels.setdefault(first, {})[doc.id] = 1
    answers = [doc for _, _, doc in pairs]
    pool = list(distractors(max_piece))
    extra = random.Random(seed).sample(pool, max(0, min(len(pool), total_docs - len(answers))))
    docs = sorted([*answers, *extra], key=lambda d: d.id)
    about = {"kind": "question -> answer (Python FAQ, Perl FAQ), documentation sections as distractors",
             "source": f"{PY_DOCS}, {PERL_POD}", "seed": seed, "distractor_pool": len(pool),
             "distractor_max_chars": max_piece}
    return docs, queries, qrels, about
