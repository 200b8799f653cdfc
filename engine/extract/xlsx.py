"""Excel .xlsx: each sheet headed by its name, each row a line of its cell values separated by " | ".

openpyxl reads the workbook in read-only mode, which streams a sheet's rows
instead of building every cell in memory, and with the values Excel cached for
formulas (what the user sees, not "=SUM(B2:B9)"). A sheet's declared size is
ignored (a stray cell at XFD1048576 would make every row 16,384 cells wide):
rows are as wide as their last cell. An empty row ends a block, as it usually
ends a table. Huge sheets stop at the character limit, or when the reader's time
is nearly spent (`deadline`), keeping what was read, marked partial; the
container is checked as every zipped format is (engine.extract.zipped).
"""

from __future__ import annotations

import datetime
import io
import time
from collections.abc import Iterable
from typing import Any

import openpyxl

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS
from engine.extract.zipped import check_zip

DAMAGED = "damaged Excel file: not a valid .xlsx file"
PROTECTED = "password-protected or old-format Excel file: Cairn reads only unprotected .xlsx files"
BOMB = "Excel file refused: it would expand to {what} (possible zip bomb)"
OUT_OF_TIME = "the rows after row {row} of sheet {sheet}, and the sheets after it, were not read in the time allowed"
_BLOCK_CHARS = 4000  # rows are handed to the builder in blocks about this long, so its limit is checked often
_CHECK_EVERY = 1000  # rows between looks at the clock


def extract_xlsx(data: bytes, deadline: float | None = None) -> Document:
    check_zip(data, damaged=DAMAGED, protected=PROTECTED, bomb=BOMB)
    builder = TextBuilder(MAX_CHARS)
    gap: str | None = None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            for number, sheet in enumerate(book.worksheets, start=1):
                if builder.full:
                    break
                builder.heading(sheet.title, 1)
                sheet.reset_dimensions()
                rows_read = _rows_into(builder, sheet.iter_rows(values_only=True), deadline)
                if rows_read is not None:
                    gap = OUT_OF_TIME.format(row=rows_read, sheet=number)
                    break
            title = book.properties.title if book.properties is not None else None
        finally:
            book.close()
    except Exception:  # zipfile, XML errors (an entity bomb among them), a missing part ...
        raise ExtractionError(DAMAGED) from None
    return builder.build("xlsx", title, gap=gap)


def _rows_into(builder: TextBuilder, rows: Iterable[tuple[Any, ...]], deadline: float | None) -> int | None:
    """Add the rows; when the deadline passes before the sheet's end, the number of rows read."""
    lines: list[str] = []
    size = 0
    for count, row in enumerate(rows, start=1):
        if deadline is not None and count % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            builder.paragraph("\n".join(lines))
            return count - 1
        cells = [text for value in row if value is not None and (text := _value_text(value))]
        if cells:
            line = " | ".join(cells)
            lines.append(line)
            size += len(line) + 1
        if lines and (not cells or size >= _BLOCK_CHARS):
            builder.paragraph("\n".join(lines))
            lines, size = [], 0
            if builder.full:
                return None
    builder.paragraph("\n".join(lines))
    return None


def _value_text(value: object) -> str:
    """A cell as Excel shows it in general format: 3 not 3.0, dates without a midnight time."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return " ".join(str(value).split())
