"""Write a small table as CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX bytes.

Text that could start a formula is made safe (core.safecells): plain text in XLSX, a
leading apostrophe in CSV; an XLSX cell holds no control character and no more than a cell
may (`core.safecells.cell_value`). A date is a real date in XLSX (shown dd/mm/yyyy, so it sorts and
filters as one) and dd/mm/yyyy text in CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from core.safecells import cell_value, csv_value, workbook_bytes

FORMATS = ("csv", "xlsx")
DATE_FORMAT = "DD/MM/YYYY"
SHEET_TITLE_MAX = 31  # Excel's limit
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
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.title = _sheet_title(title)
    # A unit's name is people's text: a control character pasted in it, or a text longer
    # than a cell holds, would make openpyxl refuse the sheet or Excel call it damaged.
    sheet.append([cell_value(v) for v in header])
    for row in rows:
        sheet.append([cell_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for index, name in enumerate(header):
        cells = [name, *(_text(r[index]) for r in rows[:200] if index < len(r))]
        width = max(len(c) for c in cells)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width, 10), 60)
    return workbook_bytes(workbook)  # unit names are people's text: never formulas


def _text(value: Cell) -> str:
    """Return a cell as text: a date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def _sheet_title(title: str) -> str:
    """Return a title Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Sheet"
