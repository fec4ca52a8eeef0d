"""Write a small table as CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX bytes.

Text that could start a formula is made safe (core.safecells): plain text in XLSX, a
leading apostrophe in CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core.safecells import csv_value, workbook_bytes

FORMATS = ("csv", "xlsx")


def format_of(file_name: str) -> str | None:
    """Return the table format a file name asks for by its extension, or None."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return suffix if suffix in FORMATS else None


def write_table(header: Sequence[str], rows: Sequence[Sequence[str]], fmt: str) -> bytes:
    """Return the table as file bytes in the format `csv` or `xlsx`."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([csv_value(v) for v in header])
        writer.writerows([csv_value(v) for v in row] for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown table format {fmt!r}")
    from openpyxl import Workbook  # imported here: only file exports need it
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for index, title in enumerate(header):
        cells = [title, *(str(r[index]) for r in rows[:200] if index < len(r))]
        width = max(len(c) for c in cells)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width, 10), 60)
    return workbook_bytes(workbook)  # unit names are people's text: never formulas
