"""Excel .xlsx: each sheet headed by its name, each row a line of its cell values separated by " | ".

openpyxl reads the workbook in read-only mode, which streams a sheet's rows
instead of building every cell in memory, and with the values Excel cached for
formulas (what the user sees, not "=SUM(B2:B9)"). A sheet's declared size is
ignored (a stray cell at XFD1048576 would make every row 16,384 cells wide):
rows are as wide as their last cell. An empty row ends a block, as it usually
ends a table. Huge sheets stop at the character limit, or when the reader's time
is nearly spent (`deadline`), keeping what was read, marked partial; the
container is checked as every zipped format is (engine.extract.zipped). An OLE
container instead of a zip is an Excel 97-2003 file under the new name, or one
saved with a password: the .xls reader reads the one and names the other.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
from openpyxl.workbook.workbook import Workbook

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS
from engine.extract.sheets import Sheet, sheets_into
from engine.extract.zipped import check_zip

DAMAGED = "damaged Excel file: not a valid .xlsx file"
BOMB = "Excel file refused: it would expand to {what} (possible zip bomb)"


def extract_xlsx(data: bytes, deadline: float | None = None) -> Document:
    check_zip(data, damaged=DAMAGED, bomb=BOMB)
    builder = TextBuilder(MAX_CHARS)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            gap = sheets_into(builder, _sheets(book), deadline)
            title = book.properties.title if book.properties is not None else None
        finally:
            book.close()
    except Exception:  # zipfile, XML errors (an entity bomb among them), a missing part ...
        raise ExtractionError(DAMAGED) from None
    return builder.build("xlsx", title, gap=gap)


def _sheets(book: Workbook) -> Iterator[Sheet]:
    """Each sheet's rows as wide as their last cell: its declared size is ignored (see the module's note)."""
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        yield sheet.title, sheet.iter_rows(values_only=True)
