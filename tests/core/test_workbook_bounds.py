"""Specification of the bounds a workbook or CSV meets before it is parsed.

The hostile files are small on disk and large once unpacked (bench/hostile_files.py); each
is refused, naming what is too large, without openpyxl reading the part (its readers are
watched: a bound checked after parsing would fail here, not just be slow). Real files at
the scale of a province's appendix pass.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl.reader import excel
from openpyxl.reader import workbook as workbook_reader
from openpyxl.workbook.external_link.external import read_external_link
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from app.i18n import load_catalog
from app.import_report import unreadable_text
from bench import hostile_files as hostile
from core import workbook_bounds
from core.spreadsheet import limits
from core.spreadsheet.read import read_table
from core.spreadsheet_errors import UnreadableFile


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Watch openpyxl: the parts it parsed ("strings", "styles") and each row it read."""
    seen: list[str] = []
    reader: Any = excel  # its names are imported there, untyped
    strings, styles = reader.read_string_table, reader.apply_stylesheet
    rows: Any = ReadOnlyWorksheet.iter_rows

    def read_strings(*args: Any) -> Any:
        seen.append("strings")
        return strings(*args)

    def read_styles(*args: Any) -> Any:
        seen.append("styles")
        return styles(*args)

    def read_rows(self: ReadOnlyWorksheet, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for row in rows(self, *args, **kwargs):
            seen.append("row")
            yield row

    monkeypatch.setattr(excel, "read_string_table", read_strings)
    monkeypatch.setattr(excel, "apply_stylesheet", read_styles)
    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", read_rows)
    return seen


def refusal(content: bytes, name: str = "tasks.xlsx") -> UnreadableFile:
    """Return how reading the file is refused."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(content, name)
    return caught.value


def test_a_million_shared_strings_are_refused_before_openpyxl_reads_them(
    parsed: list[str],
) -> None:
    """1.8 million shared strings (75 KB on disk, 30 MB unpacked) took openpyxl 14 s and
    210 MB to read; the part's unpacked size in the zip's directory refuses it."""
    content = hostile.shared_strings_bomb(1_800_000)
    assert len(content) < 100_000
    refused = refusal(content)
    assert refused.code == "shared_strings_too_large"
    assert refused.params["limit"] == workbook_bounds.MAX_SHARED_STRINGS_BYTES
    assert "strings" not in parsed


def test_shared_strings_are_counted_not_taken_from_their_count_attribute(
    parsed: list[str],
) -> None:
    """Many short strings under the size bound are counted in the bytes, not believed."""
    content = hostile.shared_strings_bomb(workbook_bounds.MAX_SHARED_STRINGS + 1)
    refused = refusal(content)
    assert (refused.code, refused.params) == (
        "too_many_strings",
        {"most": workbook_bounds.MAX_SHARED_STRINGS},
    )
    assert "strings" not in parsed
    assert len(read_table(hostile.shared_strings_bomb(1000)).rows) == 2


def test_a_styles_part_of_many_cell_formats_is_refused_unparsed(parsed: list[str]) -> None:
    """300,000 cell formats took 560 MB to parse; the part's size refuses them."""
    refused = refusal(hostile.styles_bomb(300_000))
    assert refused.code == "styles_too_large"
    assert "styles" not in parsed


def test_a_workbook_of_too_many_sheets_is_refused() -> None:
    """Sheets are counted in the workbook's list before any is opened."""
    refused = refusal(hostile.sheets_bomb(workbook_bounds.MAX_SHEETS + 1))
    assert (refused.code, refused.params) == ("too_many_sheets", {"most": 250})
    assert len(read_table(hostile.sheets_bomb(3)).rows) == 1


@pytest.mark.parametrize("dimension", ["", "A1:C2"], ids=["no dimension", "declared small"])
def test_a_row_of_a_million_cells_is_refused_before_it_is_read(
    parsed: list[str], dimension: str
) -> None:
    """openpyxl builds every cell of a row, past the columns asked for (355 MB here);
    a sheet without its dimension it even parses whole as the workbook opens."""
    refused = refusal(hostile.wide_row_bomb(1_000_000, dimension))
    assert (refused.code, refused.params) == ("row_too_wide", {"row": 2, "most": 16_384})
    assert "row" not in parsed


def prefixed(content: bytes) -> bytes:
    """Return the workbook with its sheet and shared strings written with a namespace
    prefix (`<x:row>`), declared on a root that a long comment puts past the first KBs."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
                data = re.sub(rb"<(/?)(\w+)", rb"<\1x:\2", data)
                data = data.replace(b"xmlns=", b"xmlns:x=", 1)
                data = b"<!--" + b" " * 10_000 + b"-->" + data
            target.writestr(item, data)
    return out.getvalue()


def test_a_namespace_prefix_hides_no_row_or_string_from_the_bounds(
    parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`<x:c/>` and `<x:si>` are counted as `<c/>` and `<si>` are."""
    monkeypatch.setattr(workbook_bounds, "MAX_SHARED_STRINGS", 1_000)
    assert refusal(prefixed(hostile.shared_strings_bomb(1_001))).code == "too_many_strings"
    assert "strings" not in parsed
    refused = refusal(prefixed(hostile.wide_row_bomb(16_385, "A1:C2")))
    assert (refused.code, refused.params) == ("row_too_wide", {"row": 2, "most": 16_384})
    assert "row" not in parsed
    assert len(read_table(prefixed(hostile.shared_strings_bomb(10))).rows) == 2


def test_a_sheet_stored_outside_the_worksheets_folder_is_bounded_too(parsed: list[str]) -> None:
    """The relationships may name a sheet anywhere in the zip: openpyxl reads it there."""
    moved = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(hostile.wide_row_bomb(1_000_000))) as source,
        zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item).replace(b"worksheets/sheet1.xml", b"elsewhere.xml")
            name = item.filename.replace("worksheets/sheet1.xml", "elsewhere.xml")
            target.writestr(name, data)
    refused = refusal(moved.getvalue())
    assert (refused.code, refused.params) == ("row_too_wide", {"row": 2, "most": 16_384})
    assert parsed == []


def test_too_many_rows_are_refused_from_the_bytes_before_a_row_is_read(
    parsed: list[str],
) -> None:
    """A million empty rows (10 KB on disk) are counted, not read one by one."""
    refused = refusal(hostile.rows_bomb(1_000_000, "A1:C1"))
    assert refused.code == "too_many_rows"
    assert "row" not in parsed


def test_a_sheet_too_large_or_of_too_many_cells_or_a_row_too_long_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other bounds, lowered here so that the files stay tiny."""
    monkeypatch.setattr(workbook_bounds, "MAX_CELLS", 100)
    assert refusal(hostile.wide_row_bomb(101)).code == "too_many_cells"
    monkeypatch.setattr(workbook_bounds, "MAX_ROW_BYTES", 5_000)
    refused = refusal(hostile.huge_cell(5_000))
    assert (refused.code, refused.params) == ("row_too_long", {"row": 2, "limit": 5_000})
    monkeypatch.setattr(workbook_bounds, "MAX_SHEET_BYTES", 10_000)
    refused = refusal(hostile.rows_bomb(5_000))
    assert (refused.code, refused.params["limit"]) == ("sheet_too_large", 10_000)


def test_a_title_of_32767_letters_is_read_whole() -> None:
    """Excel's longest cell is read as it is (the tasks import refuses it as too long)."""
    table = read_table(hostile.huge_cell(32_767))
    assert [len(cells["title"]) for _, cells in table.rows] == [32_767]


def test_a_province_appendix_of_5000_rows_in_shared_strings_passes() -> None:
    """An Excel-written appendix (shared strings, one per cell) of 5,000 tasks is read."""
    title = "Triển khai nhiệm vụ chuyển đổi số và cải cách hành chính năm 2027 "
    texts = [f"{title}({n})" for n in range(5_000)]
    rows = [hostile.header_rows()[0]]
    rows += [
        f'<row r="{n}"><c t="s"><v>{n - 2}</v></c><c t="inlineStr"><is><t>31/12/2099</t>'
        '</is></c><c t="inlineStr"><is><t>X1</t></is></c></row>'.encode()
        for n in range(2, 5_002)
    ]
    shared = (f"<si><t>{text}</t></si>".encode() for text in texts)
    table = read_table(hostile.workbook(rows, shared=shared, dimension="A1:C5001"))
    assert len(table.rows) == 5_000
    assert table.rows[-1][1]["title"] == texts[-1]


def test_a_csv_line_of_five_million_commas_is_refused_before_it_is_split() -> None:
    """It was split into a row of five million cells (127 MB), then read as blank."""
    refused = refusal(hostile.csv_one_line(5_000_000), "tasks.csv")
    assert (refused.code, refused.params) == ("line_too_long", {"row": 2, "most": 100_000})


def test_a_csv_field_over_many_lines_past_the_bound_says_so() -> None:
    """A quoted field left open runs to the end of the file: named as too long, not unread."""
    content = b'title,deadline,assignees\n"' + b"word\n" * 30_000 + b'",31/12/2099,X1\n'
    refused = refusal(content, "tasks.csv")
    assert refused.code == "line_too_long"
    long_line = b"title,deadline,assignees\n" + b"a" * 90_000 + b",31/12/2099,X1\n"
    assert len(read_table(long_line, "tasks.csv").rows[0][1]["title"]) == 90_000


@pytest.mark.parametrize(
    ("code", "params", "vi", "en"),
    [
        ("shared_strings_too_large", {"size": 30 << 20, "limit": 16 << 20}, "30 MB", "16 MB"),
        ("too_many_strings", {"most": 250_000}, "tối đa 250.000", "at most 250,000"),
        ("styles_too_large", {"size": 18 << 20, "limit": 1 << 19}, "0,5 MB", "Paste Values"),
        ("too_many_sheets", {"most": 250}, "chỉ với trang tính cần nhập", "only the sheet"),
        ("sheet_too_large", {"size": 49 << 20, "limit": 48 << 20}, "48 MB", "48 MB"),
        ("row_too_wide", {"row": 2, "most": 16_384}, "Dòng 2", "Row 2"),
        ("row_too_long", {"row": 7, "limit": 2 << 20}, "tối đa 2 MB", "at most 2 MB"),
        ("too_many_cells", {"most": 1_000_000}, "1.000.000", "1,000,000"),
        ("line_too_long", {"row": 2, "most": 100_000}, "100.000 ký tự", "100,000 characters"),
    ],
)
def test_each_bound_is_explained_in_both_languages(
    code: str, params: dict[str, int], vi: str, en: str
) -> None:
    """Each refusal says what is too large and what to do; nothing was changed."""
    catalog = load_catalog()
    said_vi = unreadable_text(catalog, "vi", code, params)
    said_en = unreadable_text(catalog, "en", code, params)
    assert vi in said_vi
    assert "Không có gì được thay đổi" in said_vi
    assert en in said_en
    assert "Nothing was changed" in said_en


def test_the_sheet_scan_and_the_stream_agree_on_the_row_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Header + MAX_ROWS rows are read, one more is refused (before any is read)."""
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    rows = limits.MAX_ROWS + 1
    assert refusal(hostile.rows_bomb(rows, "A1:C1")).code == "too_many_rows"
    assert read_table(hostile.rows_bomb(rows - 1, "A1:C1")).header[0] == "title"


def test_the_parts_an_import_never_reads_are_never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl parsed whole, however large, a linked workbook's cached copy (a 300 KB file
    whose link held 20,000 rows of 50 cells: 73 s and 1.2 GB) and the custom document
    properties (300,000 in 1.6 MB: 44 s and 590 MB). The table is read without them."""
    parsed: list[str] = []

    def watched(name: str, read: Any) -> Any:
        def reading(*args: Any, **kwargs: Any) -> Any:
            parsed.append(name)
            return read(*args, **kwargs)

        return reading

    reader: Any = excel  # its names are imported there, untyped
    monkeypatch.setattr(workbook_reader, "read_external_link", watched("link", read_external_link))
    for name in ("CustomPropertyList", "DocumentProperties"):
        kind = getattr(reader, name)
        monkeypatch.setattr(kind, "from_tree", watched(name, kind.from_tree))
    for content in (hostile.external_link_bomb(20, 3), hostile.custom_properties_bomb(100)):
        table = read_table(content, "tasks.xlsx")
        assert [cells["title"] for _, cells in table.rows] == [hostile.TITLE]
    assert parsed == []


def test_the_list_of_parts_and_the_relationships_are_bounded_before_they_are_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """openpyxl parses the package's list of parts and every relationships part whole, into
    an object each (about a second a MB): beyond what any office's file holds, refused."""
    parsed: list[str] = []
    reader: Any = excel  # its names are imported there, untyped
    manifest = reader.Manifest.from_tree
    monkeypatch.setattr(reader.Manifest, "from_tree", lambda tree: parsed.append("parts"))
    assert refusal(hostile.manifest_bomb(20_000)).code == "not_a_table"  # no office's
    too_many_links = refusal(hostile.links_bomb(30_000))  # said as a sheet too large
    assert too_many_links.code == "sheet_too_large"
    assert too_many_links.params["limit"] == workbook_bounds.MAX_RELS_BYTES
    assert parsed == []
    monkeypatch.setattr(reader.Manifest, "from_tree", manifest)
    for content in (hostile.manifest_bomb(100), hostile.links_bomb(100)):
        assert [cells["title"] for _, cells in read_table(content).rows] == [hostile.TITLE]


def test_a_workbook_part_under_another_name_is_bounded_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list of parts may name any part the workbook; openpyxl parses it whole (1 MB of
    defined names took 17 s and 423 MB), and only one named workbook.xml was bounded."""
    parsed: list[str] = []
    reader: Any = workbook_reader  # its names are imported there, untyped
    package = reader.WorkbookPackage.from_tree

    def parse(tree: Any) -> Any:
        parsed.append("workbook")
        return package(tree)

    monkeypatch.setattr(reader.WorkbookPackage, "from_tree", parse)
    assert refusal(hostile.renamed_workbook_bomb(40_000)).code == "not_a_table"
    assert parsed == []
    table = read_table(hostile.renamed_workbook_bomb(10))
    assert [cells["title"] for _, cells in table.rows] == [hostile.TITLE]


def test_shared_strings_under_another_name_are_bounded_before_they_are_parsed(
    parsed: list[str],
) -> None:
    """The list of parts may put the shared strings in any part (openpyxl reads the one it
    names); only one named sharedStrings.xml was bounded."""
    refused = refusal(hostile.renamed_strings_bomb(workbook_bounds.MAX_SHARED_STRINGS + 1))
    assert refused.code == "too_many_strings"
    assert "strings" not in parsed
    assert len(read_table(hostile.renamed_strings_bomb(1000)).rows) == 2
