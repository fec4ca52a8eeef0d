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

A cell cannot hold a control character either (XML 1.0 has none but tab and line breaks;
openpyxl refuses the value), and officials' texts carry some: Word's line break (U+000B)
pasted into a chat. :func:`cell_value` makes such a text one a cell takes, its line and
page breaks as line breaks, the other control characters left out.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "FORMULA_START",
    "cell_value",
    "csv_value",
    "formula_like",
    "neutralise",
    "workbook_bytes",
]

V = TypeVar("V")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BREAKS = re.compile("[\x0b\x0c]")  # Word's line break, a page break: a line break in a cell
_NOT_IN_CELLS = re.compile("[\x00-\x08\x0e-\x1f]")  # what openpyxl refuses, besides


def cell_value(value: V) -> V:
    """Return a cell's value, a text without the control characters no cell can hold."""
    if isinstance(value, str) and not value.isprintable():
        return cast(V, _NOT_IN_CELLS.sub("", _BREAKS.sub("\n", value)))
    return value


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
