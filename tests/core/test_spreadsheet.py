"""Specification of reading CSV and XLSX files for imports, bounded against hostile files."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from core.spreadsheet import limits
from core.spreadsheet.dates import serial_date
from core.spreadsheet.read import read_table
from core.spreadsheet_errors import UnreadableFile

SHEET = "xl/worksheets/sheet1.xml"
HOSTILE_DIMENSION = "A1:XFD1048576"  # every column and row Excel has


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """Return a workbook with the rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(content: bytes, change: Any) -> bytes:
    """Return the workbook with its first sheet's XML passed through change."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, change(data) if item.filename == SHEET else data)
    return out.getvalue()


def hostile(rows: Sequence[Sequence[object]]) -> bytes:
    """Return a workbook whose sheet declares the largest dimension Excel knows."""

    def declare(xml: bytes) -> bytes:
        patched = re.sub(
            rb'<dimension ref="[^"]*"', f'<dimension ref="{HOSTILE_DIMENSION}"'.encode(), xml
        )
        assert patched != xml
        return patched

    return rewrite_sheet(xlsx(rows), declare)


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Watch the streaming sheet reader: the width of every row it hands out, in order.

    Reading a row past the bound (header + MAX_ROWS + one to notice) or wider than
    MAX_COLUMNS fails at once, so an unbounded reader fails instead of running for minutes.
    """
    widths: list[int] = []
    original: Any = ReadOnlyWorksheet.iter_rows

    def watched(self: ReadOnlyWorksheet, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for row in original(self, *args, **kwargs):
            widths.append(len(row))
            if len(widths) > limits.MAX_ROWS + 2 or len(row) > limits.MAX_COLUMNS:
                raise AssertionError(f"read row {len(widths)} of width {len(row)}")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", watched)
    return widths


UNITS = [("code", "name", "kind"), ("X1", "Xã Một", "xã"), ("X2", "Xã Hai", "xã")]


def test_read_table_ignores_a_hostile_declared_dimension(rows_read: list[int]) -> None:
    """A sheet declaring A1:XFD1048576 is read row by row: its three rows, nothing more."""
    table = read_table(hostile(UNITS), "units.xlsx")
    assert table.header == ("code", "name", "kind")
    assert table.rows == (
        (2, {"code": "X1", "name": "Xã Một", "kind": "xã"}),
        (3, {"code": "X2", "name": "Xã Hai", "kind": "xã"}),
    )
    assert len(rows_read) == 3


def test_read_table_stops_reading_an_xlsx_past_the_row_bound(
    rows_read: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too many rows are refused from the sheet's bytes, before a row is read."""
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    content = hostile([UNITS[0], *((f"X{n}", f"Xã {n}", "xã") for n in range(50))])
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, "units.xlsx")
    assert caught.value.code == "too_many_rows"
    assert rows_read == []


def test_read_table_reads_an_xlsx_up_to_the_row_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly MAX_ROWS data rows are accepted."""
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    content = xlsx([UNITS[0], *((f"X{n}", f"Xã {n}", "xã") for n in range(5))])
    assert len(read_table(content, "units.xlsx").rows) == 5


def test_read_table_ignores_columns_past_the_column_bound() -> None:
    """A value far to the right is not read: the formats have a handful of columns."""
    wide = [(*UNITS[0], *([""] * 100), "far"), (*UNITS[1], *([""] * 100), "x")]
    for content, name in (
        (xlsx(wide), "units.xlsx"),
        ("\n".join(",".join(row) for row in wide).encode(), "units.csv"),
    ):
        table = read_table(content, name)
        assert table.header == UNITS[0]
        assert table.rows == ((2, {"code": "X1", "name": "Xã Một", "kind": "xã"}),)


def test_read_table_stops_reading_a_csv_past_the_row_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CSV with more than MAX_ROWS data rows is refused."""
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    content = "code,name,kind\n" + "".join(f"X{n},Xã {n},xã\n" for n in range(6))
    with pytest.raises(UnreadableFile) as caught:
        read_table(content.encode(), "units.csv")
    assert caught.value.code == "too_many_rows"


def test_read_table_refuses_a_file_over_the_size_limit() -> None:
    """A file larger than the limit is refused before it is parsed, with both sizes."""
    content = "code,name,kind\nX1,Xã Một,xã\n".encode()
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, "units.csv", max_bytes=len(content) - 1)
    assert caught.value.code == "too_big"
    assert caught.value.params == {"size": len(content), "limit": len(content) - 1}
    assert read_table(content, "units.csv", max_bytes=len(content)).header == UNITS[0]


def _central_entries(content: bytes) -> list[int]:
    """Return where each entry of the zip's central directory starts."""
    found, at = [], content.find(b"PK\x01\x02")
    while at >= 0:
        found.append(at)
        at = content.find(b"PK\x01\x02", at + 1)
    return found


def _patched(content: bytes, offset: int, value: int) -> bytes:
    """Return the zip with the 2-byte field at `offset` of every central entry set."""
    data = bytearray(content)
    for entry in _central_entries(content):
        data[entry + offset : entry + offset + 2] = value.to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("offset", "value"),
    [(10, 9), (8, 1), (6, 90)],
    ids=["deflate64 compression", "encrypted members", "a newer zip version"],
)
def test_read_table_refuses_a_workbook_zipped_as_python_cannot_unpack(
    offset: int, value: int
) -> None:
    """A zip whose parts are compressed with a method Python lacks (Deflate64, as Windows
    zips large files), encrypted, or of a zip version past Python's: refused as no table;
    the error it raised was answered as the bot's own, with a reference to quote."""
    content = _patched(xlsx(UNITS), offset, value)
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, "units.xlsx")
    assert caught.value.code == "not_a_table"


def test_read_table_refuses_an_xlsx_that_unpacks_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A small workbook whose sheet unpacks past the bound (a zip bomb) is not parsed."""
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 100_000)
    content = rewrite_sheet(xlsx(UNITS), lambda xml: xml + b" " * 200_000)
    assert len(content) < 20_000
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, "units.xlsx")
    assert caught.value.code == "too_large_unpacked"


def _not_a_workbook_zip() -> bytes:
    """Return a valid zip archive that holds no workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04not really a workbook", "units.xlsx"),
        (b"\x89PNG\r\n\x1a\nnot a workbook", "units.xlsx"),
        (xlsx(UNITS)[:-200], "units.xlsx"),  # cut short
        (_not_a_workbook_zip(), "units.xlsx"),
        (rewrite_sheet(xlsx(UNITS), lambda xml: xml[: len(xml) // 2]), "units.xlsx"),
        (b"%PDF-1.4\x00\x01binary", "units.csv"),
    ],
    ids=["zip header only", "png", "cut short", "zip without workbook", "broken xml", "pdf"],
)
def test_read_table_says_a_broken_file_is_unreadable(content: bytes, name: str) -> None:
    """A file that is not a readable table is refused as unreadable, never a crash."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, name)
    assert caught.value.code == "not_a_table"


TASKS_HEADER = ("title", "deadline", "assignees", "directive")


def _saved(book: Workbook) -> bytes:
    """Return the workbook's bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_read_table_reads_the_sheet_shown_not_a_hidden_one() -> None:
    """A workbook whose first sheet is hidden (last month's list) is read from the sheet shown."""
    book = Workbook()
    old = book.active
    assert old is not None
    old.title = "Cũ"
    old.append(TASKS_HEADER[:3])
    old.append(("Nhiệm vụ cũ", "30/11/2026", "X1"))
    old.sheet_state = "hidden"
    shown = book.create_sheet("Tháng 12")
    shown.append(TASKS_HEADER[:3])
    shown.append(("Nhiệm vụ mới", "31/12/2026", "X2"))
    book.active = 1
    table = read_table(_saved(book), "tasks.xlsx")
    assert table.rows == (
        (2, {"title": "Nhiệm vụ mới", "deadline": "31/12/2026", "assignees": "X2"}),
    )


def test_read_table_reads_the_first_visible_sheet_when_the_active_one_is_hidden() -> None:
    """A hidden sheet is never read, even when the file marks it active."""
    book = Workbook()
    hidden = book.active
    assert hidden is not None
    hidden.append(("code", "name", "kind"))
    hidden.append(("OLD", "Xã Cũ", "xã"))
    shown = book.create_sheet("Đơn vị")
    for row in UNITS:
        shown.append(row)
    hidden.sheet_state = "hidden"  # still book.active, as a careless tool may leave it
    assert read_table(_saved(book), "units.xlsx").rows[0][1]["code"] == "X1"


def filtered_to_one_directive() -> bytes:
    """Return a master list of tasks under its title, filtered to one directive: the rows of
    the others hidden, as Excel's filter leaves them (a hidden note above the header too)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("DANH MỤC NHIỆM VỤ",))
    sheet.append(("ghi chú nội bộ",))
    sheet.row_dimensions[2].hidden = True
    sheet.append(TASKS_HEADER)
    for n, directive in enumerate(("12/UBND", "7/UBND", "12/UBND", "7/UBND", "7/UBND"), 4):
        sheet.append((f"Việc {n}", "31/12/2026", "X1", directive))
        sheet.row_dimensions[n].hidden = directive != "12/UBND"
    sheet.auto_filter.ref = "A3:D8"
    return _saved(book)


def test_read_table_reads_the_rows_shown_and_names_those_hidden() -> None:
    """Rows hidden or filtered out are not read, as Excel does not show them (the tasks of
    other directives were imported with the one the admin filtered to); those below the
    header are named, for the report to say."""
    table = read_table(filtered_to_one_directive(), "nhiem-vu.xlsx")
    assert [(n, cells["title"]) for n, cells in table.rows] == [(4, "Việc 4"), (6, "Việc 6")]
    assert table.hidden == (5, 7, 8)


def with_an_old_deadline_hidden() -> bytes:
    """Return a list of tasks whose old "Thời hạn" column, hidden, stands before the new one
    (as an office keeps last plan's deadlines beside the new ones), a hidden note beside."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Nhiệm vụ", "Thời hạn", "Thời hạn", "Đơn vị", None))
    sheet.append(("Việc 1", "30/06/2026", "31/12/2026", "X1", "đã lùi hạn"))
    sheet.append(("Việc 2", "30/09/2026", "15/01/2027", "X1", None))
    for letter in ("B", "E"):
        sheet.column_dimensions[letter].hidden = True
    return _saved(book)


def test_read_table_reads_the_columns_shown_and_names_those_hidden() -> None:
    """A hidden column is not read, as Excel does not show it: the old deadline hidden
    before the new one was read as the deadline (the new one kept as a column not read).
    The hidden columns that head something are named, for the report to say."""
    table = read_table(with_an_old_deadline_hidden(), "nhiem-vu.xlsx")
    assert [(n, cells["title"], cells["deadline"]) for n, cells in table.rows] == [
        (2, "Việc 1", "31/12/2026"),
        (3, "Việc 2", "15/01/2027"),
    ]
    assert table.header == ("title", "", "deadline", "assignees")
    assert table.hidden_columns == (("B", "Thời hạn"),)


def test_read_table_gives_a_vertically_merged_cell_to_every_row_it_spans() -> None:
    """One directive merged down three task rows is each task's directive, as Excel shows it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TASKS_HEADER)
    sheet.append(("Một", "31/12/2026", "X1", "Công văn 12/UBND-KGVX"))
    sheet.append(("Hai", "31/12/2026", "X2", None))
    sheet.append(("Ba", "31/12/2026", "X3", None))
    sheet.append(("Bốn", "31/12/2026", "X4", None))
    sheet.merge_cells("D2:D4")
    table = read_table(_saved(book), "tasks.xlsx")
    directives = [cells["directive"] for _, cells in table.rows]
    assert directives == ["Công văn 12/UBND-KGVX"] * 3 + [""]


def test_read_table_does_not_spread_a_horizontally_merged_cell_to_other_columns() -> None:
    """A title merged across two columns stays the title's; the next column keeps its own."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("title", "", "deadline", "assignees"))
    sheet.append(("Một", None, "31/12/2026", "X1"))
    sheet.merge_cells("A2:B2")
    table = read_table(_saved(book), "tasks.xlsx")
    assert table.rows == ((2, {"title": "Một", "deadline": "31/12/2026", "assignees": "X1"}),)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_read_table_finds_the_header_below_a_title_row(kind: str) -> None:
    """An official list opens with its title and a blank line; the header is the row below."""
    rows = [
        ("DANH SÁCH NHIỆM VỤ GIAO THEO CÔNG VĂN 12/UBND-KGVX",),
        (),
        ("STT", "Tiêu đề", "Hạn", "Đơn vị"),
        ("1", "Ban hành kế hoạch", "31/12/2026", "X1"),
    ]
    if kind == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        sheet.merge_cells("A1:D1")
        content = _saved(book)
    else:
        content = "\n".join(",".join(row) for row in rows).encode()
    table = read_table(content, f"tasks.{kind}")
    assert table.header == ("stt", "title", "deadline", "assignees")
    assert table.rows == (
        (
            4,
            {
                "stt": "1",
                "title": "Ban hành kế hoạch",
                "deadline": "31/12/2026",
                "assignees": "X1",
            },
        ),
    )


def test_read_table_keeps_the_first_row_as_header_when_none_names_known_columns() -> None:
    """A file of unknown columns keeps its first row as the header (the answer lists ours)."""
    table = read_table(b"foo,bar\n1,2\n", "x.csv")
    assert table.header == ("foo", "bar")
    assert table.rows == ((2, {"foo": "1", "bar": "2"}),)


def _ods() -> bytes:
    """Return the start of an OpenDocument spreadsheet (LibreOffice's own format)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an Excel 97-2003 (.xls) file


@pytest.mark.parametrize(
    ("content", "name"),
    [(OLE2, "nhiem-vu.xls"), (OLE2, "nhiem-vu.xlsx"), (_ods(), "nhiem-vu.ods")],
    ids=["xls", "xls renamed xlsx", "ods"],
)
def test_read_table_names_a_spreadsheet_of_another_format(content: bytes, name: str) -> None:
    """An .xls or .ods file, whatever its name, is told apart: the answer says how to save it."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, name)
    assert caught.value.code == "other_spreadsheet"


def encrypted_workbook() -> bytes:
    """Return a workbook saved with a password to open, as Excel writes it: an OLE2 file
    whose directory (its second sector, entries of 128 bytes) names the encryption's
    streams, the encrypted XLSX in "EncryptedPackage"."""
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    )
    sectors = b"\xff" * 512 + directory.ljust(512, b"\x00") + bytes(range(256)) * 8
    return OLE2.ljust(512, b"\x00") + sectors


@pytest.mark.parametrize("name", ["nhiem-vu.xlsx", "nhiem-vu.xls"])
def test_read_table_names_a_workbook_protected_by_a_password(name: str) -> None:
    """A workbook with a password to open is said to be one, not an .xls to save as .xlsx:
    saved so it keeps its password, and the admin got the same answer again."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(encrypted_workbook(), name)
    assert caught.value.code == "password_protected"


def test_read_table_takes_an_xls_naming_encryption_in_a_cell_for_an_xls() -> None:
    """The stream's name as a cell's text (not in the directory) is an .xls like any other."""
    cell = b"\x00\x00" + "EncryptedPackage".encode("utf-16-le")  # off an entry's start
    with pytest.raises(UnreadableFile) as caught:
        read_table(OLE2 + cell, "nhiem-vu.xls")
    assert caught.value.code == "other_spreadsheet"


# What a province's software exports as "Excel" and names .xls: a web page holding a table
# ("Lưu dạng trang web"), or Excel 2003's XML spreadsheet. Excel opens both; we read neither.
HTML_XLS = (
    '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">'
    "</head><body><table>\n<tr><td>Mã</td><td>Tên</td><td>Loại</td></tr>\n"
    "<tr><td>X1</td><td>Xã Một</td><td>xã</td></tr></table></body></html>\n"
).encode()
XML_XLS = (
    '\ufeff<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n'
    '<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">Mã</Data></Cell>'
    "</Row></Table></Worksheet></Workbook>\n"
).encode()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML_XLS, "danh-sach.xls"),
        (b"\r\n <!DOCTYPE html>" + HTML_XLS, "danh-sach.csv"),
        (XML_XLS, "danh-sach.xls"),
    ],
    ids=["web page named xls", "web page named csv", "excel 2003 xml"],
)
def test_read_table_names_a_web_page_or_xml_spreadsheet_as_another_format(
    content: bytes, name: str
) -> None:
    """A table saved as a web page or as Excel 2003 XML is told to be saved as XLSX or CSV,
    not read as a CSV whose header "lacks a required column"."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, name)
    assert caught.value.code == "other_spreadsheet"


@pytest.mark.parametrize("name", ["don-vi.xlsx", "DON-VI.XLSM"])
def test_read_table_reads_a_csv_named_as_a_workbook_by_its_content(name: str) -> None:
    """A CSV renamed .xlsx (a name changed to please the form) is read as the CSV it is."""
    table = read_table("mã,tên,loại\nX-AI,Xã Ái,xã\n".encode(), name)
    assert table.header == ("code", "name", "kind")
    assert table.rows == ((2, {"code": "X-AI", "name": "Xã Ái", "kind": "xã"}),)


def test_read_table_calls_a_binary_file_named_xlsx_unreadable_not_a_bad_csv() -> None:
    """Bytes that are neither a workbook nor text, named .xlsx, are unreadable (not "the CSV
    is not UTF-8": the admin sent no CSV)."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(b"\x89PNG\r\n\x1a\n\xff\xfe\xfd not a workbook", "units.xlsx")
    assert caught.value.code == "not_a_table"


def test_read_table_reads_the_headers_of_a_directive_appendix() -> None:
    """A directive's appendix, "Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian
    hoàn thành", is a tasks table; the agencies that only assist are not its assignees."""
    content = (
        "STT,Nội dung nhiệm vụ,Cơ quan chủ trì,Cơ quan phối hợp,Thời hạn hoàn thành\n"
        "1,Ban hành kế hoạch,Sở Y tế,Sở Tài chính,31/12/2026\n"
    ).encode()
    table = read_table(content, "phu-luc.csv")
    assert table.header == ("stt", "title", "assignees", "cơ quan phối hợp", "deadline")
    for title, assignees, deadline in (
        ("Nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"),
        ("Nhiệm vụ", "Đơn vị được giao", "Hạn xử lý"),
        ("Nội dung công việc", '"Cơ quan, đơn vị chủ trì"', "Thời gian thực hiện"),
        ("Nội dung", "Cơ quan thực hiện", "Thời hạn thực hiện"),
    ):
        header = read_table(f"{title},{assignees},{deadline}\nA,B,C\n".encode(), "x.csv").header
        assert header == ("title", "assignees", "deadline")
    both = read_table("Nhiệm vụ,Nội dung,Cơ quan chủ trì,Thời hạn\nA,B,C,D\n".encode(), "x.csv")
    assert both.header == ("title", "nội dung", "assignees", "deadline")  # the first is read
    assert both.rows[0][1]["title"] == "A"


@pytest.mark.parametrize(
    "cell",
    ["Số văn bản", "Số hiệu văn bản", '"Số, ký hiệu văn bản"', "Văn bản chỉ đạo", "Văn bản giao"],
)
def test_read_table_reads_a_directive_column_by_the_names_appendixes_give_it(cell: str) -> None:
    """The directive's column as tables head it ("Số văn bản", "Số, ký hiệu văn bản") is the
    directive: it was a column not read, the tasks made with no directive."""
    content = f"Mã nhiệm vụ,Tiêu đề,Hạn,Đơn vị,{cell}\nK1,A,15/12/2026,sở,12/UBND\n"
    header = read_table(content.encode(), "x.csv").header
    assert header == ("code", "title", "deadline", "assignees", "directive")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("46387", "31/12/2026"),
        (" 46387.0 ", "31/12/2026"),
        ("46387.708333333336", "31/12/2026"),  # 17:00 that day: a date and time
        ("46387.7x", None),
        ("36526", "01/01/2000"),
        ("36525", None),  # 31/12/1999: no deadline of ours
        ("73051", None),
        ("123", None),
        ("15/12/2026", None),
        ("٤٦٣٨٧", None),  # digits of another script are no Excel count
    ],
)
def test_serial_date_reads_an_excel_day_count_of_this_century(
    text: str, shown: str | None
) -> None:
    assert serial_date(text) == shown


def test_read_table_notes_the_formulas_a_program_wrote_without_their_values() -> None:
    """A workbook written by a program holds formulas and no values: those cells read as
    empty, and the ones under a named column are noted by row, column and name."""
    content = xlsx(
        [
            ("Danh sách đơn vị",),
            ("code", "name", "kind"),
            ("X1", '="Xã "&A3', "xã"),
            ("X2", "Xã Hai", "=C3", "=1+1"),
        ]
    )
    table = read_table(content, "units.xlsx")
    assert table.rows[0][1]["name"] == ""
    assert table.unsaved == ((3, "name", "B3"), (4, "kind", "C4"))


def test_read_table_notes_no_formula_whose_value_was_saved() -> None:
    """Excel and LibreOffice save a formula's value with it (an empty text as `t="str"`):
    such a workbook reads as the values and notes nothing."""

    def as_excel_saves(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="C2"><f>A2</f><v></v>', b'<c r="C2" t="str"><f>A2</f><v>X1</v>')
        return xml.replace(b'<c r="B2"><f>""</f><v></v>', b'<c r="B2" t="str"><f>""</f><v></v>')

    content = rewrite_sheet(xlsx([("code", "name", "kind"), ("X1", '=""', "=A2")]), as_excel_saves)
    table = read_table(content, "units.xlsx")
    assert table.rows == ((2, {"code": "X1", "name": "", "kind": "X1"}),)
    assert table.unsaved == ()


def test_read_table_reads_formulas_in_a_sheet_whose_cells_are_not_named() -> None:
    """A cell's name (`r="C2"`) is optional in a sheet's XML and some programs leave it out:
    a formula among such cells, its value saved or not, no longer has the whole file refused
    as "not a table" (the second read, for formulas without values, failed on the name)."""

    def unnamed(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml)  # the cells' names, not the rows'
        return xml.replace(b"<c><f>A2</f><v></v>", b'<c t="str"><f>A2</f><v>X1</v>')

    rows = [("code", "name", "kind"), ("X1", "Xã Một", "=A2"), ("X2", "Xã Hai", "=1+1")]
    content = rewrite_sheet(xlsx(rows), unnamed)
    table = read_table(content, "units.xlsx")
    assert table.rows == (
        (2, {"code": "X1", "name": "Xã Một", "kind": "X1"}),
        (3, {"code": "X2", "name": "Xã Hai", "kind": ""}),
    )
    assert table.unsaved == ((3, "kind", "C3"),)


UNITS_CSV = "mã\ttên\tloại\nX-AI\tXã Ái\txã\n"


@pytest.mark.parametrize(
    "content",
    [UNITS_CSV.encode("utf-16"), UNITS_CSV.encode("utf-16-be"), UNITS_CSV.encode("utf-8-sig")],
    ids=["excel unicode text", "utf-16 big endian", "utf-8 with tabs"],
)
def test_read_table_reads_excel_unicode_text(content: bytes) -> None:
    """Excel's "Unicode Text" is UTF-16 with a BOM, separated by tabs: read as the table
    (it was refused as no table, and a tab-separated UTF-8 file read as one column)."""
    if not content.startswith((b"\xef", b"\xff", b"\xfe")):
        content = b"\xfe\xff" + content  # the big-endian text needs its BOM
    table = read_table(content, "units.csv")
    assert table.header == ("code", "name", "kind")
    assert table.rows == ((2, {"code": "X-AI", "name": "Xã Ái", "kind": "xã"}),)


@pytest.mark.parametrize(
    "content",
    [
        "DANH SÁCH ĐƠN VỊ\nmã;tên;loại\nX-AI;Xã Ái, Điện Bàn;xã\n".encode(),
        "\r\nmã;tên;loại\r\nX-AI;Xã Ái, Điện Bàn;xã\r\n".encode(),
        "Danh sách đơn vị, năm 2026\n\nmã\ttên\tloại\nX-AI\tXã Ái, Điện Bàn\txã\n".encode(
            "utf-16"
        ),
    ],
    ids=["semicolons under a title", "semicolons under a blank line", "tabs under a title"],
)
def test_read_table_finds_the_separator_of_a_header_below_a_title(content: bytes) -> None:
    """The header's separator is found where the header is, not on the first line: a title
    or a blank line above a semicolon or tab separated header made the file one column,
    answered as a table of unknown columns."""
    table = read_table(content, "don-vi.csv")
    assert table.header == ("code", "name", "kind")
    assert table.rows[0][1] == {"code": "X-AI", "name": "Xã Ái, Điện Bàn", "kind": "xã"}


def test_read_table_reads_lines_ended_by_a_carriage_return_alone() -> None:
    """Excel for Mac 2011 ends a CSV's lines with CR alone: it was refused as no table."""
    table = read_table("mã;tên;loại\rX-AI;Xã Ái;xã\rX-AN;Xã An;xã\r".encode(), "don-vi.csv")
    assert [cells["code"] for _, cells in table.rows] == ["X-AI", "X-AN"]


def test_read_table_refuses_a_stray_carriage_return_as_no_table() -> None:
    """A CR inside a line, unquoted (here the title's, above the header), is a broken file,
    said so, as much while the separator is looked for as while the rows are read."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(b"Danh sach\rdon vi\ncode,name,kind\nX1,Xa Mot,xa\n", "don-vi.csv")
    assert caught.value.code == "not_a_table"


def test_read_table_refuses_a_binary_file_with_a_utf16_bom() -> None:
    """A binary file that happens to open like UTF-16 is still no table."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(b"\xff\xfe" + b"\x00\x00" * 50, "units.csv")
    assert caught.value.code == "not_a_table"


def test_read_table_reads_excels_escapes_in_a_cells_text() -> None:
    """`_x000D_` is a carriage return (a line break), `_x000B_` Word's line break, `_x0000_`
    nothing that can be stored, and `_x005F_` an underscore: "_x005F_x000D_" is written so
    to be read as the seven letters "_x000D_"."""
    table = read_table(
        xlsx([UNITS[0], ("X1", "Xã_x000D_\nMột_x000B_Hai_x0000_", "xã_x005F_x000D_")]),
        "units.xlsx",
    )
    assert table.rows == ((2, {"code": "X1", "name": "Xã\nMột\nHai", "kind": "xã_x000D_"}),)


def test_read_table_gives_decomposed_letters_composed() -> None:
    """A name typed on a Mac or copied from a PDF comes decomposed (NFD): it is kept as the
    same name typed in chat (NFC), not as different characters that look alike."""
    content = unicodedata.normalize("NFD", "code,name,kind\nX-AI,Xã Ái,xã\n").encode()
    name = read_table(content, "units.csv").rows[0][1]["name"]
    assert name == unicodedata.normalize("NFC", "Xã Ái")


# "Sở Y tế", "xã Điện Hòa", "sở", "xã" typed in TCVN3 (.VnTime) and in VNI (VNI-Times), as
# Excel keeps them: Latin-1 letters the legacy fonts draw as Vietnamese ones.
TCVN3_ROWS = [("SYT", "Së Y tÕ", "së"), ("X1", "x· §iÖn Hßa", "x·")]
VNI_ROWS = [("SYT", "Sôû Y teá", "sôû"), ("X1", "xaõ Ñieän Hoøa", "xaõ")]


@pytest.mark.parametrize("rows", [TCVN3_ROWS, VNI_ROWS], ids=["tcvn3", "vni"])
def test_a_list_typed_in_a_legacy_font_is_refused_quoting_it(
    rows: list[tuple[str, str, str]],
) -> None:
    """A units list typed in TCVN3 or VNI under a header typed in Unicode read as units
    named "Së Y tÕ": it is refused, quoting the first such cell, in XLSX and in a CSV
    saved as UTF-8 alike (the legacy letters survive both)."""
    content = xlsx([("Mã", "Tên", "Loại"), *rows])
    with pytest.raises(UnreadableFile) as raised:
        read_table(content, "don-vi.xlsx")
    assert (raised.value.code, raised.value.params) == ("legacy_font", {"sample": rows[0][1]})
    csv = "Mã,Tên,Loại\n" + "".join(",".join(row) + "\n" for row in rows)
    with pytest.raises(UnreadableFile) as raised:
        read_table(csv.encode(), "don-vi.csv")
    assert raised.value.code == "legacy_font"


def test_a_legacy_csv_saved_in_the_windows_code_page_is_told_from_one_in_unicode() -> None:
    """A CSV not in UTF-8 holding TCVN3 letters (Excel's "CSV (Comma delimited)") is told to
    be converted from the legacy font, not merely saved as UTF-8, which keeps the letters
    wrong; one in Windows' Vietnamese code page, or no text at all, is told to save it as
    UTF-8 (or, named .xlsx, that it is no table)."""
    legacy = "ma,ten,loai\n" + "".join(",".join(row) + "\n" for row in TCVN3_ROWS)
    with pytest.raises(UnreadableFile) as raised:
        read_table(legacy.encode("cp1252"), "don-vi.csv")
    assert raised.value.code == "legacy_font"
    # "Sở Y tế" in code page 1258: its marks are combining characters after the letter.
    windows = "ma,ten,loai\nSYT,S\xf5\xd2 Y t\xea\xec,s\xf5\xd2\n".encode("latin-1")
    with pytest.raises(UnreadableFile) as raised:
        read_table(windows, "don-vi.csv")
    assert raised.value.code == "bad_encoding"
    binary = bytes(range(1, 256)) * 8  # no text at all: its bytes hold the marks too
    for name, code in (("don-vi.csv", "bad_encoding"), ("don-vi.xlsx", "not_a_table")):
        with pytest.raises(UnreadableFile) as raised:
            read_table(binary, name)
        assert raised.value.code == code


def test_a_unicode_list_with_a_foreign_name_is_read() -> None:
    """Letters the legacy fonts use may be in a Unicode list's foreign name ("Müller"): a
    list whose other cells are Vietnamese is read."""
    table = read_table(
        xlsx([("Mã", "Tên", "Loại"), ("SYT", "Sở Y tế", "sở"), ("GZ", "Viện Müller", "sở")]),
        "don-vi.xlsx",
    )
    assert [cells["name"] for _, cells in table.rows] == ["Sở Y tế", "Viện Müller"]


def test_a_second_header_row_names_the_columns_of_a_header_merged_across() -> None:
    """A CSV of a two-row header ("Đơn vị" over "Chủ trì | Phối hợp", "Thời hạn" merged
    down) reads the units in charge and the deadline, the second row as no task; a data row
    under a one-row header (no empty header cell, digits in it) is never taken for one."""
    csv = (
        "STT,Nội dung nhiệm vụ,Đơn vị,,Thời hạn\n"
        ",Nội dung nhiệm vụ,Chủ trì,Phối hợp,\n"
        "1,Ban hành kế hoạch,Sở Y tế,Xã A1,15/12/2026\n"
    )
    table = read_table(csv.encode(), "phu-luc.csv")
    assert table.header == ("stt", "title", "assignees", "đơn vị phối hợp", "deadline")
    assert [number for number, _ in table.rows] == [3]
    plain = read_table("Tiêu đề,Hạn,Đơn vị\nThường xuyên,Hằng tháng,Sở Y tế\n".encode())
    assert [cells["title"] for _, cells in plain.rows] == ["Thường xuyên"]


def test_the_sheet_opened_on_after_a_chart_sheet_is_the_one_read() -> None:
    """A chart sheet is not read (openpyxl would parse its chart whole), but it keeps its
    place: the sheet a workbook opens on is named by its position among all sheets."""
    book = Workbook()
    old = book.active
    assert old is not None
    old.title = "Cũ"
    old.append(("title", "deadline", "assignees"))
    old.append(("Việc cũ", "15/01/2027", "Xã A"))
    chart = BarChart()
    chart.add_data(Reference(old, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Biểu đồ").add_chart(chart)
    new = book.create_sheet("Mới")
    new.append(("title", "deadline", "assignees"))
    new.append(("Việc mới", "15/01/2027", "Xã A"))
    book.active = 2
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "nhiem-vu.xlsx")
    assert (table.sheet, [cells["title"] for _, cells in table.rows]) == ("Mới", ["Việc mới"])
