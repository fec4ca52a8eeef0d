"""A deadline moved during the day is planned again the same day, not the next sweep.

The day's first sweep plans every assignment; the later runs of the day looked only at
assignments created since. A task whose deadline an admin brought forward at 10:00 (to
today, or to two working days from now) then had its reminder of today under the new plan
never sent: the day was swept, so the next morning did not count it as missed either. A
deadline moved to today went without its "due today" reminder, the first one the unit got
being the overdue one two working days later.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.states import TaskStatus
from db.models import Task
from db.queries.task_deadlines import change_deadline
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_unit
from tests.scheduler.support import (
    VN,
    at,
    context,
    deliver_all,
    messages_to,
    task_for,
)

WED = date(2026, 11, 18)
TUE = date(2026, 11, 17)


def moved_at_ten(engine: Engine, session: Session, to: date) -> Task:
    """A task due 30/11 (nothing to say on WED 18/11), swept at 07:30, its deadline moved to
    `to` at 10:00, then the 10:01 run."""
    unit = make_unit(session, "X01", "Xã Tam Xuân")
    make_contact(session, 2001, units=[unit])
    task = task_for(session, [unit], date(2026, 11, 30), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED, 7, 30))
    assert messages_to(session, 2001) == []
    moved = session.exec(select(Task).where(Task.id == task.id)).one()
    change_deadline(session, task=moved, deadline=to, tz=VN, actor_id=None)
    session.commit()
    dispatch(context(engine), at(WED, 10, 1))
    return moved


@pytest.mark.parametrize(
    ("to", "said"),
    [(WED, "Đến hạn hôm nay"), (date(2026, 11, 20), "Còn 2 ngày làm việc")],
)
def test_a_deadline_brought_forward_gets_todays_reminder_at_once(
    engine: Engine, session: Session, to: date, said: str
) -> None:
    """Moved to today, or to 20/11 (2 working days on: a reminder day), the unit is reminded
    at the next run of the day, once however often the dispatcher runs after."""
    moved_at_ten(engine, session, to)
    dispatch(context(engine), at(WED, 10, 2))
    [message] = messages_to(session, 2001)
    text = message.payload["text"]
    assert said in text
    assert f"{to:%d/%m/%Y}" in text


def test_a_deadline_moved_to_a_day_with_no_reminder_today_queues_nothing(
    engine: Engine, session: Session
) -> None:
    """Moved to 27/11 (not a reminder day today), nothing goes: the new plan says nothing."""
    moved_at_ten(engine, session, date(2026, 11, 27))
    assert messages_to(session, 2001) == []


def test_a_closed_task_moved_is_not_reminded(engine: Engine, session: Session) -> None:
    """A task closed after its deadline moved is not reminded by the next run."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task = task_for(session, [unit], date(2026, 11, 30), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED, 7, 30))
    found = session.exec(select(Task).where(Task.id == task.id)).one()
    change_deadline(session, task=found, deadline=WED, tz=VN, actor_id=None)
    found.status = TaskStatus.CLOSED
    session.add(found)
    session.commit()
    dispatch(context(engine), at(WED, 10, 1))
    assert messages_to(session, 2001) == []


def test_a_deadline_moved_after_the_mornings_escalation_tells_no_one_twice(
    engine: Engine, session: Session
) -> None:
    """Escalated at 07:30 (overdue #2: the leader and the coordinator told), extended at 10:00:
    the 10:01 run queues no second reminder nor a second list to the coordinator."""
    unit = make_unit(session, "X01", "Xã Bình Minh")
    make_contact(session, 2001, units=[unit])
    make_contact(session, 2002, units=[unit], function="leader")
    make_contact(session, 2003, role="coordinator")
    task = task_for(session, [unit], date(2026, 11, 16), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED, 7, 30))  # overdue #1
    deliver_all(session)
    dispatch(context(engine), at(date(2026, 11, 20), 7, 30))  # overdue #2
    assert len(messages_to(session, 2003, "escalation")) == 1
    found = session.exec(select(Task).where(Task.id == task.id)).one()
    change_deadline(session, task=found, deadline=date(2026, 11, 27), tz=VN, actor_id=None)
    session.commit()
    dispatch(context(engine), at(date(2026, 11, 20), 10, 1))
    assert len(messages_to(session, 2001)) == 2
    assert len(messages_to(session, 2002)) == 1
    assert len(messages_to(session, 2003, "escalation")) == 1


@pytest.mark.parametrize("sent", [True, False])
def test_a_deadline_brought_forward_after_the_mornings_reminder_is_said_again(
    engine: Engine, session: Session, sent: bool
) -> None:
    """Reminded at 07:30 of 26/11 (5 working days left), the deadline brought forward to
    today at 10:00: the 10:01 run tells the unit it is due today, whether the morning's
    reminder went out or still waits (the sender leaves the moved task out of that one); a
    later run says nothing more."""
    unit = make_unit(session, "X01")
    make_contact(session, 2001, units=[unit])
    task = task_for(session, [unit], date(2026, 11, 26), at(date(2026, 11, 2)), reminded=TUE)
    dispatch(context(engine), at(WED, 7, 30))
    [morning] = messages_to(session, 2001)
    assert "Còn 5 ngày làm việc" in morning.payload["text"]
    if sent:
        deliver_all(session)
    found = session.exec(select(Task).where(Task.id == task.id)).one()
    change_deadline(session, task=found, deadline=WED, tz=VN, actor_id=None)
    session.commit()
    dispatch(context(engine), at(WED, 10, 1))
    dispatch(context(engine), at(WED, 10, 2))
    [_, again] = messages_to(session, 2001)
    assert "Đến hạn hôm nay" in again.payload["text"]
    assert "18/11/2026" in again.payload["text"]
