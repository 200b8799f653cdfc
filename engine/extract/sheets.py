"""Spreadsheet rows as text, shared by the Excel readers (.xlsx and the older .xls).

Each sheet is headed by its name and each row is a line of its cell values
separated by " | "; an empty row ends a block, as it usually ends a table.
Values read as the spreadsheet shows them in general format (3 not 3.0, a date
without a midnight time), so a search for "2024-03-01" or "1200.5" finds them.
A huge workbook stops at the builder's character limit, or when the reader's
time is nearly spent (`deadline`), keeping what was read and naming the gap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from engine.extract.builder import TextBuilder
from engine.extract.limits import ROWS_OUT_OF_TIME, past

_BLOCK_CHARS = 4000  # rows are handed to the builder in blocks about this long, so its limit is checked often
_CHECK_EVERY = 1000  # rows between looks at the clock

Sheet = tuple[str, Iterable[tuple[Any, ...]]]  # (name, rows of cell values; None for an empty cell)


def sheets_into(builder: TextBuilder, sheets: Iterable[Sheet], deadline: float | None) -> str | None:
    """Add each sheet under its name; the gap message when the deadline stopped the reading, else None.

    `sheets` may be lazy: a sheet after the limit or the deadline is never asked for."""
    for number, (name, rows) in enumerate(sheets, start=1):
        if builder.full:
            break
        builder.heading(name, 1)
        rows_read = _rows_into(builder, rows, deadline)
        if rows_read is not None:
            return ROWS_OUT_OF_TIME.format(row=rows_read, sheet=number)
    return None


def _rows_into(builder: TextBuilder, rows: Iterable[tuple[Any, ...]], deadline: float | None) -> int | None:
    """Add the rows; when the deadline passes before the sheet's end, the number of rows read."""
    lines: list[str] = []
    size = 0
    for count, row in enumerate(rows, start=1):
        if count % _CHECK_EVERY == 0 and past(deadline):
            builder.paragraph("\n".join(lines))
            return count - 1
        cells = [text for value in row if value is not None and (text := value_text(value))]
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


def value_text(value: object) -> str:
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
