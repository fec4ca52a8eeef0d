"""Removing a day off moves back, by the audit log, what adding it moved, on SQLite and
PostgreSQL (the audit's details are JSON on both)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.taskdates import due_at
from db.models import Assignment, AuditLog, Task
from db.queries.calendar import remove_override, set_override
from db.queries.dayoff import MovedBack, finished, move_back, move_back_to_day, moves_to_undo
from db.queries.task_deadlines import change_deadline, move_off_day, move_task_off_day
from db.queries.taskcounts import drift
from tests.factories import VN, make_task, make_unit

FRIDAY, MONDAY, TODAY = date(2026, 11, 27), date(2026, 11, 30), date(2026, 11, 18)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, or a fresh PostgreSQL database's."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def day_off(session: Session, day: date, to: date) -> list[int]:
    """Make the day a day off and move what is due then, as /calendar add does."""
    set_override(session, day=day, working=False, reason="Lễ hội", actor_id=None)
    moved = move_off_day(session, day=day, to=to, tz=VN, actor_id=None)
    session.commit()
    return moved


def remove(session: Session, day: date) -> MovedBack:
    """Remove the day off and move back what it moved, as /calendar remove does."""
    remove_override(session, day=day, actor_id=None)
    back = move_back_to_day(session, day=day, today=TODAY, tz=VN, actor_id=None)
    session.commit()
    return back


def deadline(session: Session, task: Task) -> date:
    """Return the task's deadline as the database holds it."""
    session.expire_all()
    found = session.get(Task, task.id)
    assert found is not None
    return found.deadline


def test_removing_a_day_off_moves_back_only_its_untouched_moves(any_engine: Engine) -> None:
    """Of two tasks the day off moved, the one given a new deadline since stays; a second
    addition and removal of the same day moves back only what the second one moved."""
    with Session(any_engine) as s:
        unit = make_unit(s, "X1")
        kept, back = (
            make_task(s, "Đổi hạn sau", FRIDAY, [unit]),
            make_task(s, "Trả lại", FRIDAY, [unit]),
        )
        assert day_off(s, FRIDAY, MONDAY) == [kept.id, back.id]
        change_deadline(s, task=kept, deadline=MONDAY, tz=VN, actor_id=None)  # set again
        s.commit()
        assert remove(s, FRIDAY) == MovedBack(moved=[back.id or 0], kept=[kept.id or 0])
        assert [deadline(s, kept), deadline(s, back)] == [MONDAY, FRIDAY]
        assert day_off(s, FRIDAY, MONDAY) == [back.id]
        assert remove(s, FRIDAY) == MovedBack(moved=[back.id or 0], kept=[])


def test_removing_a_day_off_that_moved_nothing_moves_nothing(any_engine: Engine) -> None:
    """A task due on the next working day that no day off put there stays."""
    with Session(any_engine) as s:
        task = make_task(s, "Hạn thứ Hai", MONDAY, [make_unit(s, "X1")])
        assert day_off(s, FRIDAY, MONDAY) == []
        assert remove(s, FRIDAY) == MovedBack()
        assert deadline(s, task) == MONDAY


def test_a_day_off_set_again_with_a_new_reason_still_moves_back_what_it_moved(
    engine: Engine,
) -> None:
    """A day off typed again (its reason corrected) moves nothing more; removed, it moves
    back what its first setting moved."""
    with Session(engine) as s:
        task = make_task(s, "Hạn thứ Sáu", FRIDAY, [make_unit(s, "X1")])
        assert day_off(s, FRIDAY, MONDAY) == [task.id]
        assert day_off(s, FRIDAY, MONDAY) == []  # the same day off, a new reason
        assert remove(s, FRIDAY) == MovedBack(moved=[task.id or 0])
        assert deadline(s, task) == FRIDAY


def test_a_task_moved_a_few_rows_at_a_time_comes_back_whole(any_engine: Engine) -> None:
    """A day off moves a large task's assignments a few a transaction ahead of the task, and
    its removal moves them back the same way: the counts the triggers keep follow each
    statement, and the audit entry counts every row, so the removal gives back all of them."""
    with Session(any_engine) as s:
        task = make_task(s, "Cả nước", FRIDAY, [make_unit(s, f"X{i}") for i in range(5)])
        set_override(s, day=FRIDAY, working=False, reason="Bão", actor_id=None)
        s.commit()
        ahead = 0
        while more := move_task_off_day(
            s, task, day=FRIDAY, to=MONDAY, tz=VN, actor_id=None, rows=2, ahead=ahead
        ):
            ahead += more
            s.commit()
            assert drift(s) == []
        s.commit()
        entry = s.exec(select(AuditLog).where(AuditLog.action == "task.deadline_changed")).one()
        assert entry.details["assignments"] == 5
        remove_override(s, day=FRIDAY, actor_id=None)
        moves, result = moves_to_undo(s, day=FRIDAY, today=TODAY)
        s.commit()
        steps = 0
        for move in moves:
            while move_back(s, move, day=FRIDAY, tz=VN, actor_id=None, result=result, rows=2):
                steps += 1
                s.commit()
        s.commit()
        assert steps == 2
        assert finished(result) == MovedBack([task.id or 0], [])
        assert deadline(s, task) == FRIDAY
        assert drift(s) == []
        rows = s.exec(select(Assignment)).all()
        assert {(a.deadline, a.original_deadline, a.due_at) for a in rows} == {
            (FRIDAY, FRIDAY, due_at(FRIDAY, VN))
        }
