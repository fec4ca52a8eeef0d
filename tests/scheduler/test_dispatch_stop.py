"""A sweep gives up between chunks when the bot stops, and the next run completes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.models import Outbox
from scheduler.dispatcher import dispatch
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
