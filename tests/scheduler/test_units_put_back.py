"""A unit taken off a task and put back during the day hears of it at the next run.

A unit brought back by `/assign` keeps its assignment, and with it its id, and starts
afresh (its `created_at` the moment it was put back): its plan opens with the "assigned"
notice that day. The later runs of a day read only assignments with ids above the morning's
and the tasks a deadline of which moved, so the notice was never queued: the next morning
found the day swept and counted nothing missed, and the unit, told at 09:00 that the task
no longer concerned it, heard nothing more of it until its next reminder weeks later.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.models import Reminder, Task
from db.queries.taskadmin import add_assignees, remove_assignees
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_unit
from tests.scheduler.support import VN, at, context, deliver_all, messages_to, task_for

WED = date(2026, 11, 18)
THU = date(2026, 11, 19)


def test_a_unit_put_back_after_the_morning_run_is_told_at_the_next_run_once(
    engine: Engine, session: Session
) -> None:
    """Xã Tam Xuân, told of the task at 07:30, taken off at 09:00 and put back at 10:00: the
    10:01 run tells it the task is its own again (as newly assigned), once; Xã Bình Hải,
    on the task all along, hears nothing more; the next morning nothing is missed."""
    back = make_unit(session, "X01", "Xã Tam Xuân")
    stays = make_unit(session, "X02", "Xã Bình Hải")
    make_contact(session, 2001, units=[back])
    make_contact(session, 2002, units=[stays])
    make_contact(session, 2003, role="coordinator")
    task = task_for(session, [back, stays], date(2026, 12, 18), at(WED, 7), "Kế hoạch CĐS")
    dispatch(context(engine), at(WED, 7, 30))
    deliver_all(session)
    assert [len(messages_to(session, c)) for c in (2001, 2002)] == [1, 1]
    task = session.exec(select(Task).where(Task.id == task.id)).one()
    remove_assignees(session, task=task, unit_ids=[back.id or 0], actor_id=None)
    session.commit()
    dispatch(context(engine), at(WED, 9, 1))
    add_assignees(
        session, task=task, unit_ids=[back.id or 0], tz=VN, actor_id=None, now=at(WED, 10)
    )
    session.commit()
    result = dispatch(context(engine), at(WED, 10, 1))
    assert result is not None
    assert (result.messages, result.items) == (1, 1)
    deliver_all(session)
    assert dispatch(context(engine), at(WED, 10, 2)) is not None
    _, again = messages_to(session, 2001)
    assert f"#{task.id} Kế hoạch CĐS" in again.payload["text"]
    assert "Nhiệm vụ mới được giao, còn 21 ngày làm việc" in again.payload["text"]
    assert len(messages_to(session, 2001)) == 2
    assert len(messages_to(session, 2002)) == 1
    morning = dispatch(context(engine), at(THU, 7, 30))
    assert morning is not None
    assert (morning.messages, morning.folded) == (0, 0)
    assert messages_to(session, 2003, "late") == []
    assert session.exec(select(Reminder).where(Reminder.status == "folded")).all() == []


def test_a_unit_put_back_on_a_later_day_is_told_at_the_next_run(
    engine: Engine, session: Session
) -> None:
    """Taken off on Tuesday, put back on Wednesday at 10:00, after Wednesday's morning run:
    the 10:01 run tells it, not its next reminder day."""
    back = make_unit(session, "X01", "Xã Tam Xuân")
    stays = make_unit(session, "X02", "Xã Bình Hải")
    make_contact(session, 2001, units=[back])
    make_contact(session, 2002, units=[stays])
    task = task_for(
        session,
        [back, stays],
        date(2026, 12, 18),
        at(date(2026, 11, 9)),
        reminded=date(2026, 11, 9),
    )
    task = session.exec(select(Task).where(Task.id == task.id)).one()
    remove_assignees(session, task=task, unit_ids=[back.id or 0], actor_id=None)
    session.commit()
    dispatch(context(engine), at(WED, 7, 30))
    assert messages_to(session, 2001) == []
    add_assignees(
        session, task=task, unit_ids=[back.id or 0], tz=VN, actor_id=None, now=at(WED, 10)
    )
    session.commit()
    dispatch(context(engine), at(WED, 10, 1))
    [told] = messages_to(session, 2001)
    assert "Nhiệm vụ mới được giao" in told.payload["text"]
    assert messages_to(session, 2002) == []
