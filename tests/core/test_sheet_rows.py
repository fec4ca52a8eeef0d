"""A streamed sheet's rows written as text are the file openpyxl writes for them.

`core.sheet_rows` writes the rows' XML itself (openpyxl's cell by cell writing was most of
the export's time): the same rows, written by openpyxl's `append` (each styled or
formula-like value a cell, `core.safecells.written`) and by `SheetRows`, make two files
whose every part is the same, byte for byte, but the time each was made.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any, cast

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.exceptions import IllegalCharacterError

from core.safecells import written
from core.sheet_rows import SheetRows, spliced

STAMPED = "docProps/core.xml"  # the time the file was made
TEXTS = [
    "Xã Tân Hiệp",
    "",
    " a space first",
    "a space last ",
    "\u00a0no-break space",
    "a & b < c > d \" ' e",
    "line one\nline two\ttab",
    "carriage\rreturn",
    '=HYPERLINK("http://evil.example","Xã 007")',
    "+84 912",
    "-3",
    "@home",
    "\tTabbed",
    "#N/A",
    "#DIV/0!",
    "#12 Nhiệm vụ",
    "#N/A later",
    "emoji 😀 ở đây",
    "x" * 40,
]
VALUES: list[Any] = [
    *TEXTS,
    0,
    7,
    -12,
    10**17,
    2.5,
    True,
    date(2026, 12, 31),
    date(1900, 1, 15),
    datetime(2026, 5, 4, 13, 7, 59),
]


def rows() -> list[list[Any]]:
    """Return rows mixing every kind of value in every column, gaps (None) between."""
    width = 6
    found = []
    for n in range(3 * len(VALUES)):
        row = [VALUES[(n * (c + 1) + c) % len(VALUES)] for c in range(width)]
        row[n % width] = None
        found.append(row)
    found.append([])
    found.append([None, None])
    return found


class Styles:
    """A column's style by the value's type: wrapped text columns, dated date columns."""

    def __init__(self, book: Workbook) -> None:
        sheet = book.create_sheet("Styles")
        self._sheet = sheet
        self.title = self._style(sheet, font=Font(bold=True, size=13))
        self.wrapped = self._style(sheet, alignment=Alignment(wrap_text=True, vertical="top"))
        self.day = self._style(sheet, number_format="DD/MM/YYYY")
        self.moment = self._style(sheet, number_format="DD/MM/YYYY HH:MM")

    @staticmethod
    def _style(sheet: Any, **attributes: object) -> StyleArray:
        from openpyxl.cell import Cell

        cell = Cell(sheet, 1, 1)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cast("StyleArray", getattr(cell, "_style"))  # noqa: B009 (not in the stubs)

    def of(self, value: object, column: int) -> StyleArray | None:
        """Return the style of a value in a column: columns 2 and 5 wrapped, dates dated."""
        if isinstance(value, datetime):
            return self.moment
        if isinstance(value, date):
            return self.day
        return self.wrapped if column in (2, 5) else None


def by_openpyxl() -> bytes:
    """Return the workbook with every row appended through openpyxl."""
    book = Workbook(write_only=True)
    styles = Styles(book)
    sheet = book.create_sheet("Rows")
    sheet.append([written(sheet, "Tiêu đề", styles.title)])
    for row in rows():
        sheet.append(
            [
                None if v is None else written(sheet, v, styles.of(v, i))
                for i, v in enumerate(row, start=1)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_text() -> bytes:
    """Return the same workbook with the rows after the first written by `SheetRows`."""
    book = Workbook(write_only=True)
    styles = Styles(book)
    sheet = book.create_sheet("Rows")
    sheet.append([written(sheet, "Tiêu đề", styles.title)])
    out_rows = SheetRows(sheet, 2, styles.of)
    out_rows.extend(rows())
    out = io.BytesIO()
    book.save(out)
    return spliced(out.getvalue(), {sheet.path.lstrip("/"): out_rows})


def test_rows_written_as_text_make_the_file_openpyxl_makes() -> None:
    """Every part but the time stamp is the same, byte for byte."""
    old, new = zipfile.ZipFile(io.BytesIO(by_openpyxl())), zipfile.ZipFile(io.BytesIO(as_text()))
    assert old.namelist() == new.namelist()
    for name in old.namelist():
        if name != STAMPED:
            assert old.read(name) == new.read(name), name


def test_rows_written_as_text_read_back_cell_for_cell() -> None:
    """Read back, each cell has openpyxl's value, type, number format, style and prefix."""
    old = load_workbook(io.BytesIO(by_openpyxl()))["Rows"]
    new = load_workbook(io.BytesIO(as_text()))["Rows"]
    assert old.max_row == new.max_row
    for old_row, new_row in zip(old.iter_rows(), new.iter_rows(), strict=True):
        for a, b in zip(old_row, new_row, strict=True):
            assert (a.value, a.data_type, a.number_format) == (
                b.value,
                b.data_type,
                b.number_format,
            )
            assert (repr(a.font), repr(a.alignment)) == (repr(b.font), repr(b.alignment))
            assert a.quotePrefix == b.quotePrefix


def test_widths_are_each_columns_longest_value() -> None:
    """A column's width is its longest value's length, a date's 11, an empty cell none."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    out_rows = SheetRows(sheet, 1, lambda v, i: None)
    out_rows.extend([["ab", 12345, None], [date(2026, 1, 1), "a", None], [None, "abcdef"]])
    out_rows.close()
    assert out_rows.widths == {1: 11, 2: 6}


def test_a_character_no_cell_holds_is_refused_as_openpyxl_refuses_it() -> None:
    """A control character (the caller's `cell_value` drops them) is not written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    out_rows = SheetRows(sheet, 1, lambda v, i: None)
    with pytest.raises(IllegalCharacterError):
        out_rows.append(["a\x01b"])
    out_rows.close()
