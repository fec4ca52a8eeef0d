"""A units file's preview says what applying it will do, by reading alone."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.jobs import preview_table
from core.spreadsheet.read import read_table
from core.spreadsheet.report import ImportReport
from db.imports.units import import_units
from db.models import Unit, UnitGroup
from tests.factories import VN

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
HEADER = "code,name,kind,parent_code,groups\n"
FIRST = (
    "H1,Huyện Một,huyện,,\n"
    "X1,Xã Một,xã,H1,Ven biển\n"
    "X2,Xã Hai,xã,H1,Ven biển; Thí điểm\n"
    "X3,Xã Ba,xã,,\n"
    "X4,Xã Bốn,xã,H1,\n"
    "X5,Xã Năm,xã,,Thí điểm\n"
)
SECOND = (
    "H1,Huyện Một,huyện,,\n"  # unchanged
    "X1,Xã Một,xã,h1,ven bien\n"  # unchanged: a parent and a group in any case and accent
    "X2,Xã Hai,xã,H1,Ven biển\n"  # one group fewer: updated
    "X3,Xã  Ba  Mới,xã,,\n"  # renamed: updated
    "X4,Xã Bốn,xã,H2,\n"  # under a unit the file adds: updated
    "X5,Xã Năm,xã,,Miền núi\n"  # a new group: updated
    "H2,Huyện Hai,huyện,,\n"  # added
    "X6,Xã Sáu,xã,H2,Miền núi\n"  # added, under an added unit, in a new group
    "X7,Xã Bảy,làng,,\n"  # rejected: unknown kind
    "X8,Xã Tám,xã,H9,\n"  # rejected: unknown parent
    "X9,Xã Chín,xã,X9,\n"  # rejected: its own parent
    "XD9,Xã D,xã,,\n"  # rejected twice: duplicate code
    "xd9,Xã D khác,xã,,\n"
    "tất cả,Tất cả,xã,,\n"  # rejected: a keyword
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, then a fresh PostgreSQL one."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def _preview(engine: Engine, text: str) -> ImportReport:
    """Preview a CSV as the upload page and the chat do (app.jobs, here in-process)."""
    table = read_table(text.encode(), "units.csv")
    return preview_table(engine, import_units, table, actor_id=None, now=NOW, tz=str(VN))


def _arrange(engine: Engine) -> None:
    """The first file applied: a district, five communes, two groups."""
    with Session(engine) as session:
        import_units(session, read_table((HEADER + FIRST).encode()), actor_id=None, now=NOW)
        session.commit()


def test_a_units_preview_says_what_applying_the_file_then_does(any_engine: Engine) -> None:
    """Added, updated, unchanged and rejected rows: the preview's are the import's that
    follows it (fields, a parent the file adds, groups named in any case, new groups)."""
    _arrange(any_engine)
    preview = _preview(any_engine, HEADER + SECOND)
    with Session(any_engine) as session:
        applied = import_units(
            session, read_table((HEADER + SECOND).encode()), actor_id=None, now=NOW
        )
        session.commit()
    assert preview.added == applied.added == ["H2", "X6"]
    assert preview.updated == applied.updated == ["X2", "X3", "X4", "X5"]
    assert preview.unchanged == applied.unchanged == ["H1", "X1"]
    rejected = [(r.row, r.reason, r.params) for r in applied.rejected]
    assert [(r.row, r.reason, r.params) for r in preview.rejected] == rejected
    assert [r.reason for r in preview.rejected] == [
        "unknown_kind",
        "unknown_parent",
        "parent_cycle",
        "duplicate_code",
        "duplicate_code",
        "code_keyword",
    ]
    again = _preview(any_engine, HEADER + SECOND)
    assert again.unchanged == ["H1", "X1", "X2", "X3", "X4", "X5", "H2", "X6"]


def test_a_units_preview_writes_nothing_and_reads_no_more_for_more_rows(
    any_engine: Engine,
) -> None:
    """Not one statement writes, and 40 rows (new units under new units, in new and old
    groups, and old units changed) cost the statements of 10: the preview imported the file
    and rolled it back, in slices that held SQLite's write lock half the time."""
    _arrange(any_engine)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    counts = []
    event.listen(any_engine, "before_cursor_execute", seen)
    try:
        for rows in (10, 40):
            statements.clear()
            lines = "".join(
                f"N{n},Xã Mới {n},xã,{f'N{n - 1}' if n % 2 else 'H1'},Ven biển; Nhóm {n % 3}\n"
                for n in range(rows)
            )
            lines += "X3,Xã Ba đổi tên,xã,,Thí điểm\nX5,Xã Năm,xã,N0,\n"
            report = _preview(any_engine, HEADER + lines)
            assert (len(report.added), len(report.updated)) == (rows, 2)
            counts.append(len(statements))
            writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
            assert writes == []
    finally:
        event.remove(any_engine, "before_cursor_execute", seen)
    assert counts[0] == counts[1]
    with Session(any_engine) as session:
        assert session.exec(select(Unit).where(Unit.code == "N1")).first() is None
        assert session.exec(select(UnitGroup).where(UnitGroup.name == "Nhóm 1")).first() is None
