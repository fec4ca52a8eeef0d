"""Specification of reading CSV and XLSX files for imports, bounded against hostile files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from core import spreadsheet
from core.spreadsheet import UnreadableFile, read_table

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
            if len(widths) > spreadsheet.MAX_ROWS + 2 or len(row) > spreadsheet.MAX_COLUMNS:
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
    """Too many rows are refused after reading one row past the bound, not the whole sheet."""
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 5)
    content = hostile([UNITS[0], *((f"X{n}", f"Xã {n}", "xã") for n in range(50))])
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, "units.xlsx")
    assert caught.value.code == "too_many_rows"
    assert len(rows_read) == spreadsheet.MAX_ROWS + 2


def test_read_table_reads_an_xlsx_up_to_the_row_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly MAX_ROWS data rows are accepted."""
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 5)
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
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 5)
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


def test_read_table_refuses_an_xlsx_that_unpacks_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A small workbook whose sheet unpacks past the bound (a zip bomb) is not parsed."""
    monkeypatch.setattr(spreadsheet, "MAX_UNPACKED_BYTES", 100_000)
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
