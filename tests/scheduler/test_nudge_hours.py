"""A /nudge outside office time is held until the next working window, and says when.

The officials did not ask for it: typed at 22:00 or on the first day of Tết, it waits for
office time (the outbox row's `not_before`, which the senders claim by) and the coordinator
reads when it goes out. In office time it goes at once, as before.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.actor import Actor
from core.roles import Role
from db.models import Assignment, Outbox, Reminder
from scheduler.dispatcher.run import Job, dispatch
from scheduler.nudge import NudgeJob, nudge_named
from tests.scheduler.support import at, context, items_of, messages_to, province, task_for

ADMIN = Actor(1, "90001", "vi", Role.ADMIN.value, (), ())


@pytest.mark.parametrize(
    ("now", "goes"),
    [
        (at(date(2026, 11, 18), 22), at(date(2026, 11, 19), 7, 30)),  # a Wednesday night
        (at(date(2027, 2, 6), 10), at(date(2027, 2, 11), 7, 30)),  # the first day of Tết
    ],
)
def test_a_nudge_out_of_office_time_waits_for_it_and_says_when(
    engine: Engine, session: Session, now: datetime, goes: datetime
) -> None:
    units = province(session, 2, first_user=9700)
    task = task_for(session, units, date(2026, 11, 10), at(date(2026, 11, 2)))
    ctx = context(engine)

    answer = nudge_named(ctx, NudgeJob(Job.of(ctx, now), ADMIN, f"#{task.id}", "r1"))

    rows = session.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    assert len(rows) == 2
    assert all(row.not_before == goes for row in rows)
    assert f"sẽ gửi lúc {goes:%H:%M %d/%m/%Y}" in answer
    assert "sẽ nhắc 2 (2 người nhận)" in answer


def test_a_nudge_in_office_time_goes_at_once(engine: Engine, session: Session) -> None:
    units = province(session, 1, first_user=9710)
    task = task_for(session, units, date(2026, 11, 10), at(date(2026, 11, 2)))
    ctx = context(engine)
    now = at(date(2026, 11, 18), 10)

    answer = nudge_named(ctx, NudgeJob(Job.of(ctx, now), ADMIN, f"#{task.id}", "r1"))

    [row] = session.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    assert row.not_before == now
    assert "đã nhắc 1 (1 người nhận)" in answer


def test_a_nudge_held_to_the_morning_is_not_repeated_by_that_mornings_reminder(
    engine: Engine, session: Session
) -> None:
    """Typed at 22:00, the nudge of #1 goes at 07:30, when the day's sweep also reminds the
    unit of #1 (due that day) and #2: the reminder leaves #1 to the nudge, and the day's
    reminder of #1 is still recorded as given, not missed."""
    units = province(session, 1, first_user=9720)
    first = task_for(session, units, date(2026, 11, 19), at(date(2026, 11, 2)))
    task_for(session, units, date(2026, 11, 25), at(date(2026, 11, 2)))
    ctx = context(engine)
    nudge_named(ctx, NudgeJob(Job.of(ctx, at(date(2026, 11, 18), 22)), ADMIN, "#1", "r1"))

    dispatch(context(engine), at(date(2026, 11, 19), 7, 30))

    [nudge] = messages_to(session, 9720, kind="nudge")
    [reminder] = messages_to(session, 9720)
    nudged = session.exec(select(Assignment.id).where(Assignment.task_id == first.id)).all()
    assert items_of(session, nudge) == set(nudged)
    assert len(items_of(session, reminder)) == 1
    assert not items_of(session, reminder) & set(nudged)
    recorded = session.exec(select(Reminder.assignment_id)).all()
    assert set(recorded) >= set(nudged) | items_of(session, reminder)
