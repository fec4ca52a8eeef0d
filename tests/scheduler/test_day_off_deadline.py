"""A deadline stored on a day off (old data, or a day the `holidays` package added since) is
due in effect the next working day, for the reminders, the status, the summaries and the
report alike.

The plan rolled it, but `due_at` stayed the end of the nominal day and the days overdue
counted from it: on Thursday 11/02/2027, the day a deadline of Saturday 06/02/2027 (Tết) is
due, the summaries said "quá hạn 5 ngày". A deadline is now stored with `due_at` at the end
of the working day it rolls to, the day's first sweep sets it so for old data, and every
count of days overdue starts from that day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.i18n import load_catalog
from app.summary_text import detail
from core.calendar import WorkingCalendar
from core.status import Counts, Status, status_of
from core.summary import STATUS_ORDER
from core.taskdates import due_at
from db.models import Assignment, CalendarOverride, Task
from db.queries.due_times import misplaced_due_times, roll_slice
from db.queries.summary import status_lines
from db.queries.task_deadlines import move_assignment
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.scheduler.support import assigned_at, at, context, messages_to

NOMINAL = date(2027, 2, 6)  # Saturday, Tết
EFFECTIVE = date(2027, 2, 11)  # Thursday, the first working day after Tết
MONDAY = date(2027, 2, 15)


def as_old_data(session: Session, task: Task) -> None:
    """Store the task's rows due at the end of the nominal day, as data older than the roll
    at write (or a day the `holidays` package added since) has them."""
    for row in session.exec(select(Assignment).where(Assignment.task_id == task.id)):
        row.due_at = due_at(NOMINAL, VN)
        session.add(row)
    session.commit()


def test_a_deadline_stored_on_a_day_off_is_due_the_working_day_after_before_any_sweep(
    session: Session,
) -> None:
    """A task given for Saturday 06/02 (Tết), and a unit's deadline moved onto it, are stored
    due at the end of Thursday 11/02: on Wednesday 10/02, before any sweep ran, the unit is
    in time, not four days overdue, and every page says the day in force."""
    units = [make_unit(session, "X01", "Xã Tết"), make_unit(session, "X02", "Xã Xuân")]
    task = make_task(session, "Báo cáo sau Tết", NOMINAL, units[:1])
    other = make_task(session, "Kế hoạch năm", date(2027, 1, 29), units[1:])
    [row] = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert row.due_at == due_at(EFFECTIVE, VN)
    assert status_of(row, now=at(date(2027, 2, 10), 10), tz=VN).status is Status.IN_TIME

    [moved] = session.exec(select(Assignment).where(Assignment.task_id == other.id)).all()
    move_assignment(session, moved, to=NOMINAL, tz=VN, actor_id=None, why={"reason": "test"})
    session.commit()
    assert moved.due_at == due_at(EFFECTIVE, VN)


def test_a_deadline_on_tet_is_due_on_the_working_day_after_for_every_reader(
    engine: Engine, session: Session
) -> None:
    """On Thursday 11/02 the unit is reminded it is due today, the assignment is in time
    (summary and status); on Monday 15/02 it is 4 days overdue, not 9."""
    unit = make_unit(session, "X01", "Xã Tết")
    make_contact(session, 2001, units=[unit])
    task = make_task(session, "Báo cáo sau Tết", NOMINAL, [unit])
    assigned_at(session, task, at(date(2027, 1, 4)))
    as_old_data(session, task)

    dispatch(context(engine), at(EFFECTIVE))

    session.expire_all()
    [row] = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert row.due_at == due_at(EFFECTIVE, VN)
    text = messages_to(session, 2001)[-1].payload["text"]
    assert "Đến hạn hôm nay" in text
    assert "Quá hạn" not in text
    assert status_of(row, now=at(EFFECTIVE, 10), tz=VN).status is Status.IN_TIME
    [line] = status_lines(session, now=at(EFFECTIVE, 10), task_ids=[task.id or 0])
    assert STATUS_ORDER[line.status] is Status.IN_TIME

    dispatch(context(engine), at(MONDAY))

    text = messages_to(session, 2001)[-1].payload["text"]
    assert "Quá hạn 4 ngày" in text
    assert status_of(row, now=at(MONDAY, 10), tz=VN).days_overdue == 4
    lines = status_lines(session, now=at(MONDAY, 10), task_ids=[task.id or 0])
    catalog = load_catalog()
    report = detail(
        lambda key, **p: catalog.get("vi", key, **p),
        "vi",
        "",
        Counts(),
        lines,
        [],
        [],
        now=at(MONDAY, 10),
        tz=VN,
    )
    said = [e.text for e in report.entries]
    assert catalog.get("vi", "summary.unit_overdue", unit="Xã Tết", days=4) in said


def test_the_due_times_are_rolled_once_per_calendar_and_again_when_it_changes(
    engine: Engine, session: Session
) -> None:
    """Rolling reads every assignment (1.3 s at a country's million): the day's first sweep
    does it only when the calendar differs from the one the due times were rolled for (a
    day off set or taken back, a newer `holidays` package), not every morning."""
    unit = make_unit(session, "X01", "Xã Tết")
    make_contact(session, 2001, units=[unit])
    task = make_task(session, "Báo cáo sau Tết", NOMINAL, [unit])
    assigned_at(session, task, at(date(2027, 1, 4)))
    dispatch(context(engine), at(EFFECTIVE))
    session.expire_all()
    [row] = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert row.due_at == due_at(EFFECTIVE, VN)
    row.due_at = due_at(NOMINAL, VN)  # as if written past the roll, the calendar the same
    session.add(row)
    session.commit()

    dispatch(context(engine), at(date(2027, 2, 12)))  # the next day: same calendar

    session.expire_all()
    assert session.get(Assignment, row.id).due_at == due_at(NOMINAL, VN)  # type: ignore[union-attr]
    session.add(CalendarOverride(day=date(2027, 3, 1), reason="Nghỉ bù"))  # a new day off
    session.commit()

    dispatch(context(engine), at(date(2027, 2, 15)))

    session.expire_all()
    assert session.get(Assignment, row.id).due_at == due_at(EFFECTIVE, VN)  # type: ignore[union-attr]


def test_misplaced_due_times_move_a_slice_a_transaction(engine: Engine, session: Session) -> None:
    """A database upgraded with a country's deadlines on days off moves them a slice at a
    time, each its own transaction: taps write between slices, not after all of them."""
    units = [make_unit(session, f"X{n:02d}", f"Xã {n}") for n in range(5)]
    task = make_task(session, "Báo cáo sau Tết", NOMINAL, units)
    as_old_data(session, task)
    [misplaced] = misplaced_due_times(session, calendar=WorkingCalendar(), tz=VN)
    assert (misplaced.deadline, misplaced.wanted) == (NOMINAL, due_at(EFFECTIVE, VN))
    moved = [roll_slice(session, misplaced, limit=2) for _ in range(4)]
    session.commit()
    assert moved == [2, 2, 1, 0]
    rows = session.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert {row.due_at for row in rows} == {due_at(EFFECTIVE, VN)}
    assert misplaced_due_times(session, calendar=WorkingCalendar(), tz=VN) == []
