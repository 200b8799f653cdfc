"""Just enough of reStructuredText and POD to turn documentation sources into plain sections.

Not full parsers: headings become section borders, directives and formatting
codes are dropped or reduced to their visible text, code blocks stay as they
are. What comes out reads like the rendered page, which is what a person's copy
of such a document would hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    trail: tuple[str, ...]  # headings from the page title down to this section's own
    body: str

    @property
    def heading(self) -> str:
        return self.trail[-1] if self.trail else ""


# ---------------------------------------------------------------- reStructuredText

_RST_ADORN = re.compile(r"^([=\-~^\"'`*+#:.])\1{2,}\s*$")
_ROLE = re.compile(r":[\w.:+-]+:`([^`]*)`")
_REF = re.compile(r"`([^`<]*?)\s*<[^>`]*>`_{1,2}")
_NAMED = re.compile(r"`([^`]+)`_{1,2}")
_LITERAL = re.compile(r"``(.+?)``")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|\*(\S(?:.*?\S)?)\*")
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_DROP_BLOCK = {"index", "toctree", "contents", "image", "figure", "literalinclude", "raw", "highlight",
               "sectionauthor", "moduleauthor", "include", "testsetup", "testcleanup", "only", "tabularcolumns",
               "productionlist", "csv-table", "audit-event", "audit-event-table", "include"}
_LABELS = {"note": "Note:", "warning": "Warning:", "seealso": "See also:", "important": "Important:",
           "tip": "Tip:", "caution": "Caution:", "attention": "Attention:"}


def rst_inline(text: str) -> str:
    def role(m: re.Match[str]) -> str:
        inner = m.group(1)
        if "<" in inner and inner.endswith(">"):
            inner = inner[:inner.index("<")].strip() or inner[inner.index("<") + 1:-1]
        return inner.lstrip("~!")

    text = _ROLE.sub(role, text)
    text = _REF.sub(r"\1", text)
    text = _NAMED.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    return _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)


def rst_sections(source: str) -> Iterator[Section]:
    """Sections of one .rst page, each with the trail of headings above it."""
    lines = source.splitlines()
    styles: list[tuple[str, bool]] = []  # heading adornments in order of first use = levels
    trail: list[tuple[int, str]] = []
    body: list[str] = []
    i = 0
    while i < len(lines):
        heading = _rst_heading(lines, i)
        if heading is None:
            body.append(lines[i])
            i += 1
            continue
        text, style, used = heading
        if trail or body:
            yield Section(tuple(t for _, t in trail), _rst_body(body))
        body = []
        if style not in styles:
            styles.append(style)
        level = styles.index(style)
        trail = [t for t in trail if t[0] < level] + [(level, rst_inline(text))]
        i += used
    yield Section(tuple(t for _, t in trail), _rst_body(body))


def _rst_heading(lines: list[str], i: int) -> tuple[str, tuple[str, bool], int] | None:
    """(title, (char, overlined), lines used) when a heading starts at line i."""
    line = lines[i]
    over = _RST_ADORN.match(line)
    if over and i + 2 < len(lines) and lines[i + 1].strip() and _RST_ADORN.match(lines[i + 2]) \
            and lines[i + 2].strip()[0] == line.strip()[0]:
        return lines[i + 1].strip(), (line.strip()[0], True), 3
    if (line.strip() and not line[0].isspace() and i + 1 < len(lines) and not over
            and (m := _RST_ADORN.match(lines[i + 1])) and len(lines[i + 1].rstrip()) >= len(line.rstrip()) - 1
            and not line.startswith("..") and m.group(1) not in ".:"):
        return line.strip(), (lines[i + 1].strip()[0], False), 2
    return None


def _rst_body(lines: list[str]) -> str:
    out: list[str] = []
    skip_indent: int | None = None  # inside a dropped directive block: lines indented deeper are dropped
    code_indent: int | None = None  # inside a literal block: lines indented deeper are code, kept verbatim
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if not line.strip() or indent > skip_indent:
                continue
            skip_indent = None
        if code_indent is not None:
            if not line.strip() or indent > code_indent:
                out.append(CODE + line if line.strip() else "")
                continue
            code_indent = None
        if re.match(r"^:[\w-]+:(\s|$)", line):
            continue  # page metadata such as :tocdepth:
        m = _DIRECTIVE.match(line)
        if m:
            name, argument = m.group(2), m.group(3).strip()
            if name in _DROP_BLOCK:
                skip_indent = indent
            elif name in _LABELS:
                out.append(_LABELS[name] + (" " + argument if argument else ""))
            elif name.startswith("version") or name == "deprecated":
                what = {"versionadded": "New in version", "versionchanged": "Changed in version",
                        "deprecated": "Deprecated since version"}.get(name, "Version")
                out.append(f"{what} {argument}.")
            elif name in ("code-block", "sourcecode", "code", "doctest", "testcode", "testoutput"):
                code_indent = indent
            elif argument:
                out.extend(["", CODE + argument, ""])  # function::, class::, module:: signatures
            continue
        if line.lstrip().startswith(".. "):
            continue  # comments, link targets, substitution definitions
        if re.match(r"^\s+:[\w-]+:", line) and out and not out[-1].strip():
            continue  # directive options
        if line.rstrip().endswith("::"):
            code_indent = indent
            line = line.rstrip()[:-2].rstrip()
            line = line + ":" if line.strip() else line
        out.append(line.strip())
    return _paragraphs(out, rst_inline)


# ---------------------------------------------------------------- POD

_POD_CODE = re.compile(r"([A-Z])<(<+\s)?")
_ENTITIES = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/", "quot": '"', "amp": "&", "apos": "'",
             "nbsp": " ", "eacute": "é", "copy": "©"}


def pod_inline(text: str) -> str:
    """Formatting codes (C<...>, L<...>, E<gt>, C<< ... >>) reduced to the text a reader sees."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _POD_CODE.match(text, i)
        if not m:
            out.append(text[i])
            i += 1
            continue
        code, opener = m.group(1), m.group(2)
        start = m.end()
        if opener:  # C<< ... >> : ends at a run of as many '>' preceded by white space
            closer = " " + ">" * (len(opener) - 1)
            end = text.find(closer, start)
            end = len(text) if end < 0 else end
            inner, i = text[start:end].strip(), end + len(closer)
        else:
            depth, j = 1, start
            while j < len(text) and depth:
                if text[j] == "<" and j > 0 and text[j - 1].isupper():
                    depth += 1
                elif text[j] == ">":
                    depth -= 1
                j += 1
            inner, i = text[start:j - 1], j
        out.append(_pod_code(code, pod_inline(inner)))
    return "".join(out)


def _pod_code(code: str, inner: str) -> str:
    if code == "E":
        return _ENTITIES.get(inner, chr(int(inner[2:], 16)) if inner.startswith("0x") else
                             chr(int(inner)) if inner.isdigit() else "")
    if code in "XZ":
        return ""
    if code == "L":
        if "|" in inner:
            return inner.split("|", 1)[0]
        if "/" in inner and not inner.startswith(("http:", "https:", "ftp:")):
            page, _, section = inner.partition("/")
            section = section.strip('"')
            return f'"{section}" in {page}' if page else f'"{section}"'
        return inner
    return inner


def pod_sections(source: str) -> Iterator[Section]:
    """Sections of one .pod page by =head1..=head4, with =item lines kept as text."""
    trail: list[tuple[int, str]] = []
    body: list[str] = []
    skipping = False  # inside =begin ... =end
    started = False
    for line in source.splitlines():
        if skipping:
            skipping = not line.startswith("=end")
            continue
        if line.startswith("=begin"):
            skipping = True
            continue
        if line.startswith("=head"):
            if started:
                yield Section(tuple(t for _, t in trail), _paragraphs(body, pod_inline))
            started, body = True, []
            level = int(line[5]) if line[5:6].isdigit() else 1
            trail = [t for t in trail if t[0] < level] + [(level, pod_inline(line[6:].strip()))]
            continue
        if line.startswith("=item"):
            body.extend(["", line[5:].strip(), ""])
            continue
        if line.startswith("="):
            continue  # =over, =back, =cut, =pod, =encoding, =for
        body.append(line)
    if started:
        yield Section(tuple(t for _, t in trail), _paragraphs(body, pod_inline))


CODE = "\x00"  # marks a line of a literal block in _rst_body's output


def _paragraphs(lines: list[str], inline: Callable[[str], str]) -> str:
    """Blank-line separated paragraphs: prose joined and cleaned of markup (a list item starts a
    new line), code blocks (indented, or marked CODE) kept as they are."""
    text = "\n".join(l.rstrip() for l in lines)
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    out = []
    for block in blocks:
        rows = block.split("\n")
        if rows[0].lstrip().startswith(">>>") or all(r[:1].isspace() or r.startswith(CODE) for r in rows if r.strip()):
            # code, or an interactive session (a doctest block): line breaks are part of it
            out.append("\n".join(r.removeprefix(CODE) for r in rows))
            continue
        items: list[list[str]] = []
        for row in rows:
            if not items or _BULLET.match(row):
                items.append([])
            items[-1].append(row.removeprefix(CODE))
        out.append("\n".join(" ".join(inline(" ".join(item)).split()) for item in items))
    return "\n\n".join(out).strip()


_BULLET = re.compile(r"^\s*([*+-]|#\.|\d+\.)\s")
