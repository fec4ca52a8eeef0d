"""Read CSV (UTF-8, or UTF-16 with its BOM) and XLSX files into rows, for bulk imports.

Files come from chat, so every bound holds before or while parsing, never after: the
size before anything is parsed, the unpacked size of an XLSX before it is opened (a small
zip can unpack to gigabytes), at most MAX_COLUMNS cells of a row and at most the header
plus MAX_ROWS rows, read as a stream. An XLSX sheet's declared dimension is ignored: a
5 KB file declaring A1:XFD1048576 used to have its whole declared grid built first.

Column names are the English ones of the import contracts (`code,name,kind,...`,
`title,deadline,assignees,...`); the Vietnamese names an official would type ("mã", "tên",
"tiêu đề", "hạn", "đơn vị"...), with or without diacritics, are read as those.

A file is read as the admin sees it: an XLSX from the sheet Excel opens on (never a hidden
one), a cell merged down over several rows as each row's value, and the header found below
the title lines an official list opens with. A formula's value is the one saved with the
file; a file written by a program and never opened in Excel has none, and the cells so left
empty are noted in `Table.unsaved` (an importer refuses the file, naming them).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.spreadsheet_errors import UnreadableFile as UnreadableFile  # where importers look
from core.textnorm import fold
from core.workbook_bounds import check_parts, check_sheet

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
    # A directive's appendix (phụ lục): "Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp |
    # Thời gian hoàn thành". The agencies that assist (phối hợp) are not assignees.
    "nhiem vu": "title",
    "noi dung nhiem vu": "title",
    "don vi chu tri": "assignees",
    "co quan chu tri": "assignees",
    "don vi duoc giao": "assignees",
    "thoi han hoan thanh": "deadline",
    "thoi gian hoan thanh": "deadline",
    "han xu ly": "deadline",
    # Other headers plans and appendixes use: "Nội dung công việc | Cơ quan, đơn vị chủ trì
    # | Thời gian thực hiện" (a time given as a period, "Quý IV/2026", is its last day).
    "noi dung": "title",
    "noi dung cong viec": "title",
    "ten cong viec": "title",
    "co quan, don vi chu tri": "assignees",
    "co quan/don vi chu tri": "assignees",
    "co quan, don vi thuc hien": "assignees",
    "co quan thuc hien": "assignees",
    "thoi gian thuc hien": "deadline",
    "thoi han thuc hien": "deadline",
}

MAX_ROWS = 20_000  # data rows after the header; every row counts, blank or not
MAX_LINE_CHARS = 100_000  # a CSV line; a row of 64 full cells of /newtask is ~25,000
MAX_COLUMNS = 64  # the formats have about six columns; the rest of a row is not read
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # the IMPORT_MAX_BYTES default
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 20,000-row XLSX unpacks to a few MB
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and kin
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_MERGES = 20_000  # merged ranges read from a sheet; a hostile file's others are ignored
# How a sheet's XML opens a formula (`<f>`, `<f t="shared" .../>`, or with a prefix `<x:f>`):
# a sheet without any is not parsed a second time for formulas without values.
FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
# An official list opens with its title lines: the header is the first row that names at
# least HEADER_KNOWN_COLUMNS of our columns, among the first HEADER_SEARCH_ROWS rows.
HEADER_SEARCH_ROWS = 10
HEADER_KNOWN_COLUMNS = 2
# The import contracts' columns (units, tasks): what a header row is recognised by.
KNOWN_COLUMNS = frozenset(HEADER_ALIASES.values()) | {"parent_code"}


@dataclass(frozen=True)
class Table:
    """A header (lower-cased, trimmed) and data rows numbered as in the file (header = 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]
    # The data cells under a named column holding a formula whose value was never saved,
    # read as empty: (row, column, the cell's name such as "C4"), in the file's order.
    unsaved: tuple[tuple[int, str, str], ...] = ()


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
    if _other_spreadsheet(content):
        raise UnreadableFile("other_spreadsheet")
    if content[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        unsaved: dict[int, list[tuple[int, str]]] = {}  # filled before the first row
        return _table(_xlsx_rows(content, unsaved), unsaved)
    return _table(_csv_rows(content))


def _other_spreadsheet(content: bytes) -> bool:
    """Tell whether the bytes are a spreadsheet we do not read: .xls (OLE2) or .ods."""
    if content.startswith(OLE2_SIGNATURE):
        return True
    # An OpenDocument file is a zip whose first member, stored, is "mimetype" with its type.
    return content[:2] == b"PK" and ODS_MIMETYPE in content[:200]


def _table(
    rows: Iterable[Sequence[str]], unsaved: dict[int, list[tuple[int, str]]] | None = None
) -> Table:
    """Build a Table from rows numbered from 1, refusing a row past header + MAX_ROWS.

    Rows above the header (a title, a blank line) are skipped: the header is the first row
    naming our columns (see HEADER_SEARCH_ROWS), else the first row that is not empty.
    `unsaved` holds the cells with a formula and no value, by row: (column number, name).
    """
    header: tuple[str, ...] | None = None
    above: list[tuple[int, list[str]]] = []  # non-empty rows before the header was found
    data: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise UnreadableFile("too_many_rows")  # stop here: the rest is never read
        cells = _trimmed(row[:MAX_COLUMNS])
        if not cells:
            continue
        if header is None:
            if _names_columns(cells):
                header = _header(cells)
            else:
                above.append((number, cells))
                if len(above) == HEADER_SEARCH_ROWS:
                    header, data = _first_row_as_header(above)
            continue
        data.append((number, _values(header, cells)))
    if header is None and above:
        header, data = _first_row_as_header(above)
    if header is None:
        raise UnreadableFile("empty")
    return Table(header, tuple(data), _unsaved_cells(header, data, unsaved or {}))


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


def _names_columns(cells: Sequence[str]) -> bool:
    """Tell whether a row names enough of our columns to be the header."""
    return len({column_name(cell) for cell in cells} & KNOWN_COLUMNS) >= HEADER_KNOWN_COLUMNS


def _header(cells: Sequence[str]) -> tuple[str, ...]:
    """Return a header row's cells as column names; a column whose name an earlier one
    took ("Nhiệm vụ" then "Nội dung", both titles) keeps its own text and is not read."""
    names: list[str] = []
    for cell in cells:
        name = column_name(cell)
        names.append(cell.strip().lower() if name in names and name in KNOWN_COLUMNS else name)
    return tuple(names)


def _values(header: tuple[str, ...], cells: Sequence[str]) -> dict[str, str]:
    """Return a data row's cells by column name (a column without a name is not read)."""
    return {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}


def _first_row_as_header(
    rows: list[tuple[int, list[str]]],
) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]:
    """Take the first of rows as the header (no row named our columns), the rest as data."""
    header = _header(rows[0][1])
    return header, [(number, _values(header, cells)) for number, cells in rows[1:]]


def _trimmed(row: Sequence[str]) -> list[str]:
    """Return the row's cells stripped, without the empty cells at its end."""
    # NFC: a Mac or a copy from a PDF gives "Xã" as decomposed letters, which would be
    # kept and shown so, and differ from the same name typed in chat.
    cells = [unicodedata.normalize("NFC", cell.strip()) for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """Parse CSV bytes row by row: UTF-8 (BOM allowed), or UTF-16 with its BOM; comma,
    semicolon or tab separated.

    Excel's "Unicode Text" (the one way older Excels keep Vietnamese letters in a text file)
    writes UTF-16 with a BOM and tabs: it used to be refused as no table at all, or read as
    one column when saved again as UTF-8.
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile("bad_encoding") from None
    else:
        if b"\x00" in content[:4096]:
            raise UnreadableFile("not_a_table")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableFile("bad_encoding") from None
    if "\x00" in text:  # PostgreSQL stores no NUL; a binary file read as UTF-16 has some
        raise UnreadableFile("not_a_table")
    first_line = text[: min(_line_end(text, 0), MAX_LINE_CHARS)]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # a tie keeps the comma
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:  # a quoted field over several lines, past csv's own bound
        if "field limit" in str(error):
            raise UnreadableFile(
                "line_too_long", row=reader.line_num, most=MAX_LINE_CHARS
            ) from None
        raise UnreadableFile("not_a_table") from None


def _lines(text: str) -> Iterator[str]:
    """Yield the text's lines, refusing one of more than MAX_LINE_CHARS letters before the
    csv module splits it (a line of five million commas was a row of five million cells)."""
    start, number = 0, 0
    while start < len(text):
        end, number = _line_end(text, start), number + 1
        if end - start > MAX_LINE_CHARS:
            raise UnreadableFile("line_too_long", row=number, most=MAX_LINE_CHARS)
        yield text[start:end]
        start = end


def _line_end(text: str, start: int) -> int:
    """Return where the line starting at `start` ends, after its newline."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end + 1


def _xlsx_rows(
    content: bytes, unsaved: dict[int, list[tuple[int, str]]] | None = None
) -> Iterator[list[str]]:
    """Stream the sheet shown of an XLSX workbook as text cells, MAX_COLUMNS at most.

    The sheet shown is the active one, or the first visible one: a hidden sheet (last
    month's list, a lookup table) is never what the admin means. A cell merged down over
    several rows is each of those rows' value, as Excel shows it. Before the first row,
    `unsaved` gets the sheet's cells with a formula and no saved value (see _no_values).
    """
    from openpyxl import load_workbook  # imported here: only imports need it

    _check_unpacked(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any failure to open a hostile or broken file means "unreadable"
        raise UnreadableFile("not_a_table") from None
    try:
        sheet = _shown_sheet(workbook)
        if hasattr(sheet, "reset_dimensions"):  # a read-only sheet: forget the declared size
            sheet.reset_dimensions()
        sheet_path = getattr(sheet, "_worksheet_path", "")
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_sheet(archive, sheet_path, MAX_ROWS + 1)  # before openpyxl reads a row
        downward = _merged_down(content, sheet_path)
        if unsaved is not None:
            unsaved.update(_no_values(content, sheet_path))
        spreading: dict[int, tuple[int, str]] = {}  # column -> (last row, value) spread down
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            cells = [_cell_text(v) for v in row]
            yield _spread(cells, number, downward.get(number, ()), spreading)
    except UnreadableFile:
        raise
    except Exception:  # a broken sheet (bad XML, bad compression) fails while streaming
        raise UnreadableFile("not_a_table") from None
    finally:
        workbook.close()


def _shown_sheet(workbook: Any) -> Any:
    """Return the sheet Excel opens the workbook on: the active one if visible, else the
    first visible one."""
    visible = [s for s in workbook.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    if not visible:
        raise UnreadableFile("empty")
    active = workbook.active
    return active if active in visible else visible[0]


def _merged_down(content: bytes, sheet_path: str) -> dict[int, list[tuple[int, int]]]:
    """Return the sheet's ranges merged over several rows: by first row, (column, last row).

    Only the first column of a range is spread down: a range also merged across belongs to
    its first column's header, and the columns beside it keep their own (empty) values.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.functions import iterparse

    found: dict[int, list[tuple[int, int]]] = {}
    if not sheet_path or not _mentions(content, sheet_path, b"mergeCell"):
        return found  # most sheets merge nothing: no second parse of their XML
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(sheet_path) as xml:
        count = 0
        for _, element in iterparse(xml):
            if element.tag.endswith("}mergeCell") and count < MAX_MERGES:
                count += 1
                try:
                    col, first, _, last = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    continue
                if col and first and last and last > first and col <= MAX_COLUMNS:
                    found.setdefault(first, []).append((col, last))
            element.clear()
    return found


def _no_values(content: bytes, sheet_path: str) -> dict[int, list[tuple[int, str]]]:
    """Return the sheet's cells holding a formula but no saved value: by row, (column, name).

    Excel and LibreOffice save each formula's value with it; a program writing a workbook
    (openpyxl, a report generator) saves the formula alone, and the value read is empty.
    A formula whose value is the empty text is saved as such (`t="str"`): that one is kept.
    """
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.xml.functions import iterparse

    found: dict[int, list[tuple[int, str]]] = {}
    if not sheet_path or not _mentions(content, sheet_path, *FORMULA_TAGS):
        return found  # most sheets hold no formula: no second parse of their XML
    row_number, column = 0, 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(sheet_path) as xml:
        for event, element in iterparse(xml, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = 0
            elif event == "end" and tag == "c":
                name = element.get("r") or ""
                try:
                    column = column_index_from_string(coordinate_from_string(name)[0])
                except (TypeError, ValueError):
                    column += 1  # a cell without its name is the one after the last
                    name = f"{_column_letters(column)}{row_number}"
                if column <= MAX_COLUMNS and row_number <= MAX_ROWS + 1 and _no_value(element):
                    found.setdefault(row_number, []).append((column, name))
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
            if row_number > MAX_ROWS + 1:
                break
    return found


def _no_value(cell: Any) -> bool:
    """Tell whether a sheet's `<c>` element holds a formula and no value saved with it."""
    children = {child.tag.rsplit("}", 1)[-1]: child for child in cell}
    if "f" not in children:
        return False
    value = children.get("v")
    return (value is None or not value.text) and cell.get("t") != "str"


def _column_letters(column: int) -> str:
    """Return a column's letters (A, B, ..., AA), or "?" past Excel's last column."""
    from openpyxl.utils.cell import get_column_letter

    try:
        return get_column_letter(column)
    except ValueError:
        return "?"


def _mentions(content: bytes, member: str, *words: bytes) -> bool:
    """Tell whether a member of the zip holds one of words, unpacking it by chunks."""
    tail = b""
    longest = max(len(word) for word in words)
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            seam = tail + chunk[:longest]  # a word cut between two chunks
            if any(word in seam or word in chunk for word in words):
                return True
            tail = chunk[-longest:]
    return False


def _spread(
    cells: list[str],
    number: int,
    starting: Sequence[tuple[int, int]],
    spreading: dict[int, tuple[int, str]],
) -> list[str]:
    """Give a row the values of the merged ranges over it; note the ranges it starts."""
    for col, last in starting:
        spreading[col] = (last, cells[col - 1] if col <= len(cells) else "")
    for col, (last, value) in list(spreading.items()):
        if last < number:
            del spreading[col]
        elif col > len(cells):
            cells.extend([""] * (col - len(cells) - 1) + [value])
        elif not cells[col - 1]:
            cells[col - 1] = value
    return cells


def _check_unpacked(content: bytes) -> None:
    """Refuse a workbook that unpacks to more than MAX_UNPACKED_BYTES (a zip bomb), or
    whose parts openpyxl reads whole are too large (core/workbook_bounds).

    The sizes come from the zip's directory; zipfile never unpacks more than the size a
    member declares, so a lie there only truncates the member, which then fails its check.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise UnreadableFile("too_large_unpacked", size=unpacked, limit=MAX_UNPACKED_BYTES)
            check_parts(archive, MAX_ROWS + 1)  # each part openpyxl reads whole, and the sheets
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        raise UnreadableFile("not_a_table") from None


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


# Excel counts days from 30/12/1899; a date cell saved as General, or pasted into a CSV,
# shows that count ("46387" is 31/12/2026). Counts of 2000 to 2099 only: any other number
# in a deadline column is a typo, not a date.
_EXCEL_EPOCH_ORDINAL = 693594  # date(1899, 12, 30).toordinal()
_SERIALS = range(36526, 73051)  # 01/01/2000 .. 31/12/2099


def serial_date(text: str) -> str | None:
    """Return an Excel day count as dd/mm/yyyy, or None when the text is no such count."""
    from datetime import date

    stripped = text.strip().removesuffix(".0")
    if not stripped.isascii() or not stripped.isdigit() or int(stripped) not in _SERIALS:
        return None
    return date.fromordinal(_EXCEL_EPOCH_ORDINAL + int(stripped)).strftime("%d/%m/%Y")


def column_name(cell: str) -> str:
    """Return a header cell as the contract's column: trimmed, lower case, Vietnamese read."""
    name = cell.strip().lower()
    return HEADER_ALIASES.get(fold(name), name)
