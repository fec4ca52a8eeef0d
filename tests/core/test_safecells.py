"""Specification of formula-safe spreadsheet cells."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from core.safecells import CUT_MARK, MAX_CELL, cell_value, csv_value, workbook_bytes
from core.tablefile import write_table

HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", '=HYPERLINK("http://x")', "="]
HARMLESS = ["Sở Y tế", "#1 Báo cáo", "1+1", "a=b"]


# A carriage return is not in this table only because XML reading turns it into a newline.
@pytest.mark.parametrize("text", HOSTILE + HARMLESS)
def test_workbook_bytes_keeps_every_text_visible_and_never_a_formula(text: str) -> None:
    """Any text reads back unchanged and as a string cell, never a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([text, 7])
    cells = next(load_workbook(io.BytesIO(workbook_bytes(book))).worksheets[0].iter_rows())
    assert (cells[0].value, cells[0].data_type) == (text, "s")
    assert cells[1].value == 7


@pytest.mark.parametrize("text", [*HOSTILE, "\r=1+1"])
def test_csv_value_quotes_formula_like_text(text: str) -> None:
    """A CSV field that could start a formula gets a leading apostrophe."""
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("value", [*HARMLESS, "", 7, None])
def test_csv_value_leaves_other_values_alone(value: object) -> None:
    """Other text, numbers and empty values are written as they are."""
    assert csv_value(value) == value


def test_cell_value_cuts_a_text_longer_than_a_cell_with_a_visible_mark() -> None:
    """Past Excel's 32,767 characters a text is cut, its last character the mark."""
    long = "giải trình; " * 4000
    cut = cell_value(long)
    assert len(cut) == MAX_CELL
    assert cut.endswith(CUT_MARK)
    assert cut[:-1] == long[: MAX_CELL - 1]
    assert cell_value("x" * MAX_CELL) == "x" * MAX_CELL  # exactly full: kept whole
    emoji = cell_value("😀" * MAX_CELL)  # two UTF-16 units each, as Excel counts them
    assert emoji.endswith(CUT_MARK)
    assert len((emoji).encode("utf-16-le")) // 2 <= MAX_CELL
    assert cell_value(7) == 7


def test_workbook_bytes_cuts_any_cell_too_long_for_excel() -> None:
    """A cell written without cell_value is cut too, so no workbook opens as damaged:
    openpyxl cuts at 32,767 characters, but an emoji is two of Excel's."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["=" + "😀" * 40_000, "ngắn"])
    cells = next(load_workbook(io.BytesIO(workbook_bytes(book))).worksheets[0].iter_rows())
    text = str(cells[0].value)
    assert len(text.encode("utf-16-le")) // 2 <= MAX_CELL
    assert text.endswith(CUT_MARK)
    assert cells[0].data_type == "s"
    assert cells[1].value == "ngắn"


def test_write_table_takes_a_name_with_a_control_character_or_too_long() -> None:
    """The invite sheet's unit names: a control character left out, a long name cut."""
    rows = [["X1", "Xã\x01 A\x0bthôn"], ["X2", "B" * 40_000]]
    data = write_table(["code", "unit"], rows, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    names = [str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[0] == "Xã A\nthôn"
    assert len(names[1]) == MAX_CELL
    assert names[1].endswith(CUT_MARK)
