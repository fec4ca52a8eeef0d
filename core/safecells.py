"""Keep people's text in the spreadsheets the bot writes from being run as formulas.

Unit names, file names and report texts come from officials' chats; a name such as
``=HYPERLINK("http://…","Sở Y tế")`` must open in Excel as that text, not as a link (CSV/
formula injection, security review issue 13). Text is formula-like when it starts with
one of :data:`FORMULA_START`.

- XLSX: the cell keeps its exact visible value and is forced to the string type, with
  Excel's quote prefix set, so it stays text even when someone edits the cell.
- CSV has no cell types, so a formula-like value gets a leading apostrophe (the usual
  practice, OWASP): Excel shows ``'=1+1``, which is visible but harmless.

Every workbook the bot writes is saved through :func:`workbook_bytes` and every CSV value
goes through :func:`csv_value`.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["FORMULA_START", "csv_value", "formula_like", "neutralise", "workbook_bytes"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Tell whether a cell value is text that a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(book: Workbook) -> None:
    """Turn every formula-like text cell of the workbook into plain text, value unchanged."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if formula_like(cell.value):
                    # openpyxl typed "=…" as a formula when it was assigned; the bot never
                    # writes formulas, so every such cell is someone's text.
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(book: Workbook) -> bytes:
    """Return the workbook as XLSX bytes, with every formula-like text made plain text."""
    neutralise(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_value(value: object) -> object:
    """Return a CSV field, with a leading apostrophe when its text is formula-like."""
    return f"'{value}" if formula_like(value) else value
