"""The export's workbook read back whole: streamed row by row, it holds every assignment
with its styles, the matrix every unit's row, each sheet's print setup."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.jobs import export_workbook
from db.queries.scope import EVERY
from tests.factories import make_task, make_unit
from tests.handlers.telegram.summary_data import at

UNITS, TASKS = 60, 5
HOSTILE = '=HYPERLINK("http://evil.example","Xã 007")'


def test_a_large_export_reads_back_every_row_with_its_styles(engine: Engine) -> None:
    """300 assignments: the appendix numbered 1 to 300 by task then unit, dates dd/mm/yyyy,
    text columns wrapped, the matrix 60 units by 5 tasks, a formula-like name kept text."""
    with Session(engine, expire_on_commit=False) as s:
        units = [make_unit(s, f"X{n:03}", f"Xã {n:03}") for n in range(UNITS)]
        units[7].name = HOSTILE
        s.add(units[7])
        s.commit()
        for n in range(TASKS):
            make_task(s, f"Nhiệm vụ {n}", date(2026, 12, 10 + n), units)
    made = export_workbook(
        engine,
        task_id=None,
        directive_id=None,
        scope=EVERY,
        lang="vi",
        now=at(9),
        tz="Asia/Ho_Chi_Minh",
    )
    assert made is not None
    book = load_workbook(io.BytesIO(made.content))
    appendix, matrix, history = book.worksheets
    assert [s.title for s in book.worksheets] == [
        "Phụ lục",
        "Đơn vị x Nhiệm vụ",
        "Lịch sử báo cáo",
    ]
    for sheet in book.worksheets:
        assert sheet["A1"].font.b
        assert sheet["A1"].font.sz == 13
        assert sheet["A2"].font.i
        assert all(c.font.b and c.alignment.wrap_text for c in sheet[3] if c.value)
        assert sheet.freeze_panes == "A4"
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.page_setup.orientation == "landscape"
        assert (sheet.sheet_properties.pageSetUpPr or PageSetupProperties()).fitToPage
    rows = list(appendix.iter_rows(min_row=4))
    assert [r[0].value for r in rows] == list(range(1, UNITS * TASKS + 1))
    assert str(rows[0][2].value).endswith("Nhiệm vụ 0")
    assert str(rows[-1][2].value).endswith("Nhiệm vụ 4")
    for row in rows:
        assert isinstance(row[4].value, datetime)  # a date cell reads back as one
        assert row[4].number_format == "DD/MM/YYYY"
        assert row[1].alignment.wrap_text
        assert row[1].alignment.vertical == "top"
        assert row[2].alignment.wrap_text
        assert not row[0].alignment.wrap_text
    assert appendix.column_dimensions["B"].width == len(HOSTILE) + 2
    named = [r[1] for r in rows if r[1].value == HOSTILE]
    assert len(named) == TASKS
    assert {c.data_type for c in named} == {"s"}
    grid = [list(r) for r in matrix.iter_rows(min_row=4, values_only=True)]
    assert len(grid) == UNITS
    assert all(len(r) == TASKS + 1 and all(r) for r in grid)
    assert {c.data_type for r in matrix.iter_rows(min_row=4) for c in r if c.value == HOSTILE} == {
        "s"
    }
    assert matrix.column_dimensions["A"].width == 40  # the unit column's cap
    assert history.max_row == 3  # nobody has reported
