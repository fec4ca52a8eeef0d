"""An XLSX workbook's rows as the admin sees them: the sheet Excel opens on, a cell merged
down as each row's value, formulas without a saved value noted; its unpacked size and
parts bounded before openpyxl opens it."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from core.spreadsheet import limits
from core.spreadsheet_errors import UnreadableFile
from core.workbook_bounds import check_parts, check_sheet, check_strings, check_workbook

# How a sheet's XML opens a formula (`<f>`, `<f t="shared" .../>`, or with a prefix `<x:f>`):
# a sheet without any is not parsed a second time for formulas without values.
FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
# What zipfile raises on a zip it cannot read: broken, or made in a way it does not unpack
# (a compression method it lacks, as Deflate64; members encrypted, RuntimeError; a zip
# version past its own, NotImplementedError).
BROKEN_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
# OOXML's escape of a character in a cell's text (`_x000D_`), and what it may decode to that
# no text keeps: a control character (a tab and a line break aside), a lone surrogate.
ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c]")  # Word's line break pasted in is U+000B
UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")
# How a sheet's XML marks a row or a column hidden (`<row r="7" hidden="1">`,
# `<col min="3" max="3" hidden="1"/>`).
HIDDEN_MARKS = (b'hidden="1"', b'hidden="true"', b"hidden='1'", b"hidden='true'")


def xlsx_rows(
    content: bytes,
    unsaved: dict[int, list[tuple[int, str]]] | None = None,
    sheets: list[str] | None = None,
    hidden: set[int] | None = None,
    hidden_columns: set[int] | None = None,
) -> Iterator[list[str]]:
    """Stream the sheet shown of an XLSX workbook as text cells, MAX_COLUMNS at most.

    The sheet shown is the active one, or the first visible one: a hidden sheet (last
    month's list, a lookup table) is never what the admin means. A cell merged down over
    several rows is each of those rows' value, as Excel shows it. Before the first row,
    `unsaved` gets the sheet's cells with a formula and no saved value (see _no_values), and
    `sheets` the name of the sheet read then the other visible sheets' (a refusal names them:
    the list may be on another sheet than the one the workbook opens on), and `hidden` the
    numbers of the sheet's hidden rows (hidden by hand or filtered out: the rows of other
    directives in a list filtered to one, which Excel does not show), which are yielded
    all the same: `table_of` passes over them; `hidden_columns` likewise the numbers of its
    hidden columns (an old "Thời hạn" kept beside the new one), whose cells `table_of` does
    not read.
    """
    _check_unpacked(content)
    try:
        workbook = _opened(content)
    except UnreadableFile:
        raise
    except Exception:  # any failure to open a hostile or broken file means "unreadable"
        raise UnreadableFile("not_a_table") from None
    try:
        sheet = _shown_sheet(workbook)
        if sheets is not None:
            sheets[:] = [sheet.title, *(s.title for s in _visible(workbook) if s is not sheet)]
        if hasattr(sheet, "reset_dimensions"):  # a read-only sheet: forget the declared size
            sheet.reset_dimensions()
        sheet_path = getattr(sheet, "_worksheet_path", "")
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_sheet(archive, sheet_path, limits.MAX_ROWS + 1)  # before openpyxl reads a row
        downward = _merged_down(content, sheet_path)
        if unsaved is not None:
            unsaved.update(_no_values(content, sheet_path))
        if hidden is not None or hidden_columns is not None:
            rows, columns = _hidden(content, sheet_path)
            if hidden is not None:
                hidden.update(rows)
            if hidden_columns is not None:
                hidden_columns.update(columns)
        spreading: dict[int, tuple[int, str]] = {}  # column -> (last row, value) spread down
        for number, row in enumerate(
            sheet.iter_rows(max_col=limits.MAX_COLUMNS, values_only=True), 1
        ):
            cells = [_cell_text(v) for v in row]
            yield _spread(cells, number, downward.get(number, ()), spreading)
    except UnreadableFile:
        raise
    except Exception:  # a broken sheet (bad XML, bad compression) fails while streaming
        raise UnreadableFile("not_a_table") from None
    finally:
        workbook.close()


def _opened(content: bytes) -> Any:
    """Open the workbook read-only, its saved values, without the parts an import never
    reads and openpyxl would parse whole, however large: the cached copies of linked
    workbooks (external links), the document's properties and custom properties, and
    chart sheets. A file of 300 KB whose external link held 20,000 rows of 50 cells took
    73 s and 1.2 GB; 300,000 custom properties (1.6 MB) 44 s and 590 MB. The workbook part
    and the shared strings are bounded wherever the list of parts puts them."""
    from openpyxl.chartsheet import Chartsheet
    from openpyxl.reader import excel  # imported here: only imports need it
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    workbook_part: Any = getattr(excel, "_find_workbook_part")  # noqa: B009  (not in its stubs)

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            """Read the shared strings the list of parts names, once their bounds are met."""
            package: Any = self.package  # openpyxl's Manifest, untyped
            found = package.find(SHARED_STRINGS)
            if found is not None:
                check_strings(self.archive, found.PartName[1:])
            super().read_strings()

        def read_workbook(self) -> None:
            """Read the workbook part the list of parts names, once its bounds are met."""
            check_workbook(self.archive, workbook_part(self.package).PartName[1:])
            super().read_workbook()

        def read_properties(self) -> None:
            """Leave the document's properties (title, author) unread."""

        def read_custom(self) -> None:
            """Leave the custom document properties unread."""

        def read_chartsheet(self, sheet: Any, rel: Any) -> None:
            """Leave a chart sheet (no table: a chart and its drawing) unread, an empty one
            in its place: the sheet the workbook opens on is named by its position."""
            book: Any = self.wb  # its _add_sheet is not in openpyxl's stubs
            chart = Chartsheet(parent=book, title=sheet.name)
            chart.sheet_state = sheet.state or "visible"
            book._add_sheet(chart)

    reader = Reader(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


def _shown_sheet(workbook: Any) -> Any:
    """Return the sheet Excel opens the workbook on: the active one if visible, else the
    first visible one."""
    visible = _visible(workbook)
    if not visible:
        raise UnreadableFile("empty")
    active = workbook.active
    return active if active in visible else visible[0]


def _visible(workbook: Any) -> list[Any]:
    """Return the workbook's visible sheets, in order."""
    return [s for s in workbook.worksheets if getattr(s, "sheet_state", "visible") == "visible"]


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
            if element.tag.endswith("}mergeCell") and count < limits.MAX_MERGES:
                count += 1
                try:
                    col, first, _, last = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    continue
                if col and first and last and last > first and col <= limits.MAX_COLUMNS:
                    found.setdefault(first, []).append((col, last))
            element.clear()
    return found


def _hidden(content: bytes, sheet_path: str) -> tuple[set[int], set[int]]:
    """Return the numbers of the sheet's hidden rows (`<row r="7" hidden="1">`) and hidden
    columns (`<col min="3" max="4" hidden="1"/>`, up to MAX_COLUMNS)."""
    from openpyxl.xml.functions import iterparse

    found: set[int] = set()
    columns: set[int] = set()
    if not sheet_path or not _mentions(content, sheet_path, *HIDDEN_MARKS):
        return found, columns  # most sheets hide nothing: no second parse of their XML
    number = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(sheet_path) as xml:
        for event, element in iterparse(xml, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "col" and element.get("hidden") in ("1", "true"):
                columns.update(_column_span(element.get("min"), element.get("max")))
            elif event == "start" and tag == "row":
                try:
                    number = int(element.get("r") or number + 1)
                except ValueError:
                    number += 1
                if number > limits.MAX_ROWS + 1:
                    break
                if element.get("hidden") in ("1", "true"):
                    found.add(number)
            elif event == "end" and tag in ("c", "row"):
                element.clear()
    return found, columns


def _column_span(first: str | None, last: str | None) -> range:
    """Return the columns a `<col>` element spans (`min` to `max`), within MAX_COLUMNS."""
    try:
        start = int(first or "")
        end = int(last or first or "")
    except ValueError:
        return range(0)
    return range(max(start, 1), min(end, limits.MAX_COLUMNS) + 1)


def _no_values(content: bytes, sheet_path: str) -> dict[int, list[tuple[int, str]]]:
    """Return the sheet's cells holding a formula but no saved value: by row, (column, name).

    Excel and LibreOffice save each formula's value with it; a program writing a workbook
    (openpyxl, a report generator) saves the formula alone, and the value read is empty.
    A formula whose value is the empty text is saved as such (`t="str"`): that one is kept.
    """
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.utils.exceptions import CellCoordinatesException
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
                except (TypeError, ValueError, CellCoordinatesException):
                    # A cell without its name (optional; some programs leave it out; openpyxl
                    # raises its own error for the empty one) is the one after the last.
                    column += 1
                    name = f"{_column_letters(column)}{row_number}"
                if (
                    column <= limits.MAX_COLUMNS
                    and row_number <= limits.MAX_ROWS + 1
                    and _no_value(element)
                ):
                    found.setdefault(row_number, []).append((column, name))
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
            if row_number > limits.MAX_ROWS + 1:
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
            if unpacked > limits.MAX_UNPACKED_BYTES:
                raise UnreadableFile(
                    "too_large_unpacked", size=unpacked, limit=limits.MAX_UNPACKED_BYTES
                )
            check_parts(
                archive, limits.MAX_ROWS + 1
            )  # each part openpyxl reads whole, and the sheets
    except (*BROKEN_ZIP, zlib.error):
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
    return _unescaped(value) if isinstance(value, str) else str(value)


def _unescaped(text: str) -> str:
    """Return a cell's text with OOXML's escapes read (`_x000D_` is a carriage return,
    `_x005F_` an underscore), as Excel shows it; a line break (CR, CR LF, Word's U+000B) is
    a line break, and any other control character, or half of a surrogate pair, is left out
    (none can be stored).

    Excel writes a carriage return as `_x000D_`: a title or a list of units pasted from Word
    kept it as those seven letters, the task named "Ban hành kế hoạch_x000D_" and its unit
    not found; `_x0000_`, a NUL, failed the import on PostgreSQL.
    """
    if "_x" not in text:
        return text
    decoded = ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)
    return UNSTORABLE.sub("", LINE_BREAKS.sub("\n", decoded))
