"""Specification of formula-safe spreadsheet cells."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from core.safecells import csv_value, workbook_bytes

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
