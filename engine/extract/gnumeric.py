"""Gnumeric workbooks (.gnumeric): gzip-compressed XML, one gnm:Sheet per sheet.

No maintained library reads them, and the format is simple: each sheet has a
name and a list of cells (row, column, value). The cells are gathered into rows
and laid out as the Excel readers lay out theirs (engine.extract.sheets), so a
search finds a Gnumeric sheet as it finds an .xlsx one. Formulas are left out
(only an expression is stored, not its value); constant cells, text and numbers,
are kept. The decompressed XML is capped (a gzip bomb is refused).
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.files import human_size
from engine.extract.limits import MAX_ZIP_MEMBER_BYTES
from engine.extract.sheets import sheets_into
from engine.extract.zipped import SAFE_XML

DAMAGED = "damaged Gnumeric file: not a valid .gnumeric workbook"
BOMB = "Gnumeric file refused: it would expand to more than {what} (possible gzip bomb)"
_GZIP = b"\x1f\x8b"
_FLOAT = "40"  # a cell's ValueType: 40 a number, 60 a string, 20 a boolean, 30 an error


def extract_gnumeric(data: bytes, deadline: float | None = None) -> Document:
    root = _root(_xml(data))
    builder = TextBuilder()
    gap = sheets_into(builder, _sheets(root), deadline)
    return builder.build("gnumeric", None, gap=gap)


def _xml(data: bytes) -> bytes:
    if not data.startswith(_GZIP):
        return data  # Gnumeric can save uncompressed XML too
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            xml = stream.read(MAX_ZIP_MEMBER_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        raise ExtractionError(DAMAGED) from None
    if len(xml) > MAX_ZIP_MEMBER_BYTES:
        raise ExtractionError(BOMB.format(what=human_size(MAX_ZIP_MEMBER_BYTES)))
    return xml


def _root(xml: bytes) -> etree._Element:
    try:
        root = etree.fromstring(xml, SAFE_XML)
    except etree.XMLSyntaxError:
        raise ExtractionError(DAMAGED) from None
    if etree.QName(root).localname != "Workbook":
        raise ExtractionError(DAMAGED)
    return root


def _local(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name)


def _sheets(root: etree._Element) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    for sheets in _local(root, "Sheets"):
        for number, sheet in enumerate(_local(sheets, "Sheet"), start=1):
            name = next((n.text for n in _local(sheet, "Name") if n.text), None) or f"Sheet {number}"
            yield name, _rows(sheet)


def _value(text: str, value_type: str | None) -> object:
    """A number as a number (shown as Excel shows it, engine.extract.sheets); anything else as its text."""
    if value_type == _FLOAT:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _rows(sheet: etree._Element) -> list[tuple[Any, ...]]:
    """The sheet's constant cells as rows, an empty row kept between rows apart (it ends a block)."""
    cells: dict[int, dict[int, object]] = {}
    for group in _local(sheet, "Cells"):
        for cell in _local(group, "Cell"):
            text = cell.text
            if not text or text.startswith("="):  # empty, or a formula whose value Gnumeric does not store
                continue
            try:
                row, column = int(cell.get("Row", "")), int(cell.get("Col", ""))
            except ValueError:
                continue
            cells.setdefault(row, {})[column] = _value(text, cell.get("ValueType"))
    rows: list[tuple[Any, ...]] = []
    previous: int | None = None
    for row in sorted(cells):
        if previous is not None and row > previous + 1:
            rows.append(())
        rows.append(tuple(cells[row][column] for column in sorted(cells[row])))
        previous = row
    return rows
