"""Cheap bounds on an XLSX workbook, checked before openpyxl parses any part of it.

openpyxl reads some parts whole even in read-only mode: the shared strings (a list of
every text, about 90 bytes of memory each), the styles (about 1.7 KB per cell format) and
each row of a sheet (a dict per cell, past the columns asked for too). A file of 75 KB
with 1.8 million shared strings took 14 s to 48 s and 210 MB; 300,000 cell formats 560 MB;
a row of a million empty cells 355 MB (bench/README.md, "Hostile spreadsheets").

What is checked, before the part is parsed:
- the unpacked size of the shared strings, the styles, the workbook, the list of parts, the
  relationships and each sheet, from the zip's directory (zipfile never unpacks more than a
  member declares);
- the number of shared strings and of sheets, counted in the unpacked bytes by chunks (a
  part's `count` and `uniqueCount` attributes are whatever the file says);
- of the sheet to be read (and of a sheet openpyxl would parse to find its size): its
  rows, cells per row, bytes per row and cells in all, by one pass over its bytes
  (`check_sheet`). Its declared dimension is not trusted either way.

The bounds are above a real file's (a 20,000-row appendix with long titles passes) and
keep a file just under all of them below the bot's 120 MB peak RSS (bench/README.md);
every refusal names what is too large (UnreadableFile codes, `app/texts/imports.toml`).
"""

from __future__ import annotations

import re
import zipfile

from core.spreadsheet_errors import UnreadableFile

MB = 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * MB  # 20,000 rows of 800 bytes of text (a 300-letter title: 400)
MAX_SHARED_STRINGS = 250_000  # 20,000 rows x 12 distinct texts; ~22 MB in openpyxl
MAX_STYLES_BYTES = MB // 2  # Excel's own files: a few KB; 512 KB is ~7,500 cell formats
MAX_WORKBOOK_BYTES = 1 * MB  # the list of sheets and defined names
MAX_SHEET_BYTES = 48 * MB  # 20,000 rows of 700 letters in inline strings: 38 MB
MAX_SHEETS = 250
# Parts openpyxl parses whole into objects (about 1 s a MB): the package's list of parts
# and the relationships (a sheet's hold its hyperlinks: 20,000 links are about 3 MB).
MAX_MANIFEST_BYTES = 1 * MB  # Excel's: a few KB; 1 MB lists some 6,000 parts
MAX_RELS_BYTES = 4 * MB
MAX_ROW_CELLS = 16_384  # Excel's columns: a row with more cells is not a file Excel wrote
MAX_ROW_BYTES = 2 * MB  # a row of 64 cells of 32,767 letters (Excel's longest cell) is ~6 MB
MAX_CELLS = 1_000_000  # 20,000 rows of 50 cells; openpyxl parses each, even past column 64
CHUNK = 1 << 18
DIMENSION_WITHIN = 1 << 16  # Excel writes it first in a sheet, after sheetPr
_ROW_NUMBER = re.compile(rb'\s+r="(\d{1,7})"')
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_END_TAG = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>")


def check_parts(archive: zipfile.ZipFile, max_rows: int) -> None:
    """Refuse a workbook whose shared strings, styles, workbook or a sheet is too large,
    or that has too many sheets or shared strings; nothing of it is parsed.

    A sheet without its dimension near its start is parsed whole by openpyxl as the
    workbook opens, looking for one (hidden or not): its rows are checked here too. A sheet
    is whatever part the workbook's relationships name, anywhere in the zip: every other
    XML part is taken as one (bounded as one; a theme or the relationships hold no row), the
    list of parts and the relationships more tightly (`_bound_of`).
    """
    for item in archive.infolist():
        name = item.filename.lower()
        if name.endswith("sharedstrings.xml"):
            check_strings(archive, item)
        elif name.endswith("styles.xml"):
            _bound(item, MAX_STYLES_BYTES, "styles_too_large")
        elif name.endswith("workbook.xml"):
            check_workbook(archive, item)
        elif name.endswith((".xml", ".rels")):
            _bound(item, *_bound_of(name))
            with archive.open(item) as stream:
                declared = b"dimension" in stream.read(DIMENSION_WITHIN)
            if not declared:
                check_sheet(archive, item.filename, max_rows)


def check_strings(archive: zipfile.ZipFile, item: zipfile.ZipInfo | str) -> None:
    """Refuse shared strings too large or too many, wherever the list of parts puts them
    (openpyxl reads the part it names; `core/spreadsheet/xlsx_rows._opened` checks it there)."""
    found = _member(archive, item)
    if found is None:
        return
    _bound(found, MAX_SHARED_STRINGS_BYTES, "shared_strings_too_large")
    if _count(archive, found, b"si", MAX_SHARED_STRINGS) > MAX_SHARED_STRINGS:
        raise UnreadableFile("too_many_strings", most=MAX_SHARED_STRINGS)


def _member(archive: zipfile.ZipFile, item: zipfile.ZipInfo | str) -> zipfile.ZipInfo | None:
    """Return a member of the zip, found by its name; None when there is none of it."""
    if isinstance(item, zipfile.ZipInfo):
        return item
    try:
        return archive.getinfo(item)
    except KeyError:
        return None  # openpyxl fails on it itself: the file is no workbook


def check_workbook(archive: zipfile.ZipFile, item: zipfile.ZipInfo | str) -> None:
    """Refuse a workbook part (the list of sheets and defined names, which openpyxl parses
    whole) that is too large or names too many sheets. The package's list of parts names it:
    openpyxl opens whatever part that says (`core/spreadsheet/xlsx_rows._opened` checks it
    there), not only one named workbook.xml."""
    found = _member(archive, item)
    if found is None:
        return
    _bound(found, MAX_WORKBOOK_BYTES, "not_a_table")
    if _count(archive, found, b"sheet", MAX_SHEETS) > MAX_SHEETS:
        raise UnreadableFile("too_many_sheets", most=MAX_SHEETS)


def _bound_of(name: str) -> tuple[int, str]:
    """Return the bound of a part that may be a sheet (its name folded), and the refusal's
    code: the list of parts and the relationships, parsed whole, are no office's to fill."""
    if name == "[content_types].xml":
        return MAX_MANIFEST_BYTES, "not_a_table"
    if name.endswith(".rels"):  # a sheet's hold its links: saved as CSV, it has none
        return MAX_RELS_BYTES, "sheet_too_large"
    return MAX_SHEET_BYTES, "sheet_too_large"


def _bound(item: zipfile.ZipInfo, limit: int, code: str) -> None:
    """Refuse a member that unpacks to more than limit bytes."""
    if item.file_size > limit:
        raise UnreadableFile(code, size=item.file_size, limit=limit)


def _tags(name: bytes) -> tuple[bytes, ...]:
    """Return how an element opens, with any namespace prefix: `<si>`, `<si `, `<si/`,
    `<x:si>`... (a prefix read from the root alone is evaded by a comment before it; a
    text holding ":si " is counted too, which only brings a bound nearer)."""
    return tuple(start + name + end for start in (b"<", b":") for end in (b">", b" ", b"/"))


_CELL_TAGS = _tags(b"c")


def _cut(data: bytes) -> int:
    """Return where to stop counting in data: before a tag its end may cut short."""
    near_end = max(0, len(data) - 32)
    last = data.rfind(b"<", near_end)
    return last if last >= 0 else len(data)


def _count(archive: zipfile.ZipFile, item: zipfile.ZipInfo, name: bytes, stop: int) -> int:
    """Count the elements `name` in a member, unpacking it by chunks; stop past `stop`."""
    count = 0
    with archive.open(item) as stream:
        tail = b""
        tags = _tags(name)
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            cut = _cut(data)  # a tag cut at the chunk's end is counted with the next chunk
            count += sum(data.count(tag, 0, cut) for tag in tags)
            tail = data[cut:]
            if count > stop:
                break
        count += sum(tail.count(tag) for tag in tags)
    return count


def check_sheet(archive: zipfile.ZipFile, member: str, max_rows: int) -> None:
    """Refuse a sheet with more than max_rows rows, or a row too wide or too long, or more
    than MAX_CELLS cells, reading its bytes once by chunks (nothing is built per cell)."""
    scan = _SheetScan(max_rows)
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            cut = _cut(data)
            if scan.feed(data, cut):
                return
            tail = data[cut:]
        scan.feed(tail, len(tail))


class _SheetScan:
    """The running counts of a sheet's scan: rows, the current row's cells and bytes."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.offset = 0  # of the data fed, in the sheet's bytes
        self.rows = 0
        self.cells = 0
        self.row_start = -1  # the current row's offset (-1: before the first row)
        self.row_cells = 0
        self.number = 0  # the current row's number, as the file gives it (r="12")

    def feed(self, data: bytes, cut: int) -> bool:
        """Count data[:cut]; return True once past the rows (the rest is not data)."""
        end = _END_TAG.search(data, 0, cut)
        done = end is not None
        stop = end.start() if end else cut
        position = 0
        for found in _ROW_TAG.finditer(data, 0, stop):
            self._cells(data, position, found.start())
            self._row(self.offset + found.start(), data[found.end() - 1 : found.end() + 40])
            position = found.start()
        self._cells(data, position, stop)
        self._length(self.offset + stop)
        self.offset += cut
        return done

    def _cells(self, data: bytes, start: int, end: int) -> None:
        """Count the cells in data[start:end], all in the current row."""
        found = sum(data.count(tag, start, end) for tag in _CELL_TAGS)
        self.row_cells += found
        self.cells += found
        if self.row_cells > MAX_ROW_CELLS:
            raise UnreadableFile("row_too_wide", row=self.number, most=MAX_ROW_CELLS)
        if self.cells > MAX_CELLS:
            raise UnreadableFile("too_many_cells", most=MAX_CELLS)

    def _row(self, at: int, opening: bytes) -> None:
        """Start a row at offset `at` (its tag opening so), after checking the one it ends."""
        self._length(at)
        self.rows += 1
        if self.rows > self.max_rows:
            raise UnreadableFile("too_many_rows")
        self.row_start, self.row_cells = at, 0
        number = _ROW_NUMBER.match(opening)  # Excel writes r first; else the count goes on
        self.number = int(number.group(1)) if number else self.number + 1

    def _length(self, at: int) -> None:
        """Refuse the current row when it is longer than MAX_ROW_BYTES up to offset `at`."""
        if self.row_start >= 0 and at - self.row_start > MAX_ROW_BYTES:
            raise UnreadableFile("row_too_long", row=self.number, limit=MAX_ROW_BYTES)
