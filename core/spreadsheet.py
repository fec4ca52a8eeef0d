"""Read CSV (UTF-8, with or without BOM) and XLSX files into rows, for bulk imports.

Column names are the English ones of the import contracts (`code,name,kind,...`,
`title,deadline,assignees,...`); the Vietnamese names an official would type ("mã", "tên",
"tiêu đề", "hạn", "đơn vị"...), with or without diacritics, are read as those.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from core.textnorm import fold

MAX_ROWS = 20_000

# Folded Vietnamese column name -> the import contracts' column.
HEADER_ALIASES = {
    "ma": "code",
    "ten": "name",
    "ten don vi": "name",
    "loai": "kind",
    "loai don vi": "kind",
    "ma don vi cap tren": "parent_code",
    "ma cap tren": "parent_code",
    "nhom": "groups",
    "tieu de": "title",
    "ten nhiem vu": "title",
    "han": "deadline",
    "thoi han": "deadline",
    "han hoan thanh": "deadline",
    "don vi": "assignees",
    "don vi thuc hien": "assignees",
    "van ban": "directive",
    "van ban giao": "directive",
    "mo ta": "description",
}


class UnreadableFile(Exception):  # noqa: N818  (a property of the input, not a code failure)
    """The file is not a CSV or XLSX table we can read; nothing is applied."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "not_a_table" | "empty" | "too_many_rows" | "bad_encoding"


@dataclass(frozen=True)
class Table:
    """A header (lower-cased, trimmed) and data rows numbered as in the file (header = 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


@dataclass
class Rejection:
    """A row that was not applied: its number in the file, a reason code and its details."""

    row: int
    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did; it applies the good rows and rejects the bad ones."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        """Return 0 when every row applied, 1 when some were rejected (CLI contract)."""
        return 1 if self.rejected else 0


def read_table(content: bytes, file_name: str = "") -> Table:
    """Read a CSV or XLSX file's bytes into a Table, or raise UnreadableFile."""
    if content[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        grid = _xlsx_grid(content)
    else:
        grid = _csv_grid(content)
    grid = [row for row in grid if any(cell.strip() for cell in row)]
    if not grid:
        raise UnreadableFile("empty")
    if len(grid) > MAX_ROWS + 1:
        raise UnreadableFile("too_many_rows")
    header = tuple(column_name(cell) for cell in grid[0])
    rows = tuple(
        (number, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h})
        for number, row in enumerate(grid[1:], start=2)
    )
    return Table(header, rows)


def column_name(cell: str) -> str:
    """Return a header cell as the contract's column: trimmed, lower case, Vietnamese read."""
    name = cell.strip().lower()
    return HEADER_ALIASES.get(fold(name), name)


def _csv_grid(content: bytes) -> list[list[str]]:
    """Parse CSV bytes (UTF-8, BOM allowed; comma or semicolon separated)."""
    if b"\x00" in content[:4096]:
        raise UnreadableFile("not_a_table")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("bad_encoding") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise UnreadableFile("not_a_table") from None


def _xlsx_grid(content: bytes) -> list[list[str]]:
    """Read the first sheet of an XLSX workbook as text cells."""
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("not_a_table") from None
    sheet = workbook.worksheets[0]
    grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return grid


def _cell_text(value: object) -> str:
    """Turn a spreadsheet cell into text (dates as dd/mm/yyyy, whole floats without .0)."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
