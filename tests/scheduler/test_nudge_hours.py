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
from db.models import Outbox
from scheduler.dispatcher import Job
from scheduler.nudge import NudgeJob, nudge_named
from tests.scheduler.support import at, context, province, task_for

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
