"""Real text that nobody here wrote: the manual pages installed on this machine.

Used by the benchmarks (and evaluation sets) instead of downloads. The roff markup
is stripped with a few rules; that is plenty for timing and retrieval tests.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

MAN_DIR = Path("/usr/share/man/man1")

_FONT = re.compile(r"\\f(\[[^\]]*\]|\(..|.)")
_ESCAPES = [(re.compile(r"\\-"), "-"), (re.compile(r"\\\(em|\\\(en"), "—"), (re.compile(r"\\\((lq|rq|dq)"), '"'),
            (re.compile(r"\\&|\\/|\\,|\\:|\\%|\\\||\\\^"), ""), (re.compile(r"\\e"), r"\\\\"), (re.compile(r"\\ "), " ")]


def roff_to_text(source: str) -> tuple[str, str]:
    """(name line, body text) of a man page."""
    out: list[str] = []
    name = ""
    section = ""
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        if line.startswith("."):
            parts = line.split(None, 1)
            macro = parts[0]
            rest = parts[1].strip('"') if len(parts) > 1 else ""
            if macro == ".SH":
                section = rest.upper()
                out.append("\n" + rest.title() + "\n")
            elif macro in (".PP", ".P", ".LP", ".TP", ".IP", ".sp", ".br"):
                out.append("\n")
            elif macro in (".B", ".I", ".BR", ".IR", ".RB", ".BI", ".IB", ".RI"):
                out.append(rest.replace('" "', " ").replace('"', ""))
            continue
        text = _clean(line)
        if section == "NAME" and not name:
            name = text
            continue
        out.append(text)
    paragraphs = re.split(r"\n\s*\n", "\n".join(out))
    body = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return name, body


def _clean(line: str) -> str:
    line = _FONT.sub("", line)
    for pattern, repl in _ESCAPES:
        line = pattern.sub(repl, line)
    return line


SKIP = ("gcloud", "bq", "gsutil")  # thousands of near-identical generated pages of one SDK


def read_roff(path: Path) -> str | None:
    """A gzipped manual page's roff source; None for a damaged file or an alias (`.so other-page`)."""
    try:
        raw = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    except (OSError, EOFError):
        return None
    return None if raw.startswith(".so ") else raw


def man_pages(limit: int | None = None, min_chars: int = 400) -> Iterator[tuple[str, str, str]]:
    """(page file stem, NAME line, body) for readable English pages, in a stable order."""
    count = 0
    for path in sorted(MAN_DIR.glob("*.gz")):
        if path.name.startswith(SKIP):
            continue
        raw = read_roff(path)
        if raw is None:
            continue
        name, body = roff_to_text(raw)
        if len(body) < min_chars or " - " not in name:
            continue
        yield path.name.removesuffix(".gz"), name, body
        count += 1
        if limit is not None and count >= limit:
            return
