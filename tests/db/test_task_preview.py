"""A tasks file's preview says what applying it will do, by reading alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.jobs import preview_table
from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from db.imports.tasks import import_tasks
from db.models import Task
from tests.factories import VN, make_unit

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
HEADER = "code,title,deadline,assignees,directive,description\n"
FIRST = (
    "KH-CDS,Ban hành Kế hoạch CĐS,15/12/2026,xã,4824/UBND-KGVX,Theo CV 4824\n"
    ",Báo cáo kết quả,5 ngày làm việc,Sở Y tế; Xã A1,,\n"
    "KH-HUY,Kế hoạch sẽ hủy,15/12/2026,Xã A1,,\n"
    "KH-SUA,Kế hoạch sẽ sửa,15/12/2026,Xã A1,,\n"
)
SECOND = (
    "KH-CDS,Ban hành Kế hoạch CĐS,15/12/2026,xã,4824/UBND-KGVX,Theo CV 4824\n"  # unchanged
    ",Báo cáo kết quả,5 ngày làm việc,Sở Y tế; Xã A1,,\n"  # unchanged
    "KH-HUY,Kế hoạch sẽ hủy,22/12/2026,Xã A1,,\n"  # cancelled meanwhile: refused
    "KH-SUA,Kế hoạch sẽ sửa,15/12/2026,Xã A1; Xã A2,,\n"  # one unit more: updated
    "KH-MOI,Nhiệm vụ mới,15/12/2026,Sở Y tế,125/KH-UBND,\n"  # new, new directive: added
    ",Không mã,15/12/2026,Xã A2,125/KH-UBND,\n"  # no code, new directive: added
    "KH-SAI,Hạn sai,31/02/2026,Xã A2,,\n"  # rejected
)


def _preview(engine: Engine, text: str) -> ImportReport:
    """Preview a CSV as the upload page and the chat do (app.jobs, here in-process)."""
    table = read_table(text.encode(), "tasks.csv")
    return preview_table(engine, import_tasks, table, actor_id=None, now=NOW, tz=str(VN))


def _arrange(session: Session) -> None:
    """Two communes, a department, the first file applied, one of its tasks cancelled."""
    make_unit(session, "A1", "Xã A1")
    make_unit(session, "A2", "Xã A2")
    make_unit(session, "SYT", "Sở Y tế", kind="department")
    import_tasks(session, read_table((HEADER + FIRST).encode()), actor_id=None, now=NOW, tz=VN)
    session.exec(select(Task).where(Task.code == "KH-HUY")).one().status = "cancelled"
    session.commit()


def test_a_tasks_preview_says_what_applying_the_file_then_does(
    engine: Engine, session: Session
) -> None:
    """Added, updated, unchanged and rejected rows: the preview's counts and rows are the
    import's that follows it."""
    _arrange(session)
    preview = _preview(engine, HEADER + SECOND)
    table = read_table((HEADER + SECOND).encode())
    applied = import_tasks(session, table, actor_id=None, now=NOW, tz=VN)
    session.commit()
    assert len(preview.added) == len(applied.added) == 2
    assert preview.updated == applied.updated == ["KH-SUA"]
    assert preview.unchanged == applied.unchanged == ["KH-CDS", "#2"]
    rejected = [(r.row, r.reason, r.params) for r in applied.rejected]
    assert [(r.row, r.reason, r.params) for r in preview.rejected] == rejected
    assert [(r.row, r.reason) for r in preview.rejected] == [
        (4, "task_ended"),
        (8, "bad_deadline"),
    ]


def test_a_tasks_preview_writes_nothing_and_reads_no_more_for_more_rows(
    engine: Engine, session: Session
) -> None:
    """Not one statement writes, and 40 new tasks cost the statements of 10: the preview
    created every task, its assignments and audit entry and rolled them back, in slices
    that held SQLite's write lock (112 s for 5,000 rows on the country's database)."""
    _arrange(session)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    counts = []
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for rows in (10, 40):
            statements.clear()
            lines = "".join(f"N{n},Nhiệm vụ {n},15/12/2026,Xã A1,,\n" for n in range(rows))
            assert len(_preview(engine, HEADER + lines).added) == rows
            counts.append(len(statements))
            writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
            assert writes == []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert counts[0] == counts[1]
    assert session.exec(select(Task).where(Task.code == "N1")).first() is None
