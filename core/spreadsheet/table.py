"""Rows read as a Table: the header found below an official list's title lines, the data
rows by column, at most MAX_ROWS of them and MAX_COLUMNS cells a row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from core.spreadsheet import limits
from core.spreadsheet.header import HEADER_SEARCH_ROWS, header_of, names_columns, sub_header
from core.spreadsheet.legacy import LegacyCount
from core.spreadsheet_errors import UnreadableFile

COLUMN_NUMBER = re.compile(r"\(?(\d{1,2})\)?")  # "(4)" or "4" in a row numbering the columns


@dataclass(frozen=True)
class Table:
    """A header (lower-cased, trimmed) and data rows numbered as in the file (header = 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    # The data cells under a named column holding a formula whose value was never saved,
    # read as empty: (row, column, the cell's name such as "C4"), in the file's order.
    unsaved: tuple[tuple[int, str, str], ...] = ()
    # A workbook's sheet read (the one it opens on) and its other visible sheets; empty for
    # a CSV.
    sheet: str = ""
    other_sheets: tuple[str, ...] = ()
    # The rows below the header hidden in the workbook (hidden by hand, or filtered out),
    # holding something: not read, as Excel does not show them; the report names them.
    hidden: tuple[int, ...] = ()
    # The columns hidden in the workbook that head something: (letters, the header's text as
    # written). Not read, as Excel does not show them (an old "Thời hạn" kept hidden before
    # the new one was read as the deadline); the report names them.
    hidden_columns: tuple[tuple[str, str], ...] = ()


def table_of(
    rows: Iterable[Sequence[str]],
    unsaved: dict[int, list[tuple[int, str]]] | None = None,
    sheets: Sequence[str] = (),
    hidden: Collection[int] = (),
    hidden_columns: Collection[int] = (),
) -> Table:
    """Build a Table from rows numbered from 1, refusing a row past header + MAX_ROWS.

    Rows above the header (a title, a blank line) are skipped: the header is the first row
    naming our columns (see HEADER_SEARCH_ROWS), else the first row that is not empty.
    `unsaved` holds the cells with a formula and no value, by row: (column number, name);
    `sheets` a workbook's sheet read then its other visible ones, `hidden` the numbers of
    its hidden rows, `hidden_columns` the numbers of its hidden columns (all four filled as
    the rows are read). A hidden row is not read: above the header it is passed over, below
    it noted in `Table.hidden` if it holds anything. A hidden column is not read either: its
    cells are taken as empty, and its header's text noted in `Table.hidden_columns`.
    A file typed in a legacy encoding (TCVN3, VNI: core/spreadsheet/legacy) is refused.
    """
    header: tuple[str, ...] | None = None
    header_cells: Sequence[str] = ()  # the header row as written, until a row below names it
    above: list[tuple[int, list[str]]] = []  # non-empty rows before the header was found
    data: list[tuple[int, dict[str, str]]] = []
    unread: list[int] = []  # hidden rows below the header
    first_above: Sequence[str] = ()  # the first of `above` as in the file, hidden cells too
    unseen: list[tuple[str, str]] = []  # the hidden columns the header names
    legacy = LegacyCount()
    for number, row in enumerate(rows, start=1):
        if number > limits.MAX_ROWS + 1:
            raise UnreadableFile("too_many_rows")  # stop here: the rest is never read
        read = row[: limits.MAX_COLUMNS]
        cells = _trimmed(_shown(read, hidden_columns) if hidden_columns else read)
        if not cells:
            continue
        legacy.add(cells)
        if number in hidden:
            if header is not None:
                unread.append(number)
            continue
        if header is None:
            if names_columns(cells):
                header, header_cells = header_of(cells), cells
                unseen = _named(read, hidden_columns)
            else:
                first_above = first_above or read
                above.append((number, cells))
                if len(above) == HEADER_SEARCH_ROWS:
                    header, data = _first_row_as_header(above)
                    unseen = _named(first_above, hidden_columns)
            continue
        if header_cells and not data and not unread:
            named, header_cells = sub_header(header_cells, cells), ()
            if named is not None:  # "Bắt đầu | Hoàn thành" under "Thời gian thực hiện"
                header = named
                continue
        if not data and not unread and _numbers_columns(cells):
            continue  # "(1) | (2) | (3)" under the header, as official tables number them
        data.append((number, _values(header, cells)))
    if legacy.legacy_file():
        raise UnreadableFile("legacy_font", sample=legacy.sample)
    if header is None and above:
        header, data = _first_row_as_header(above)
        unseen = _named(first_above, hidden_columns)
    if header is None:
        raise UnreadableFile("empty")
    sheet, *others = sheets or [""]
    unsaved_cells = _unsaved_cells(header, data, unsaved or {})
    return Table(
        header, tuple(data), unsaved_cells, sheet, tuple(others), tuple(unread), tuple(unseen)
    )


def _shown(row: Sequence[str], hidden_columns: Collection[int]) -> list[str]:
    """Return a row's cells with those of hidden columns (numbered from 1) emptied."""
    return ["" if n in hidden_columns else cell for n, cell in enumerate(row, start=1)]


def _named(header: Sequence[str], hidden_columns: Collection[int]) -> list[tuple[str, str]]:
    """Return the hidden columns a header row names: (letters, its text), in order."""
    return [
        (column_letters(n), unicodedata.normalize("NFC", cell.strip()))
        for n, cell in enumerate(header, start=1)
        if n in hidden_columns and cell.strip()
    ]


def column_letters(column: int) -> str:
    """Return a column's letters as Excel names it: 1 is A, 27 is AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _numbers_columns(cells: Sequence[str]) -> bool:
    """Tell whether a row numbers the columns ("(1)", "(2)", "(3)"... or 1, 2, 3...), as an
    official table does under its header: it was read as a task and refused."""
    numbers = [COLUMN_NUMBER.fullmatch(cell) for cell in cells if cell]
    if len(numbers) < 3 or not all(numbers):
        return False
    values = [int(match[1]) for match in numbers if match]
    return values == list(range(values[0], values[0] + len(values)))


def _unsaved_cells(
    header: tuple[str, ...],
    data: list[tuple[int, dict[str, str]]],
    unsaved: dict[int, list[tuple[int, str]]],
) -> tuple[tuple[int, str, str], ...]:
    """Return the data rows' formula cells without a value that are under a named column."""
    if not unsaved:
        return ()
    return tuple(
        (number, header[column - 1], name)
        for number, _ in data
        for column, name in unsaved.get(number, ())
        if column <= len(header) and header[column - 1]
    )


def _values(header: tuple[str, ...], cells: Sequence[str]) -> dict[str, str]:
    """Return a data row's cells by column name (a column without a name is not read)."""
    return {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}


def _first_row_as_header(
    rows: list[tuple[int, list[str]]],
) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]:
    """Take the first of rows as the header (no row named our columns), the rest as data."""
    header = header_of(rows[0][1])
    return header, [(number, _values(header, cells)) for number, cells in rows[1:]]


def _trimmed(row: Sequence[str]) -> list[str]:
    """Return the row's cells stripped, without the empty cells at its end."""
    # NFC: a Mac or a copy from a PDF gives "Xã" as decomposed letters, which would be
    # kept and shown so, and differ from the same name typed in chat.
    cells = [unicodedata.normalize("NFC", cell.strip()) for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells
