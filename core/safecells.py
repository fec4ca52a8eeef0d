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
goes through :func:`csv_value`; a write-only (streamed) workbook's cells are made safe as
they are written, through :func:`written`.

A cell cannot hold a control character either (XML 1.0 has none but tab and line breaks;
openpyxl refuses the value), and officials' texts carry some: Word's line break (U+000B)
pasted into a chat. :func:`cell_value` makes such a text one a cell takes, its line and
page breaks as line breaks, the other control characters left out.

Nor can a cell hold more than :data:`MAX_CELL` characters: Excel opens a workbook with a
longer one as damaged (many long explanations joined make one). :func:`cell_value` cuts
such a text, ending it with :data:`CUT_MARK` so that a reader sees it was cut, and
:func:`workbook_bytes` cuts any cell still longer, whatever wrote it.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CUT_MARK",
    "FORMULA_START",
    "MAX_CELL",
    "cell_value",
    "csv_value",
    "formula_like",
    "neutralise",
    "workbook_bytes",
    "written",
]

V = TypeVar("V")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BREAKS = re.compile("[\x0b\x0c]")  # Word's line break, a page break: a line break in a cell
_NOT_IN_CELLS = re.compile("[\x00-\x08\x0e-\x1f]")  # what openpyxl refuses, besides
MAX_CELL = 32_767  # Excel's most characters in a cell
CUT_MARK = "…"


def cell_value(value: V) -> V:
    """Return a cell's value: a text without the control characters no cell can hold,
    cut to MAX_CELL characters (its last one CUT_MARK) when longer."""
    if not isinstance(value, str):
        return value
    text: str = value
    if not text.isprintable():
        text = _NOT_IN_CELLS.sub("", _BREAKS.sub("\n", text))
    return cast(V, _cut(text))


def _cut(text: str) -> str:
    """Return the text, or its start and CUT_MARK when it is longer than a cell holds."""
    # Excel counts UTF-16 code units; a character outside the BMP (an emoji) counts two.
    if len(text) <= MAX_CELL // 2 or _units(text) <= MAX_CELL:
        return text
    kept, units = [], _units(CUT_MARK)
    for char in text:
        units += _units(char)
        if units > MAX_CELL:
            break
        kept.append(char)
    return "".join(kept) + CUT_MARK


def _units(text: str) -> int:
    """Return the text's length as Excel counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def formula_like(value: object) -> bool:
    """Tell whether a cell value is text that a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(book: Workbook) -> None:
    """Turn every formula-like text cell of the workbook into plain text, value unchanged."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > MAX_CELL // 2:
                    cell.value = _cut(cell.value)  # whatever wrote it: never a damaged book
                if formula_like(cell.value):
                    # openpyxl typed "=…" as a formula when it was assigned; the bot never
                    # writes formulas, so every such cell is someone's text.
                    cell.data_type = "s"
                    cell.quotePrefix = True


def written(sheet: Worksheet, value: Any, style: StyleArray | None = None) -> Any:
    """Return what a write-only sheet's row takes for a value (already `cell_value`'s):
    the value itself, or a cell of that `style` (a cell's `_style`), a formula-like text
    made plain text as `neutralise` makes it: a streamed sheet cannot be gone over again."""
    if style is None and not formula_like(value):
        return value
    from openpyxl.cell import Cell

    cell = Cell(sheet, 1, 1, value, style_array=style)
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def workbook_bytes(book: Workbook) -> bytes:
    """Return the workbook as XLSX bytes, with every formula-like text made plain text (in
    a write-only book, `written` made each as it was written)."""
    if not book.write_only:
        neutralise(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_value(value: object) -> object:
    """Return a CSV field, with a leading apostrophe when its text is formula-like."""
    return f"'{value}" if formula_like(value) else value
