"""The tasks import: good rows applied, the same file again changes nothing, bad rows named."""

import io
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.i18n import load_catalog
from app.import_report import reason_text, report_lines, unreadable_text
from app.jobs import import_table
from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.spreadsheet_errors import UnreadableFile
from core.taskdraft import MAX_DESCRIPTION
from db.engine import session_scope
from db.imports.tasks import import_tasks
from db.models import Assignment, AuditLog, Directive, Task, Unit
from db.queries.reports import record_report
from db.queries.task_list import open_tasks
from db.queries.tasks import assignments_of
from db.queries.unit_choices import pickable_units
from tests.core.test_spreadsheet import with_an_old_deadline_hidden
from tests.factories import VN, make_unit

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
GOOD = (
    "code,title,deadline,assignees,directive,description\n"
    "KH-CDS,Ban hành Kế hoạch CĐS,15/12/2026,xã,4824/UBND-KGVX,Theo CV 4824\n"
    ",Báo cáo kết quả,5 ngày làm việc,Sở Y tế; Xã A1,,\n"
)


def _import(session: Session, text: str) -> ImportReport:
    """Import a CSV text as the admin would and commit."""
    report = import_tasks(session, read_table(text.encode()), actor_id=None, now=NOW, tz=VN)
    session.commit()
    return report


def _arrange(session: Session) -> None:
    """Create two communes and a department."""
    make_unit(session, "A1", "Xã A1")
    make_unit(session, "A2", "Xã A2")
    make_unit(session, "SYT", "Sở Y tế", kind="department")


def test_import_tasks_good_file_creates_tasks_directive_and_audit(session: Session) -> None:
    """Every good row becomes a task with its units; the directive is created once."""
    _arrange(session)
    report = _import(session, GOOD)
    assert report.added == ["KH-CDS", "#2"]
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    # Five working days from Wed 18/11/2026 skip the weekend and 24/11 (Vietnamese Culture Day).
    assert [t.deadline for t in tasks] == [date(2026, 12, 15), date(2026, 11, 26)]
    assert len(assignments_of(session, task_id=tasks[0].id or 0)) == 2
    assert session.exec(select(Directive)).one().number == "4824/UBND-KGVX"
    actions = [e.action for e in session.exec(select(AuditLog))]
    assert actions.count("task.created") == 2
    assert "directive.created" in actions


def test_import_tasks_same_file_again_changes_nothing(session: Session) -> None:
    """A second import of the same file reports every row unchanged and adds nothing."""
    _arrange(session)
    _import(session, GOOD)
    report = _import(session, GOOD)
    assert report.added == []
    assert report.unchanged == ["KH-CDS", "#2"]
    assert len(session.exec(select(Task)).all()) == 2


def test_import_tasks_edited_row_updates_by_code(session: Session) -> None:
    """A row whose code exists updates that task: new deadline, one unit fewer."""
    _arrange(session)
    _import(session, GOOD)
    edited = "code,title,deadline,assignees\nKH-CDS,Ban hành Kế hoạch CĐS,16/12/2026,Xã A1\n"
    report = _import(session, edited)
    assert report.updated == ["KH-CDS"]
    task = session.exec(select(Task).where(Task.code == "KH-CDS")).one()
    assert task.deadline == date(2026, 12, 16)
    assert [a.deadline for a in assignments_of(session, task_id=task.id or 0)] == [task.deadline]


def test_import_tasks_rejects_bad_rows_with_number_and_reason(session: Session) -> None:
    """Bad rows are rejected by row number with a reason code; good rows still apply."""
    _arrange(session)
    bad = (
        "code,title,deadline,assignees\n"
        "T1,,15/12/2026,xã\n"
        "T2,Hai,31/02/2027,xã\n"
        "T3,Ba,01/01/2020,xã\n"
        "T4,Bốn,15/12/2026,Xã Không Có\n"
        "T5,Năm,15/12/2026,\n"
        "T6,Sáu,15/12/2026,Xã\n"
        "T7,Bảy,15/12/2026,Xã A\n"
        "T8,Tám,15/12/2026,xã\n"
        "T8,Tám lần nữa,15/12/2026,xã\n"
    )
    report = _import(session, bad)
    reasons = [(r.row, r.reason) for r in report.rejected]
    assert reasons == [
        (2, "empty_title"),
        (3, "bad_deadline"),
        (4, "deadline_in_past"),
        (5, "unknown_assignee"),
        (6, "empty_assignees"),
        (8, "ambiguous_assignee"),
        (9, "duplicate_code"),
        (10, "duplicate_code"),
    ]
    assert report.added == ["T6"]


def check_import_and_progress(engine: Engine) -> None:
    """Import twice, then list open tasks with progress and search units by name."""
    with Session(engine, expire_on_commit=False) as session:
        _arrange(session)
        assert _import(session, GOOD).added == ["KH-CDS", "#2"]
        assert _import(session, GOOD).unchanged == ["KH-CDS", "#2"]
        rows, total = open_tasks(session, offset=0, limit=10)
        assert total == 2
        assert [(r.done, r.assigned) for r in rows] == [(0, 2), (0, 2)]
        assert [name for _, name in pickable_units(session, search="a_1")] == []
        assert [name for _, name in pickable_units(session, search="xa a")] == ["Xã A1", "Xã A2"]


def test_import_and_progress_on_sqlite(engine: Engine) -> None:
    """On SQLite, the import, the open-task list and the unit search agree."""
    check_import_and_progress(engine)


@pytest.mark.postgres
def test_import_and_progress_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL, the import, the open-task list and the unit search agree."""
    check_import_and_progress(pg_engine)


def test_import_tasks_of_a_directive_appendix_as_officials_make_it(session: Session) -> None:
    """A workbook as an office makes it: a hidden old sheet, a title line, the appendix's
    headers, "trước ngày" deadlines, units one a line, one directive merged down: all in."""
    _arrange(session)
    book = Workbook()
    old = book.active
    assert old is not None
    old.append(("title", "deadline", "assignees"))
    old.append(("Việc tháng trước", "30/11/2026", "Xã A1"))
    old.sheet_state = "hidden"
    sheet = book.create_sheet("Phụ lục")
    book.active = 1
    sheet.append(("PHỤ LỤC: DANH MỤC NHIỆM VỤ",))
    sheet.merge_cells("A1:E1")
    sheet.append(("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn hoàn thành", "Văn bản giao"))
    sheet.append(
        (1, "Ban hành kế hoạch", "- Sở Y tế\n- Xã A1", "trước ngày 15/12/2026", "12/UBND")
    )
    sheet.append((2, "Báo cáo sơ kết", "Xã A2", "ngày 18 tháng 12 năm 2026", None))
    sheet.merge_cells("E3:E4")
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "phu-luc.xlsx")
    report = import_tasks(session, table, actor_id=None, now=NOW, tz=VN)
    assert (len(report.added), report.rejected) == (2, [])
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [t.title for t in tasks] == ["Ban hành kế hoạch", "Báo cáo sơ kết"]
    assert [t.deadline for t in tasks] == [date(2026, 12, 15), date(2026, 12, 18)]
    assert len({t.directive_id for t in tasks} - {None}) == 1
    assert len(assignments_of(session, task_id=tasks[0].id or 0)) == 2


def unit_name(session: Session, unit_id: int) -> str:
    """Return a unit's name."""
    unit = session.get(Unit, unit_id)
    return unit.name if unit is not None else ""


def test_import_tasks_of_an_appendix_heading_its_columns_over_two_rows(session: Session) -> None:
    """Appendixes head a column over two: "Thời gian thực hiện" merged over "Bắt đầu |
    Hoàn thành", "Đơn vị" over "Phối hợp | Chủ trì". The start date was taken as the
    deadline, the agencies assisting as the units in charge, and the second header row was
    rejected as a task; the row below the header names the columns now."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("STT", "Nội dung nhiệm vụ", "Đơn vị", None, "Thời gian thực hiện", None))
    sheet.append((None, None, "Phối hợp", "Chủ trì", "Bắt đầu", "Hoàn thành"))
    for merged in ("A1:A2", "B1:B2", "C1:D1", "E1:F1"):
        sheet.merge_cells(merged)
    sheet.append((1, "Ban hành kế hoạch", "Sở Y tế", "Xã A1", "01/12/2026", "15/12/2026"))
    sheet.append((2, "Báo cáo sơ kết", None, "Xã A2", "01/12/2026", "18/12/2026"))
    out = io.BytesIO()
    book.save(out)
    report = import_tasks(
        session, read_table(out.getvalue(), "phu-luc.xlsx"), actor_id=None, now=NOW, tz=VN
    )
    assert (len(report.added), report.rejected) == (2, [])
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [t.deadline for t in tasks] == [date(2026, 12, 15), date(2026, 12, 18)]
    units = [
        [unit_name(session, a.unit_id) for a in assignments_of(session, task_id=t.id or 0)]
        for t in tasks
    ]
    assert units == [["Xã A1"], ["Xã A2"]]


def test_import_tasks_reads_the_deadline_shown_not_an_old_one_hidden(session: Session) -> None:
    """An office keeps last plan's "Thời hạn" hidden before the new one: the tasks take the
    deadline shown (they took the hidden 30/06/2026, long past), and the report names the
    hidden column not read, as it names hidden rows, in both languages."""
    make_unit(session, "X1", "Xã X1")
    table = read_table(with_an_old_deadline_hidden(), "nhiem-vu.xlsx")
    report = import_tasks(session, table, actor_id=None, now=NOW, tz=VN)
    session.commit()
    assert (len(report.added), report.rejected, report.ignored) == (2, [], [])
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [t.deadline for t in tasks] == [date(2026, 12, 31), date(2027, 1, 15)]
    catalog = load_catalog()
    [vi] = [line for line in report_lines(catalog, "vi", report) if "ẩn" in line]
    assert vi.startswith("1 cột đang ẩn trong tệp không được đọc: cột B «Thời hạn».")
    [en] = [line for line in report_lines(catalog, "en", report) if "hidden" in line]
    assert en.startswith("1 column hidden in the file was not read: column B «Thời hạn».")


def test_import_tasks_reads_text_pasted_from_word_as_excel_saved_it(session: Session) -> None:
    """Excel saves a carriage return as `_x000D_` (a title or a list of units pasted from
    Word has them), a program a NUL as `_x0000_`: read as the break and left out, the task
    is named as shown, its units found, and PostgreSQL stores it; the title was saved with
    "_x000D_" in it, the unit "Sở Y tế_x000D_" was not found."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Mô tả"))
    sheet.append(
        (
            "Ban hành kế hoạch_x000D_\nchuyển đổi số",
            "Sở Y tế_x000D_\nXã A1_x000B_Xã A2",
            "15/12/2026",
            "Gửi_x0000_ bản ký số",
        )
    )
    out = io.BytesIO()
    book.save(out)
    report = import_tasks(
        session, read_table(out.getvalue(), "phu-luc.xlsx"), actor_id=None, now=NOW, tz=VN
    )
    session.commit()
    assert report.rejected == []
    task = session.exec(select(Task)).one()
    assert (task.title, task.description) == ("Ban hành kế hoạch chuyển đổi số", "Gửi bản ký số")
    assert len(assignments_of(session, task_id=task.id or 0)) == 3


def test_import_tasks_of_an_appendix_numbering_its_columns_and_heading_its_groups(
    session: Session,
) -> None:
    """An official appendix numbers its columns under the header, "(1) | (2) | (3)…", and
    heads its groups of tasks, "I | NHÓM NHIỆM VỤ VỀ THỂ CHẾ": the numbers are no row to
    refuse, and the heading is refused by its name; it was "thiếu hạn (mã )", naming a code
    that appendix rows never have."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn hoàn thành"))
    sheet.append(("(1)", "(2)", "(3)", "(4)"))
    sheet.append(("I", "NHÓM NHIỆM VỤ VỀ THỂ CHẾ"))
    sheet.append((1, "Ban hành kế hoạch", "Sở Y tế", "15/12/2026"))
    sheet.append((2, "Báo cáo sơ kết", None, "18/12/2026"))
    out = io.BytesIO()
    book.save(out)
    report = import_tasks(
        session, read_table(out.getvalue(), "phu-luc.xlsx"), actor_id=None, now=NOW, tz=VN
    )
    assert len(report.added) == 1
    said = [(r.row, reason_text(load_catalog(), "vi", r)) for r in report.rejected]
    assert said == [
        (3, "thiếu hạn (nhiệm vụ «NHÓM NHIỆM VỤ VỀ THỂ CHẾ»)"),
        (5, "thiếu đơn vị được giao (nhiệm vụ «Báo cáo sơ kết»)"),
    ]


def test_import_tasks_takes_a_deadline_given_with_its_time_as_its_day(session: Session) -> None:
    """A deadline exported by a program with its time ("15/12/2026 17:00", a date and time
    cell shown as a number, 46387.708333 is 31/12/2026 at 17:00) or written with it ("17h00
    ngày 18/12/2026") is due that day: each was refused as no date."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Nhiệm vụ", "Cơ quan chủ trì", "Hạn xử lý"))
    sheet.append(("Một", "Xã A1", "15/12/2026 17:00"))
    sheet.append(("Hai", "Xã A1", "15/12/2026 17:00:00"))
    sheet.append(("Ba", "Xã A1", "17h00 ngày 18/12/2026"))
    sheet.append(("Bốn", "Xã A1", 46387.708333333336))
    out = io.BytesIO()
    book.save(out)
    report = import_tasks(
        session, read_table(out.getvalue(), "xuat.xlsx"), actor_id=None, now=NOW, tz=VN
    )
    assert report.rejected == []
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [t.deadline for t in tasks] == [
        date(2026, 12, 15),
        date(2026, 12, 15),
        date(2026, 12, 18),
        date(2026, 12, 31),
    ]


def test_import_tasks_of_a_workbook_opening_on_its_empty_template_names_the_sheets(
    session: Session,
) -> None:
    """A workbook opening on its template (the header alone), the list on another sheet:
    refused as a table with no row, naming the sheet read and the other; it was reported
    as "added 0, updated 0, unchanged 0, rejected 0", which said neither."""
    _arrange(session)
    book = Workbook()
    template = book.active
    assert template is not None
    template.title = "Mẫu"
    template.append(("Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"))
    book.create_sheet("Danh sách").append(("Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"))
    book["Danh sách"].append(("Ban hành kế hoạch", "Xã A1", "15/12/2026"))
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(UnreadableFile) as caught:
        import_tasks(session, read_table(out.getvalue(), "nv.xlsx"), actor_id=None, now=NOW, tz=VN)
    said = unreadable_text(load_catalog(), "vi", caught.value.code, caught.value.params)
    assert said.startswith("Bảng không có dòng nào dưới dòng tiêu đề cột")
    assert "Bot đọc trang tính «Mẫu»" in said
    assert "tệp còn các trang «Danh sách»" in said
    assert session.exec(select(Task)).first() is None


def test_import_tasks_reads_a_period_as_its_last_day(session: Session) -> None:
    """An appendix's "Quý IV/2026" and "Tháng 12/2026" are due on the period's last day;
    "Thường xuyên" (ongoing) is no deadline and is refused with its row."""
    _arrange(session)
    report = _import(
        session,
        "title,deadline,assignees\n"
        "Sơ kết quý,Quý IV/2026,xã\n"
        "Báo cáo tháng,Tháng 12/2026,Sở Y tế\n"
        "Việc thường xuyên,Thường xuyên,xã\n",
    )
    assert len(report.added) == 2
    assert [r.row for r in report.rejected] == [4]
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [(t.title, t.deadline) for t in tasks] == [
        ("Sơ kết quý", date(2026, 12, 31)),
        ("Báo cáo tháng", date(2026, 12, 31)),
    ]


def test_import_tasks_reads_a_date_cell_saved_as_a_number(session: Session) -> None:
    """Excel shows a date cell formatted "General" as its day count: 46387 is 31/12/2026.
    A number that cannot be such a date stays a bad deadline."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("title", "deadline", "assignees"))
    sheet.append(("Tổng kết năm", 46387, "xã"))
    sheet.append(("Báo cáo quý", 46387.0, "Sở Y tế"))
    sheet.append(("Gõ nhầm", 123, "xã"))
    out = io.BytesIO()
    book.save(out)
    report = import_tasks(
        session, read_table(out.getvalue(), "so.xlsx"), actor_id=None, now=NOW, tz=VN
    )
    assert len(report.added) == 2
    assert [r.row for r in report.rejected] == [4]
    tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    assert [t.deadline for t in tasks] == [date(2026, 12, 31), date(2026, 12, 31)]


def test_a_past_date_cell_saved_as_a_number_is_refused_naming_its_date(session: Session) -> None:
    """A past day count (46000, 09/12/2025) is refused saying the date it is, not "the
    deadline 46000 is past", which the admin cannot read as a date."""
    _arrange(session)
    table = read_table(b"title,deadline,assignees\nCu,46000,xa\n", "cu.csv")
    report = import_tasks(session, table, actor_id=None, now=NOW, tz=VN)
    [rejected] = report.rejected
    said = reason_text(load_catalog(), "vi", rejected)
    assert said == "hạn 09/12/2025 đã qua", said


def test_import_tasks_rejects_a_description_longer_than_the_form_takes(session: Session) -> None:
    """A description past MAX_DESCRIPTION (what /newtask takes) is refused with its row: the
    task's card could not be sent in one Telegram message."""
    _arrange(session)
    long = "Nội dung chi tiết. " * (MAX_DESCRIPTION // 10)
    report = _import(
        session,
        "code,title,deadline,assignees,description\n"
        f"T1,Một,15/12/2026,xã,{long}\n"
        f"T2,Hai,15/12/2026,xã,{long[:MAX_DESCRIPTION]}\n",
    )
    assert [(r.row, r.reason) for r in report.rejected] == [(2, "description_too_long")]
    assert report.added == ["T2"]
    assert "3.000" in reason_text(load_catalog(), "vi", report.rejected[0])


def test_import_tasks_rejects_an_xlsx_title_of_excels_longest_cell(session: Session) -> None:
    """A title cell of 32,767 letters (Excel's bound) is read, and its row rejected as too
    long with its first words; the row beside it is applied."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "title", "deadline", "assignees"])
    sheet.append(["T1", "Triển khai " + "ạ" * 32_756, "15/12/2026", "xã"])
    sheet.append(["T2", "Hai", "15/12/2026", "xã"])
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "tasks.xlsx")
    assert len(table.rows[0][1]["title"]) == 32_767
    report = import_tasks(session, table, actor_id=None, now=NOW, tz=VN)
    assert [(r.row, r.reason) for r in report.rejected] == [(2, "title_too_long")]
    assert report.rejected[0].params["value"].startswith("Triển khai ạạ")
    assert report.added == ["T2"]


def test_import_tasks_refuses_deadlines_left_as_formulas_without_values(
    session: Session,
) -> None:
    """A tasks workbook whose deadlines are formulas never computed (written by a program)
    is refused before any task is made, naming the first ten cells and counting the rest;
    the words tell the admin to open and save the file."""
    _arrange(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("title", "deadline", "assignees"))
    for n in range(12):
        sheet.append((f"Báo cáo tuần {n + 1}", f"=DATE(2026,12,{n + 1})", "xã"))
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(UnreadableFile) as refused:
        import_tasks(
            session, read_table(out.getvalue(), "tuan.xlsx"), actor_id=None, now=NOW, tz=VN
        )
    said = unreadable_text(load_catalog(), "vi", refused.value.code, refused.value.params)
    assert "B2, B3, B4, B5, B6, B7, B8, B9, B10, B11 và 2 ô khác" in said
    assert "mở tệp bằng Excel hoặc LibreOffice, bấm Lưu rồi gửi lại" in said
    assert "Không có gì được thay đổi" in said
    assert session.exec(select(Task)).first() is None


def test_import_tasks_leaves_a_closed_or_cancelled_task_as_it_is(session: Session) -> None:
    """The same file again leaves an ended task unchanged; an edited row is refused, as
    /deadline and /assign refuse it in chat (it moved the deadline and added units)."""
    _arrange(session)
    _import(session, GOOD)
    task = session.exec(select(Task).where(Task.code == "KH-CDS")).one()
    task.status = "cancelled"
    session.commit()
    assert _import(session, GOOD).unchanged == ["KH-CDS", "#2"]
    edited = GOOD.replace("15/12/2026,xã", "22/12/2026,xã; Sở Y tế")
    report = _import(session, edited)
    assert [(r.row, r.reason) for r in report.rejected] == [(2, "task_ended")]
    catalog = load_catalog()
    assert "KH-CDS (Ban hành Kế hoạch CĐS)" in reason_text(catalog, "vi", report.rejected[0])
    session.refresh(task)
    assert task.deadline == date(2026, 12, 15)
    assert len(assignments_of(session, task_id=task.id or 0)) == 2


def test_import_tasks_finds_a_code_retyped_in_another_case(session: Session) -> None:
    """ "kh-cds" is the task "KH-CDS" (two rows of one file are), not a second task."""
    _arrange(session)
    _import(session, GOOD)
    report = _import(session, GOOD.replace("KH-CDS,", "kh-cds,").replace("15/12", "16/12"))
    assert report.updated == ["KH-CDS"]
    assert len(session.exec(select(Task)).all()) == 2


def test_import_tasks_again_another_day_keeps_a_deadline_given_in_working_days(
    session: Session,
) -> None:
    """ "5 ngày làm việc" counts from the day of the first import: the file sent again the
    next day (as a rejection asks) added the row without a code once more, and moved the
    task of a row with a code by a day."""
    _arrange(session)
    relative = GOOD.replace("15/12/2026,xã", "5 ngày làm việc,xã")
    _import(session, relative)
    deadlines = [t.deadline for t in session.exec(select(Task).order_by(col(Task.id)))]
    later = import_tasks(
        session, read_table(relative.encode()), actor_id=None, now=NOW + timedelta(days=1), tz=VN
    )
    session.commit()
    assert (later.added, later.unchanged) == ([], ["KH-CDS", "#2"])
    assert [t.deadline for t in session.exec(select(Task).order_by(col(Task.id)))] == deadlines
    weeks_later = NOW + timedelta(days=14)  # "#2" is due: the same title is a new task
    again = import_tasks(
        session, read_table(relative.encode()), actor_id=None, now=weeks_later, tz=VN
    )
    assert (again.added, again.unchanged) == (["#3"], ["KH-CDS"])


def test_import_tasks_reads_kinds_codes_and_a_repeated_cell_once(session: Session) -> None:
    """The statements of a file grow with its rows by what each row writes, not by what it
    looks up: the kinds are read once, a repeated assignees cell resolved once, and a new
    code looked up in no statement (a 5,000-row file took 38 s through the CLI)."""
    _arrange(session)
    statements: list[str] = []
    engine = session.get_bind()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    rows = "".join(f"T{n},Nhiệm vụ {n},15/12/2026,các xã,,\n" for n in range(40))
    event.listen(engine, "before_cursor_execute", seen)
    try:
        report = _import(session, "code,title,deadline,assignees,directive,description\n" + rows)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(report.added) == 40
    assert sum("FROM unit_kind" in s for s in statements) == 1
    assert not [s for s in statements if "lower(task.code)" in s]
    assert sum("FROM unit " in s for s in statements) <= 2  # the cell resolved once


def test_imported_assignments_are_made_at_the_import_moment(session: Session) -> None:
    """The assignments of an imported task are stamped with the import's `now` (the
    application's clock), not the wall clock."""
    _arrange(session)
    _import(session, GOOD)
    stamps = {a.created_at for a in session.exec(select(Assignment)).all()}
    assert stamps == {NOW}


def test_units_an_import_adds_to_a_task_are_assigned_at_the_import_moment(
    session: Session,
) -> None:
    """A file sent again two days later with a unit more on a task: that unit's assignment
    is stamped with that import's `now` (the application's clock), not the wall clock, from
    which its "newly assigned" notice and its reminders are planned."""
    _arrange(session)
    import_tasks(
        session,
        read_table("code,title,deadline,assignees\nKH,Kế hoạch,15/12/2026,Xã A1\n".encode()),
        actor_id=None,
        now=NOW,
        tz=VN,
    )
    later = NOW + timedelta(days=2)
    report = import_tasks(
        session,
        read_table(
            "code,title,deadline,assignees\nKH,Kế hoạch,15/12/2026,Xã A1; Sở Y tế\n".encode()
        ),
        actor_id=None,
        now=later,
        tz=VN,
    )
    session.commit()
    assert report.updated == ["KH"]
    stamps = sorted(a.created_at for a in session.exec(select(Assignment)).all())
    assert stamps == [NOW, later]


def statements_while(engine: Engine, run: Callable[[], object]) -> list[str]:
    """Return the statements sent on `engine` while `run` runs (an executemany once)."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def new_rows(count: int) -> str:
    """Return a tasks file of `count` new coded rows, each for a list of units by code."""
    cells = ["A1, A2, SYT", "A2, SYT", "SYT, A1", "A1"]
    rows = "".join(
        f'T{n},Nhiệm vụ {n},15/12/2026,"{cells[n % len(cells)]}",,\n' for n in range(count)
    )
    return "code,title,deadline,assignees,directive,description\n" + rows


def check_new_tasks_go_in_a_few_statements(
    engine: Engine, apply: Callable[[str], None], *, insert_rows: int
) -> None:
    """A file of 120 new tasks sends its tasks, assignments and audit entries a batch at a
    time (in multi-row INSERTs where the dialect orders their RETURNING: `insert_rows` rows
    a statement), reads the calendar once, and looks no join of a cell's codes up ("A1,
    A2" as one unit's name) when no unit or group has that name; what it saves is as
    before."""
    with Session(engine) as session:
        _arrange(session)
        session.commit()
    statements = statements_while(engine, lambda: apply(new_rows(120)))
    inserts = [s.split("(")[0].strip() for s in statements if s.startswith("INSERT")]
    assert inserts.count("INSERT INTO task") <= 120 // insert_rows + 1
    assert inserts.count("INSERT INTO assignment") <= 3  # a batch's in one, not a task's
    assert inserts.count("INSERT INTO audit_log") <= 120 // insert_rows + 1
    assert sum("FROM calendar_override" in s for s in statements) == 1
    assert not [s for s in statements if "unit_group.name_folded =" in s]
    assert sum("unit.code_folded =" in s for s in statements) == 3  # A1, A2, SYT: once each
    with Session(engine) as session:
        tasks = session.exec(select(Task).order_by(col(Task.id))).all()
        assert [t.code for t in tasks] == [f"T{n}" for n in range(120)]
        units = {t.code: len(assignments_of(session, task_id=t.id or 0)) for t in tasks}
        assert [units[f"T{n}"] for n in range(4)] == [3, 2, 2, 1]
        created = session.exec(select(AuditLog).where(AuditLog.action == "task.created")).all()
        assert sorted(int(a.object_id) for a in created) == [t.id for t in tasks]
        stamps = {a.created_at for a in session.exec(select(Assignment)).all()}
        assert stamps == {NOW}


def check_a_file_again_reads_its_tasks_ahead(engine: Engine, apply: Callable[[str], None]) -> None:
    """The same 120-row file again (a directive on every row) changes nothing, and reads its
    tasks and their units a batch at a time and the directive once, not a task, its units
    and its directive a row."""
    with Session(engine) as session:
        _arrange(session)
        session.commit()
    text = new_rows(120).replace(",,\n", ",4824/UBND-KGVX,\n")
    apply(text)
    statements = statements_while(engine, lambda: apply(text))
    reads_of_task = [
        s for s in statements if "FROM task" in s and "task.code IS NOT NULL" not in s
    ]
    assert len(reads_of_task) <= 3
    assert sum("FROM assignment" in s for s in statements) <= 3
    assert sum("FROM directive" in s for s in statements) <= 2  # as typed, then plain
    assert not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]


def cli_import(engine: Engine) -> Callable[[str], None]:
    """Return a call importing a CSV text in one transaction, as `dondoc tasks import` does."""

    def apply(text: str) -> None:
        with Session(engine) as session:
            report = import_tasks(
                session, read_table(text.encode()), actor_id=None, now=NOW, tz=VN
            )
            assert report.rejected == []
            session.commit()

    return apply


def bot_import(engine: Engine) -> Callable[[str], None]:
    """Return a call applying a CSV text as the bot's Apply does (`app.jobs`, in slices)."""

    def apply(text: str) -> None:
        table = read_table(text.encode())
        report = import_table(engine, import_tasks, table, actor_id=None, now=NOW, tz=str(VN))
        assert report.rejected == []

    return apply


def test_new_tasks_of_a_file_go_in_a_few_statements_on_sqlite(engine: Engine) -> None:
    """On SQLite, as the CLI imports a file (one transaction)."""
    check_new_tasks_go_in_a_few_statements(engine, cli_import(engine), insert_rows=1)


@pytest.mark.postgres
def test_new_tasks_of_a_file_go_in_a_few_statements_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL, as the bot applies a previewed file: each statement a round trip to
    the server (a 5,000-row file took 15 minutes beside officials' replies)."""
    check_new_tasks_go_in_a_few_statements(pg_engine, bot_import(pg_engine), insert_rows=50)


def test_a_file_imported_again_reads_its_tasks_ahead_on_sqlite(engine: Engine) -> None:
    """On SQLite, as the CLI imports a file."""
    check_a_file_again_reads_its_tasks_ahead(engine, cli_import(engine))


@pytest.mark.postgres
def test_a_file_imported_again_reads_its_tasks_ahead_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL, as the bot applies it (each read a round trip)."""
    check_a_file_again_reads_its_tasks_ahead(pg_engine, bot_import(pg_engine))


@pytest.mark.postgres
def test_the_bots_apply_on_postgresql_does_not_pause_between_slices(
    pg_engine: Engine, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the apply pauses after each slice as long as it wrote (the write lock free
    half the time for officials' taps); on PostgreSQL nobody waits for such a lock, and
    pausing doubled the import: it runs straight through."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the apply's pause (`app.jobs`)
    for each in (engine, pg_engine):
        with Session(each) as session:
            _arrange(session)
            session.commit()
    bot_import(pg_engine)(new_rows(300))
    assert slept == []
    bot_import(engine)(new_rows(300))  # a slice a row on SQLite: it pauses
    assert slept


@pytest.mark.postgres
def test_an_officials_report_is_stored_while_the_apply_holds_its_slice_on_postgresql(
    pg_engine: Engine,
) -> None:
    """On PostgreSQL the apply's slice is half a second and its first batch of new tasks is
    written before its commit: an official's report on a task already there is stored
    meanwhile, on another connection, without waiting for the slice (1 s lock timeout)."""
    with Session(pg_engine) as session:
        _arrange(session)
        session.commit()
    cli_import(pg_engine)(GOOD)
    with Session(pg_engine) as session:
        assignment = session.exec(select(Assignment)).first()
        assert assignment is not None and assignment.id is not None  # noqa: PT018
        assignment_id = assignment.id
    stored: list[tuple[int, int]] = []

    def importer(session: Session, table: Table, **kwargs: Any) -> ImportReport:
        slice_ends: Callable[[int, int], bool | None] = kwargs.pop("checkpoint")

        def during(done: int, total: int) -> bool | None:
            if not stored:  # the batch written, not committed: the slice holds it
                with session_scope(pg_engine) as other:
                    other.connection().exec_driver_sql("SET LOCAL lock_timeout = '1s'")
                    record_report(other, assignment_id=assignment_id, state="done", now=NOW)
                with Session(pg_engine) as other:  # what others see meanwhile
                    tasks = other.exec(select(func.count()).select_from(Task)).one()
                stored.append((done, tasks))
            return slice_ends(done, total)

        return import_tasks(session, table, checkpoint=during, **kwargs)

    table = read_table(new_rows(120).encode())
    import_table(pg_engine, importer, table, actor_id=None, now=NOW, tz=str(VN))
    assert stored == [(50, 2)]  # reported while 50 new tasks waited for their commit
    with Session(pg_engine) as session:
        assert session.get(Assignment, assignment_id).state == "done"  # type: ignore[union-attr]
        assert session.exec(select(func.count()).select_from(Task)).one() == 122
