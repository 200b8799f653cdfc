"""Word .docx: body paragraphs and tables in reading order, headings from styles.

python-docx reads styles, tables and metadata, but its paragraph text sees only
plain runs and hyperlinks, and its block list only direct paragraphs and tables.
Word wraps text in more than that: tracked insertions (w:ins), content controls
(w:sdt, in templates and forms), smart tags, simple fields, custom XML. Those
wrappers are opened here so their text is found; deleted text (w:del, and the
old place of moved text, w:moveFrom) is left out, as Word shows the document
with its changes accepted.

A .docx is a zip of XML parts and python-docx loads every part into memory, so
it is checked as every zipped format is (engine.extract.zipped: zip bombs are
refused before a part is read). A file that is not a zip but an OLE container is
a Word 97-2003 file under the new name, or one saved with a password: the .doc
reader reads the one and names the other. A relationship to a part
the zip lacks (Target="NULL", a thumbnail or numbering part a converter dropped)
makes python-docx refuse a file Word opens, so such links are cut and the file
read again: only a missing or unreadable main document part makes it "damaged".
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as WordDocument
from docx.opc.packuri import PackURI
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart
from lxml import etree

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.zipped import check_zip, properties_title, with_main_type

DAMAGED = "damaged Word document: not a valid .docx file"
BOMB = "Word document refused: it would expand to {what} (possible zip bomb)"
_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_P, _TBL = qn("w:p"), qn("w:tbl")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
# Inline wrappers whose runs are part of the text a reader sees. Not listed, so
# skipped: w:del and w:moveFrom (removed text), and drawings, whose text boxes
# are not part of the paragraph's own text.
_INLINE_WRAPPERS = frozenset(qn(f"w:{tag}") for tag in (
    "ins", "moveTo", "hyperlink", "smartTag", "fldSimple", "customXml", "sdt", "sdtContent", "dir", "bdo",
))
# The run children CT_R.text renders ("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab").
_RUN_CONTENT = frozenset(qn(f"w:{tag}") for tag in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)  # no entity expansion ("billion laughs")


def extract_docx(data: bytes) -> Document:
    check_container(data)
    builder = TextBuilder()
    try:
        document = _open(data)
        first_title: str | None = None
        levels: dict[str | None, tuple[int, bool]] = {}
        for block in _blocks(document.element.body, document):
            if builder.full:
                break
            if isinstance(block, Table):
                builder.paragraph(table_text(block))
                continue
            text = paragraph_text(block)
            level, is_title = _heading_level(block, levels)
            if level:
                builder.heading(text, level)
                if is_title and first_title is None:
                    first_title = text
            else:
                builder.paragraph(text)
        title = properties_title(document) or first_title
    except Exception:  # lxml, KeyError on a missing part, ValueError on a wrong content type ...
        raise ExtractionError(DAMAGED) from None
    return builder.build("docx", title)


# Macro-enabled documents and templates (.docm .dotx .dotm): their main part's content type
_VARIANTS = re.compile(rb"application/vnd\.(?:ms-word\.document\.macroEnabled|ms-word\.template\.macroEnabledTemplate"
                       rb"|openxmlformats-officedocument\.wordprocessingml\.template)\.main\+xml")
_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _open(data: bytes) -> WordDocument:
    data = with_main_type(data, _VARIANTS, _MAIN)
    try:
        return docx.Document(io.BytesIO(data))
    except KeyError:  # zipfile's "There is no item named ... in the archive"
        repaired = _without_dangling_relationships(data)
        if repaired is None:
            raise
        return docx.Document(io.BytesIO(repaired))


def _without_dangling_relationships(data: bytes) -> bytes | None:
    """A copy of the package whose .rels files name only parts it holds; None when none was dangling."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        pruned = {name: rels for name in names
                  if name.endswith(".rels") and (rels := _pruned_rels(name, archive.read(name), names)) is not None}
        if not pruned:
            return None
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for info in archive.infolist():
                copy.writestr(info, pruned[info.filename] if info.filename in pruned else archive.read(info))
    return out.getvalue()


def _pruned_rels(rels_name: str, xml: bytes, names: set[str]) -> bytes | None:
    """The relationships file without its links to missing parts; None if it has none (or is unreadable)."""
    try:
        root = etree.fromstring(xml, _SAFE_XML)
    except etree.XMLSyntaxError:
        return None
    # the part a .rels file belongs to sits one folder up: word/_rels/document.xml.rels -> /word
    base = "/" + posixpath.dirname(posixpath.dirname(rels_name))
    dangling = [rel for rel in root.iter(_RELATIONSHIP) if rel.get("TargetMode") != "External"
                and PackURI.from_rel_ref(base, rel.get("Target", "")).membername not in names]
    for rel in dangling:
        rel.getparent().remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if dangling else None


def check_container(data: bytes) -> None:
    """Refuse what is not a .docx, or would inflate beyond the limits, before any part is read."""
    check_zip(data, damaged=DAMAGED, bomb=BOMB)


def table_text(table: Table) -> str:
    """One line per row, cells separated by ' | '; a merged cell counts once."""
    lines = []
    for row in table.rows:
        cells: list[_Cell] = []
        for cell in row.cells:
            if not cells or cell is not cells[-1]:
                cells.append(cell)
        texts = (_cell_text(cell) for cell in cells)
        line = " | ".join(t for t in texts if t)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _cell_text(cell: _Cell) -> str:
    parts = []
    for block in _blocks(cell._tc, cell):
        text = table_text(block) if isinstance(block, Table) else paragraph_text(block)
        if text.strip():
            parts.append(" ".join(text.split()))
    return " ".join(parts)


def _blocks(container: BaseOxmlElement, parent: ProvidesStoryPart) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in reading order, including those inside block content controls and custom XML.

    `parent` (the document or a table cell) is what python-docx resolves styles
    through, so a heading inside a content control is still a heading.
    """
    for child in container.iterchildren():
        if child.tag == _P:
            yield Paragraph(child, parent)
        elif child.tag == _TBL:
            yield Table(child, parent)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content, parent)
        elif child.tag == _CUSTOM_XML:
            yield from _blocks(child, parent)


def paragraph_text(paragraph: Paragraph) -> str:
    """The paragraph's text as Word shows it with changes accepted (python-docx's .text misses wrapped runs)."""
    return "".join(_run_texts(paragraph._p))


def _run_texts(element: BaseOxmlElement) -> Iterator[str]:
    for child in element.iterchildren():
        if isinstance(child, CT_R):
            yield _run_text(child)
        elif child.tag in _INLINE_WRAPPERS:
            yield from _run_texts(child)


def _run_text(run: CT_R) -> str:
    """What python-docx's CT_R.text gives, from the same elements and their own rendering of tabs,
    breaks and no-break hyphens; CT_R.text finds them with an XPath compiled anew on every run,
    half the time of reading a long document of short lines."""
    return "".join(str(e) for e in run.iterchildren() if e.tag in _RUN_CONTENT)


def _heading_level(paragraph: Paragraph, known: dict[str | None, tuple[int, bool]]) -> tuple[int, bool]:
    """(level, is the "Title" style); level 0 for body text. Built-in style names are English in every locale.

    A style id the file does not define (its styles part missing, or a tool that
    never wrote one) resolves to the default style: its id ("Heading1") is used.
    The answer depends on the style id alone, so it is looked up once per id in
    `known`: python-docx finds a paragraph's style by reading every style of the
    file (all of them when the paragraph names none, the commonest case), 0.4 ms
    a paragraph with the 164 styles of python-docx's own template: 40 s for 100,000 short lines.
    """
    style_id = paragraph._p.style
    if style_id not in known:
        known[style_id] = _style_heading_level(paragraph, style_id)
    return known[style_id]


def _style_heading_level(paragraph: Paragraph, style_id: str | None) -> tuple[int, bool]:
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    if style_id and (style is None or style.style_id != style_id):
        name = style_id
    if name.lower() == "title":
        return 1, True
    match = _HEADING_STYLE.fullmatch(name.strip())
    return (int(match.group(1)), False) if match else (0, False)
