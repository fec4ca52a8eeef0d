"""Read CSV (UTF-8, with or without BOM) and XLSX files into rows, for bulk imports.

Files come from chat, so every bound holds before or while parsing, never after: the
size before anything is parsed, the unpacked size of an XLSX before it is opened (a small
zip can unpack to gigabytes), at most MAX_COLUMNS cells of a row and at most the header
plus MAX_ROWS rows, read as a stream. An XLSX sheet's declared dimension is ignored: a
5 KB file declaring A1:XFD1048576 used to have its whole declared grid built first.

Column names are the English ones of the import contracts (`code,name,kind,...`,
`title,deadline,assignees,...`); the Vietnamese names an official would type ("mã", "tên",
"tiêu đề", "hạn", "đơn vị"...), with or without diacritics, are read as those.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from core.textnorm import fold

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

MAX_ROWS = 20_000  # data rows after the header; every row counts, blank or not
MAX_COLUMNS = 64  # the formats have about six columns; the rest of a row is not read
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # the IMPORT_MAX_BYTES default
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 20,000-row XLSX unpacks to a few MB


class UnreadableFile(Exception):  # noqa: N818  (a property of the input, not a code failure)
    """The file is not a CSV or XLSX table we can read; nothing is applied."""

    def __init__(self, code: str, **params: int) -> None:
        super().__init__(code)
        # "not_a_table" | "empty" | "too_many_rows" | "bad_encoding" | "too_big"
        # | "too_large_unpacked" | "missing_columns"
        self.code = code
        self.params = params  # sizes in bytes for "too_big" and "too_large_unpacked"


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


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file of size bytes when it is over max_bytes, before reading it."""
    if size > max_bytes:
        raise UnreadableFile("too_big", size=size, limit=max_bytes)


def read_table(
    content: bytes, file_name: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Table:
    """Read a CSV or XLSX file's bytes into a Table, or raise UnreadableFile."""
    check_size(len(content), max_bytes)
    if content[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _table(_xlsx_rows(content))
    return _table(_csv_rows(content))


def _table(rows: Iterable[Sequence[str]]) -> Table:
    """Build a Table from rows numbered from 1, refusing a row past header + MAX_ROWS."""
    header: tuple[str, ...] | None = None
    data: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise UnreadableFile("too_many_rows")  # stop here: the rest is never read
        cells = _trimmed(row[:MAX_COLUMNS])
        if not cells:
            continue
        if header is None:
            header = tuple(column_name(cell) for cell in cells)
            continue
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        data.append((number, values))
    if header is None:
        raise UnreadableFile("empty")
    return Table(header, tuple(data))


def _trimmed(row: Sequence[str]) -> list[str]:
    """Return the row's cells stripped, without the empty cells at its end."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """Parse CSV bytes (UTF-8, BOM allowed; comma or semicolon separated) row by row."""
    if b"\x00" in content[:4096]:
        raise UnreadableFile("not_a_table")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("bad_encoding") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error:
        raise UnreadableFile("not_a_table") from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    """Stream the first sheet of an XLSX workbook as text cells, MAX_COLUMNS at most."""
    from openpyxl import load_workbook  # imported here: only imports need it

    _check_unpacked(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any failure to open a hostile or broken file means "unreadable"
        raise UnreadableFile("not_a_table") from None
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a read-only sheet: forget the declared size
            sheet.reset_dimensions()
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(v) for v in row]
    except UnreadableFile:
        raise
    except Exception:  # a broken sheet (bad XML, bad compression) fails while streaming
        raise UnreadableFile("not_a_table") from None
    finally:
        workbook.close()


def _check_unpacked(content: bytes) -> None:
    """Refuse a workbook that unpacks to more than MAX_UNPACKED_BYTES (a zip bomb).

    The sizes come from the zip's directory; zipfile never unpacks more than the size a
    member declares, so a lie there only truncates the member, which then fails its check.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile("not_a_table") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("too_large_unpacked", size=unpacked, limit=MAX_UNPACKED_BYTES)


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


def column_name(cell: str) -> str:
    """Return a header cell as the contract's column: trimmed, lower case, Vietnamese read."""
    name = cell.strip().lower()
    return HEADER_ALIASES.get(fold(name), name)
