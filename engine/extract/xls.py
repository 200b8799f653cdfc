"""Excel 97-2003 .xls: rendered as the .xlsx reader renders a workbook (engine.extract.sheets).

xlrd 2 reads exactly this format (BIFF in an OLE container) with the values
Excel saved for formulas. A sheet is loaded when its turn comes and let go
after, so one sheet at a time is held in memory. Dates are numbers with a date
format in Excel; xlrd says which cells are dates, and they read as dates.
A file saved with a password ("Protect Workbook" with a password to open) is
encrypted, and named as such; so is an Office 2007+ file encrypted under an
.xls name (engine.extract.ole). An unencrypted .xlsx under an .xls name is read
by the .xlsx reader.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import xlrd
from xlrd.biffh import XL_CELL_BLANK, XL_CELL_BOOLEAN, XL_CELL_DATE, XL_CELL_EMPTY, XL_CELL_ERROR, XLRDError
from xlrd.book import Book

from engine.errors import ExtractionError
from engine.extract.builder import TextBuilder
from engine.extract.document import Document
from engine.extract.limits import MAX_CHARS
from engine.extract.ole import NotOle, is_encrypted_package, open_ole, summary_title
from engine.extract.sheets import Sheet, sheets_into

DAMAGED = "damaged Excel file: not a valid .xls file"
PROTECTED = "password-protected Excel file: Cairn reads only workbooks saved without a password"


def extract_xls(data: bytes, deadline: float | None = None) -> Document:
    title = _title(data)
    try:
        # xlrd writes its warnings about odd files to `logfile` (standard output by default)
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=io.StringIO())
    except XLRDError as error:
        raise ExtractionError(PROTECTED if "encrypted" in str(error) else DAMAGED) from None
    except Exception:  # struct.error, IndexError ... on a broken record or sector table
        raise ExtractionError(DAMAGED) from None
    builder = TextBuilder(MAX_CHARS)
    try:
        gap = sheets_into(builder, _sheets(book), deadline)
    except Exception:
        raise ExtractionError(DAMAGED) from None
    finally:
        book.release_resources()
    return builder.build("xls", title, gap=gap)


def _title(data: bytes) -> str | None:
    """The title from the file's properties; refuses an encrypted Office 2007+ file before xlrd calls it damaged."""
    try:
        ole = open_ole(data)
    except NotOle:
        return None  # xlrd names it
    with ole:
        if is_encrypted_package(ole):
            raise ExtractionError(PROTECTED)
        return summary_title(ole)


def _sheets(book: Book) -> Iterator[Sheet]:
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        rows = (zip(sheet.row_types(row), sheet.row_values(row)) for row in range(sheet.nrows))
        yield sheet.name, (tuple(_value(kind, value, book.datemode) for kind, value in row) for row in rows)
        book.unload_sheet(index)


def _value(kind: int, value: Any, datemode: int) -> Any:
    """A cell's value as openpyxl gives it (None when empty), for engine.extract.sheets to render."""
    if kind in (XL_CELL_EMPTY, XL_CELL_BLANK):
        return None
    if kind == XL_CELL_BOOLEAN:
        return bool(value)
    if kind == XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value)
    if kind == XL_CELL_DATE:
        return _date(value, datemode)
    return value


def _date(value: float, datemode: int) -> datetime.datetime | datetime.time | float:
    """A time of day alone (no date part) reads as a time; a number no date can be stays a number."""
    try:
        year, month, day, hour, minute, second = xlrd.xldate_as_tuple(value, datemode)
        if (year, month, day) == (0, 0, 0):
            return datetime.time(hour, minute, second)
        return datetime.datetime(year, month, day, hour, minute, second)
    except (xlrd.xldate.XLDateError, ValueError):
        return value
