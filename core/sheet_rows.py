"""A streamed sheet's rows written as the sheet's XML text, then spliced into the saved file.

openpyxl writes each cell of a write-only sheet through a cell object (its type bound, its
style looked up, an lxml element written): tens of microseconds a cell, and the export of
52,000 assignments has 810,000 cells. :class:`SheetRows` writes the XML openpyxl writes for
the same values and styles (each cell's `r`, `s` and `t`, inline strings, dates as Excel's
serial numbers, every character past ASCII as a character reference), as text, to a
temporary file; :func:`spliced` puts each sheet's rows into the saved workbook where its
sheet's rows end. What a cell of a (column, kind of value) is, its type and style, is asked
of openpyxl once (`core.safecells.written`, a formula-like text kept text), in the order
openpyxl would have met it, so that the styles' numbering is the same too.
tests/core/test_sheet_rows.py compares both writers' files, part by part.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from core import zip_splice
from core.safecells import FORMULA_START, written

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["SheetRows", "spliced"]

StyleOf = Callable[[Any, int], "StyleArray | None"]
_END_ROWS = b"</sheetData>"
_LONGEST = 32_767  # openpyxl cuts a longer text
# A text that is not plain: empty, typed otherwise (formula-like, an error code), its
# spaces kept, a character to escape or that no cell holds.
_odd = re.compile(
    r"^(?:$|[=+\-@\s]|#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)$)|\s$|[\x00-\x08\x0b-\x1f&<>]"
).search
_BATCH = 500  # rows encoded and written at a time
_CHUNK = 1 << 20


class SheetRows:
    """The data rows of a write-only sheet, from row `first_row` on, as its XML.

    `style_of(value, column)` is a cell's style (None: none), which must depend on the
    value's column and type alone (a date column's dates, a wrapped column's texts); values
    are already what a cell takes (`core.safecells.cell_value`). `widths` is each column's
    longest value as the export sizes its columns (a date 11), counted as the rows pass."""

    def __init__(self, sheet: Worksheet, first_row: int, style_of: StyleOf) -> None:
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
        from openpyxl.compat import safe_string
        from openpyxl.utils.datetime import to_excel

        self.sheet = sheet
        book = sheet.parent
        assert book is not None, "a sheet of a workbook"
        self._iso_dates: bool = book.iso_dates
        self._epoch: datetime = book.epoch
        self._style_of = style_of
        self._row = first_row
        # Closed by `written_to` or `close` (`spliced` closes every sheet's).
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._pending: list[str] = []
        self._kinds: dict[tuple[int, type, int], tuple[str, str, str]] = {}
        self._errors = frozenset(ERROR_CODES)
        self._illegal = ILLEGAL_CHARACTERS_RE.search
        self._safe_string: Callable[[object], str] = safe_string
        self._to_excel: Callable[[date, datetime], object] = to_excel
        self._letters: list[str] = []
        self._plain: dict[tuple[int, type], tuple[str, str]] = {}
        self._dates: dict[date, str] = {}
        self.widths: dict[int, int] = {}  # each column's longest value, a date 11

    def append(self, values: Sequence[Any]) -> None:
        """Add a row: its values, None for an empty cell, as `sheet.append` takes them."""
        n = str(self._row)
        self._row += 1
        parts = [f'<row r="{n}">']
        plain, widths = self._plain, self.widths
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cls = value.__class__
            if cls is str and len(value) <= _LONGEST and not _odd(value):
                # Most cells: a text with nothing to escape, keep or type otherwise.
                opening = plain.get((column, cls)) or self._opening(column, value, "><is><t>")
                parts.append(f"{opening[0]}{n}{opening[1]}{value}</t></is></c>")
                length = len(value)
            elif cls is int:
                opening = plain.get((column, cls)) or self._opening(column, value, "><v>")
                parts.append(f"{opening[0]}{n}{opening[1]}{value:.16g}</v></c>")
                length = len(str(value))
            elif cls is date or cls is datetime:
                opening = plain.get((column, cls)) or self._opening(column, value, "><v>")
                parts.append(f"{opening[0]}{n}{opening[1]}{self._serial(value)}</v></c>")
                length = 11
            else:
                parts.append(self._cell(column, value, n))
                length = 11 if isinstance(value, date) else len(str(value))
            if length > widths.get(column, 0):
                widths[column] = length
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _opening(self, column: int, value: Any, content: str) -> tuple[str, str]:
        """Return how a cell of this column and type opens, before and after its row (a
        plain text, an int, a date): up to its `content`, `<t>` or `<v>`."""
        head, tail, _ = self._kind(column, value, value.__class__, 0)
        self._plain[(column, value.__class__)] = (head, tail + content)
        return self._plain[(column, value.__class__)]

    def _serial(self, value: date) -> str:
        """Return a date's or a time's Excel serial number as openpyxl writes it."""
        text = self._dates.get(value)
        if text is None:
            text = self._safe_string(self._to_excel(value, self._epoch))
            if len(self._dates) < 100_000:
                self._dates[value] = text
        return text

    def _cell(self, column: int, value: Any, n: str) -> str:
        """Return a cell of row `n` other than a plain text."""
        special = 0
        if isinstance(value, str):
            if value.startswith(FORMULA_START):
                special = 1
            elif value in self._errors:
                special = 2
        found = self._kinds.get((column, value.__class__, special))
        if found is None:
            found = self._kind(column, value, value.__class__, special)
        head, tail, data_type = found
        if data_type == "s":
            return f"{head}{n}{tail}{self._text(value)}"
        if data_type == "e":
            return f"{head}{n}{tail}><v>{_escaped(value)}</v></c>"
        return f"{head}{n}{tail}><v>{self._number(value, data_type)}</v></c>"

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add the rows, in order."""
        for row in rows:
            self.append(row)

    def _text(self, value: str) -> str:
        """Return a text cell's content after its attributes: an inline string, its spaces
        kept when it starts or ends with one, as openpyxl writes it (none when empty)."""
        if not value:
            return "></c>"
        if len(value) > 32767:
            value = value[:32767]  # openpyxl's cut, after `cell_value`'s own
        if self._illegal(value):
            from openpyxl.utils.exceptions import IllegalCharacterError

            raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
        if value[:1].isspace() or value[-1:].isspace():
            return f'><is><t xml:space="preserve">{_escaped(value)}</t></is></c>'
        return f"><is><t>{_escaped(value)}</t></is></c>"

    def _kind(self, column: int, value: Any, cls: type, special: int) -> tuple[str, str, str]:
        """Ask openpyxl what a cell of this column and kind of value is (type and style,
        the style numbered now, as writing the cell would): return what comes before its
        row number, what after (up to its content), and its type."""
        from openpyxl.cell import Cell, WriteOnlyCell
        from openpyxl.utils import get_column_letter

        while len(self._letters) < column:
            self._letters.append(get_column_letter(len(self._letters) + 1))
        made = written(self.sheet, value, self._style_of(value, column))
        cell: Cell = made if isinstance(made, Cell) else WriteOnlyCell(self.sheet, value)
        data_type = cell.data_type
        if data_type not in ("s", "n", "d", "b", "e"):
            raise TypeError(f"a cell of type {data_type!r} is not written as text: {value!r}")
        if data_type == "d" and self._iso_dates:
            raise TypeError("dates are written as Excel's serial numbers")
        style = f' s="{cell.style_id}"' if cell.has_style else ""
        shown = {"s": "inlineStr", "d": "n"}.get(data_type, data_type)
        found = (f'<c r="{self._letters[column - 1]}', f'"{style} t="{shown}"', data_type)
        self._kinds[(column, cls, special)] = found
        return found

    def _number(self, value: Any, data_type: str) -> str:
        """Return a number's, a date's or a boolean's text as openpyxl writes it."""
        if data_type == "d":
            return self._serial(value)
        return self._safe_string(value)

    def _flush(self) -> None:
        """Write the rows waiting, encoded as openpyxl's sheets are (ASCII, references)."""
        if self._pending:
            self._file.write("".join(self._pending).encode("ascii", "xmlcharrefreplace"))
            self._pending.clear()

    def written_to(self, out: IO[bytes]) -> None:
        """Copy the rows' XML into `out`, then let the temporary file go."""
        self._flush()
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, _CHUNK)
        self._file.close()

    def close(self) -> None:
        """Let the temporary file go (the rows not written anywhere)."""
        self._file.close()


def _escaped(text: str) -> str:
    """Return a text as lxml writes it in an element (characters past ASCII are made
    references when the rows are encoded)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def spliced(xlsx: bytes, rows: Mapping[str, SheetRows]) -> bytes:
    """Return the saved workbook with each sheet's rows (by the sheet's part, its path in
    the file) written where the rows it was saved with end."""
    try:
        writers = {part: kept.written_to for part, kept in rows.items()}
        return zip_splice.spliced(xlsx, _END_ROWS, writers, keep=True)
    finally:
        for kept in rows.values():
            kept.close()
