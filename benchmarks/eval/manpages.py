"""Known-item set from the manual pages installed on this machine.

Query: a page's one-line NAME description ("list directory contents"). Target:
that page with its NAME line removed, titled by the page's name ("ls(1)"). Only
descriptions that belong to exactly one page become queries, so each query has
one right answer; every eligible page stays in the corpus as a distractor.
Sections 1 and 8 (commands), English pages only; pages of one huge generated SDK
and Perl's own documentation (which the FAQ set uses) are left out.
"""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.eval.beir_layout import Doc
from benchmarks.textsource import SKIP, roff_to_text

MAN_ROOT = Path("/usr/share/man")
SECTIONS = ("man1", "man8")
# Very short pages say nothing; long ones (a fifth of the pages, half of the text) would
# dominate embedding time: 4,000 characters keeps the set at about 2,500 passages.
MIN_CHARS, MAX_CHARS = 400, 4_000
LEFT_OUT = (*SKIP, "perl")
_NAME_SECTION = re.compile(r"^\.SH\s+\"?NAME\"?\s*$(.*?)^\.SH", re.MULTILINE | re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    stem: str  # "ls.1"
    description: str  # "list directory contents"
    body: str


def pages() -> Iterator[Page]:
    for section in SECTIONS:
        for path in sorted((MAN_ROOT / section).glob("*.gz")):
            if path.name.startswith(LEFT_OUT):
                continue
            try:
                raw = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            except (OSError, EOFError):
                continue
            if raw.startswith(".so "):
                continue  # an alias of another page
            name = full_name_line(raw)
            _, body = roff_to_text(_without_name_section(raw))
            if not (MIN_CHARS <= len(body) <= MAX_CHARS) or " - " not in name:
                continue
            yield Page(path.name.removesuffix(".gz"), name.split(" - ", 1)[1].strip(), body)


def full_name_line(raw: str) -> str:
    """The whole NAME section on one line (roff_to_text keeps only its first line, which may be cut)."""
    match = _NAME_SECTION.search(raw)
    if not match:
        return ""
    words = []
    for line in match.group(1).splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        if line.startswith("."):
            parts = line.split(None, 1)
            if parts[0] in (".B", ".I", ".BR", ".IR", ".RB", ".BI", ".IB", ".RI") and len(parts) > 1:
                words.append(parts[1].replace('"', ""))
            continue
        words.append(line)
    name, _ = roff_to_text(".SH NAME\n" + " ".join(words) + "\n")
    return " ".join(name.split())


def _without_name_section(raw: str) -> str:
    """The page minus its whole NAME section: the query must not be left in the target."""
    match = _NAME_SECTION.search(raw)
    return raw if not match else raw[:match.start()] + raw[match.end() - len(".SH"):]


def good_query(description: str) -> bool:
    words = description.split()
    return len(words) >= 3 and "manual page" not in description.lower()


def build(max_queries: int, seed: int) -> tuple[list[Doc], dict[str, str], dict[str, dict[str, int]], dict[str, object]]:
    found = list(pages())
    counts = Counter(p.description.lower() for p in found)
    docs = [Doc(p.stem, _title(p.stem), p.body) for p in found]
    eligible = [p for p in found if counts[p.description.lower()] == 1 and good_query(p.description)]
    chosen = sorted(random.Random(seed).sample(eligible, min(max_queries, len(eligible))), key=lambda p: p.stem)
    queries = {f"q-{p.stem}": p.description for p in chosen}
    qrels = {f"q-{p.stem}": {p.stem: 1} for p in chosen}
    about = {"kind": "known-item: NAME description -> page without its NAME line",
             "source": f"{MAN_ROOT}/{{{','.join(SECTIONS)}}}", "seed": seed, "eligible_queries": len(eligible)}
    return docs, queries, qrels, about


def _title(stem: str) -> str:
    name, _, section = stem.rpartition(".")
    return f"{name}({section})"
