"""A sweep gives up between chunks when the bot stops, and the next run completes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.models import Assignment, Outbox, Reminder, Task, UnitContact
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_unit
from tests.scheduler.support import at, context, province, task_for

WED = date(2026, 11, 18)


def test_stopping_bot_stops_the_sweep_and_the_next_run_completes_it(
    engine: Engine, session: Session
) -> None:
    """With the bot stopping nothing is queued; the next run queues every reminder once."""
    units = province(session, 3, first_user=9100)
    task_for(session, units, WED, at(WED, 7))
    stopping = replace(context(engine), keep_going=lambda: False)
    assert dispatch(stopping, at(WED, 9)) is None
    assert session.exec(select(Outbox)).all() == []
    result = dispatch(context(engine), at(WED, 9, 5))
    assert result is not None
    assert result.messages == 3
    again = dispatch(context(engine), at(WED, 9, 10))
    assert again is not None
    assert again.messages == 0


def test_reachable_units_are_queued_first_and_a_stop_after_them_loses_nothing(
    engine: Engine, session: Session
) -> None:
    """The first pass queues the reachable units' reminders before the rest is read.

    Stopped right after (as a restart would), the day is not marked swept: the next run
    reads everything again, records the unreachable units' reminders as skipped and queues
    no reminder a second time.
    """
    reachable = province(session, 3, first_user=9200)
    silent = [make_unit(session, f"S{i}", f"Xã Lặng {i}") for i in range(2)]
    for i, unit in enumerate(silent):
        make_contact(session, 9300 + i, units=[unit], reachable=False)
    task = task_for(session, reachable + silent, WED, at(WED, 7))

    def nothing_queued() -> bool:
        with Session(engine) as s:
            return s.exec(select(Outbox)).first() is None

    stopping = replace(context(engine), keep_going=nothing_queued)
    assert dispatch(stopping, at(WED, 9)) is None
    queued = session.exec(select(Outbox)).all()
    focal = session.exec(
        select(UnitContact.contact_id).where(
            col(UnitContact.unit_id).in_([u.id for u in reachable])
        )
    ).all()
    assert sorted(m.contact_id or 0 for m in queued) == sorted(focal)
    assert _statuses(session, task) == {u.id: "queued" for u in reachable}

    result = dispatch(context(engine), at(WED, 9, 5))
    assert result is not None
    assert result.messages == 0
    assert len(session.exec(select(Outbox)).all()) == 3
    assert _statuses(session, task) == {u.id: "queued" for u in reachable} | {
        u.id: "skipped" for u in silent
    }


def _statuses(session: Session, task: Task) -> dict[int | None, str]:
    """Return today's reminder status of each of the task's units, by unit id."""
    session.expire_all()
    rows = session.exec(
        select(Assignment.unit_id, Reminder.status)
        .join(Reminder, col(Reminder.assignment_id) == col(Assignment.id))
        .where(Assignment.task_id == task.id, Reminder.due_on == WED)
    )
    return dict(rows.all())
