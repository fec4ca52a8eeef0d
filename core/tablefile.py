"""Write a small table as CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX bytes.

Text that could start a formula is made safe (core.safecells): plain text in XLSX, a
leading apostrophe in CSV; an XLSX cell holds no control character and no more than a cell
may (`core.safecells.cell_value`). A date is a real date in XLSX (shown dd/mm/yyyy, so it sorts and
filters as one) and dd/mm/yyyy text in CSV; a (local, naive) datetime likewise, hh:mm
dd/mm/yyyy. In XLSX each column is as wide as its longest text, within MAX_WIDTH, a longer
text wrapped in its cell, and the sheet prints landscape, one page wide, its header on
each page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from core.safecells import cell_value, csv_value, workbook_bytes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = ("csv", "xlsx")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "HH:MM DD/MM/YYYY"
SHEET_TITLE_MAX = 31  # Excel's limit
# A column's width in characters: a unit's long name is wrapped within the widest rather
# than cut off at the next cell's edge, on screen and in print.
MIN_WIDTH, MAX_WIDTH = 10, 60
MAX_WORD = 100  # a link's column is as wide as the link, within this
Cell = str | date


def format_of(file_name: str) -> str | None:
    """Return the table format a file name asks for by its extension, or None."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return suffix if suffix in FORMATS else None


def write_table(
    header: Sequence[str], rows: Sequence[Sequence[Cell]], fmt: str, *, title: str = ""
) -> bytes:
    """Return the table as file bytes in the format `csv` or `xlsx` (its sheet named `title`)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([csv_value(v) for v in header])
        writer.writerows([csv_value(_text(c)) for c in row] for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown table format {fmt!r}")
    from openpyxl import Workbook  # imported here: only file exports need it
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.title = _sheet_title(title)
    widths = _widths(header, rows)
    wrapped = Alignment(wrap_text=True, vertical="top")
    # A unit's name is people's text: a control character pasted in it, or a text longer
    # than a cell holds, would make openpyxl refuse the sheet or Excel call it damaged.
    sheet.append([cell_value(v) for v in header])
    for number, row in enumerate(rows, start=2):
        sheet.append([cell_value(v) for v in row])
        # The row's own cells, by number: `sheet.max_row` goes over every cell written,
        # so that 13,000 units' invitations took half a minute (quadratic).
        for cell in (sheet.cell(number, column) for column in range(1, len(row) + 1)):
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, str) and _overflows(cell.value, widths[cell.column - 1]):
                cell.alignment = wrapped
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    print_wide(sheet, header_rows=1)
    return workbook_bytes(workbook)  # unit names are people's text: never formulas


def print_wide(sheet: Worksheet, *, header_rows: int) -> None:
    """Print the sheet as wide as an A4 page turned landscape, its first `header_rows` rows
    (the title and the column names) on each page."""
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a streamed sheet has not its own
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"1:{header_rows}"


def _widths(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Return each column's width: its longest text (every row's, a line's of several),
    within MIN_WIDTH and MAX_WIDTH, a longer text being wrapped in its cell; but as wide as
    its longest word (a link, a code: wrapped, it would be cut in two), within MAX_WORD."""
    lines = [len(name) for name in header]
    words = [0 for _ in header]
    for row in rows:
        for index, value in enumerate(row[: len(lines)]):
            text = _text(value)
            lines[index] = max(lines[index], *(len(line) for line in text.split("\n")))
            words[index] = max(words[index], *(len(word) for word in text.split() or [""]))
    return [
        max(min(line + 2, MAX_WIDTH), min(word + 2, MAX_WORD), MIN_WIDTH)
        for line, word in zip(lines, words, strict=True)
    ]


def _overflows(text: str, width: int) -> bool:
    """Tell whether a text needs its cell wrapped: longer than its column, or of several
    lines (a cell not wrapped shows its line breaks as nothing)."""
    return len(text) > width or "\n" in text


def _text(value: Cell) -> str:
    """Return a cell as text: a date as dd/mm/yyyy, a datetime as hh:mm dd/mm/yyyy."""
    if isinstance(value, datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def _sheet_title(title: str) -> str:
    """Return a title Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Sheet"
